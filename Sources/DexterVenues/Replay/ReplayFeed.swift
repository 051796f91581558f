import DexterCore
import DexterMarket
import Foundation

/// How recorded venues are modelled: their taker fees and staleness, and how deep a book is published.
public struct ReplaySettings: Sendable {
    /// Taker fees by venue, as the venues' published base tiers; others default to 0.1 %.
    public var takerFees: [VenueId: FixedDecimal] = [
        "binance": FixedDecimal("0.001")!, "huobi": FixedDecimal("0.002")!, "okx": FixedDecimal("0.001")!,
        "coinbase": FixedDecimal("0.006")!, "kraken": FixedDecimal("0.0026")!,
    ]
    public var defaultTakerFee = FixedDecimal("0.001")!
    public var stalenessBound: Duration = .seconds(5)
    /// Levels per side the market state sees; deeper levels are kept but not published.
    public var bookDepth = 20
    /// Sizes are rounded to this: fine enough that the lot grid does not hide the best size in recorded books.
    public var lotSize = FixedDecimal(units: 1, decimals: 8)

    public init() {}

    func venue(_ id: VenueId) -> VenueSpec {
        VenueSpec(id: id, kind: .exchange, takerFee: takerFees[id] ?? defaultTakerFee, stalenessBound: stalenessBound)
    }
}

/// What replay counted: by message kind, how the books were kept, and what was published.
public struct ReplayStatistics: Sendable {
    public var messages = 0
    public var byKind: [String: Int] = [:]
    public var snapshots = 0
    public var depthApplied = 0
    /// Diffs older than the book (before its snapshot), dropped as Binance's sync rule says.
    public var depthDropped = 0
    /// Breaks in a depth sequence (U ≠ previous u + 1): the book is then kept from tickers only.
    public var gaps = 0
    public var published = 0
    public var firstTime: Timestamp?
    public var lastTime: Timestamp?
}

/// One replayed message: when it was received, and the market it changed (nil when it changed none).
public struct ReplayUpdate: Sendable {
    public let time: Timestamp
    public let newMarket: Market?
    public let event: MarketEvent?
}

/// Merges recordings by receive time and turns their messages into market events, keeping each market's book:
/// Binance diff-depth synced to its REST snapshot, bookTicker tops laid over it, CSV rows as whole snapshots.
public struct ReplayFeed: Sendable {
    public let settings: ReplaySettings
    public internal(set) var statistics = ReplayStatistics()
    private let files: [RecordedFile]
    private var cursors: [Int]
    /// The receive time of each file's next line (nil at its end).
    private var nextTimes: [Timestamp?]
    private var books: [MarketKey: BookState] = [:]
    /// A Binance file's own symbol, for its snapshot line, which names none.
    private var fileSymbols: [Int: MarketKey] = [:]
    private var csvColumns: [Int: CSVColumns] = [:]

    struct BookState {
        var book = DepthBook()
        var synced = false
        var lastUpdateId: UInt64 = 0
        var lastTickerId: UInt64 = 0
        var pendingDiffs: [DepthDiff] = []
    }

    struct DepthDiff {
        let first: UInt64
        let final: UInt64
        let bids: [DepthBook.Level]
        let asks: [DepthBook.Level]
    }

    public init(files: [RecordedFile], settings: ReplaySettings = ReplaySettings()) throws(ReplayError) {
        self.files = files
        self.settings = settings
        self.cursors = Array(repeating: 0, count: files.count)
        self.nextTimes = Array(repeating: nil, count: files.count)
        for index in files.indices {
            if files[index].format == .l2SnapshotCSV { try readHeader(index) }
            nextTimes[index] = try peekTime(index)
        }
    }

    public var totalBytes: Int { files.reduce(0) { $0 + $1.bytes.count } }
    public var consumedBytes: Int { cursors.reduce(0, +) }

    /// The next message across all files, oldest receive time first; nil when every file is done.
    public mutating func next() throws(ReplayError) -> ReplayUpdate? {
        var chosen: Int?
        for index in files.indices {
            guard let time = nextTimes[index] else { continue }
            if let best = chosen, let bestTime = nextTimes[best], bestTime <= time { continue }
            chosen = index
        }
        guard let index = chosen, let time = nextTimes[index] else { return nil }
        let update = try files[index].bytes.withUnsafeBufferPointer { (bytes) throws(ReplayError) -> ReplayUpdate in
            let start = cursors[index]
            var end = start
            while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
            cursors[index] = min(end + 1, bytes.count)
            switch files[index].format {
            case .binanceStream: return try binanceLine(bytes, start, end, file: index, time: time)
            case .l2SnapshotCSV: return try csvLine(bytes, start, end, file: index, time: time)
            }
        }
        nextTimes[index] = try peekTime(index)
        statistics.messages += 1
        if statistics.firstTime == nil { statistics.firstTime = time }
        statistics.lastTime = time
        if update.event != nil { statistics.published += 1 }
        return update
    }

    private func peekTime(_ index: Int) throws(ReplayError) -> Timestamp? {
        let file = files[index]
        var position = cursors[index]
        return try file.bytes.withUnsafeBufferPointer { (bytes) throws(ReplayError) -> Timestamp? in
            // Blank lines are skipped as they come.
            while position < bytes.count && (bytes[position] == UInt8(ascii: "\n") || bytes[position] == UInt8(ascii: "\r")) {
                position += 1
            }
            guard position < bytes.count else { return nil }
            var scanner = ByteScanner(bytes, from: position, to: bytes.count)
            switch file.format {
            case .binanceStream:
                guard let nanos = scanner.integer(), scanner.peek() == UInt8(ascii: " ") else {
                    throw .corrupt(path: file.path, line: lineNumber(index, at: position),
                                   reason: "expected \"<receive ns> {json}\"")
                }
                return Timestamp(nanoseconds: Int64(nanos))
            case .l2SnapshotCSV:
                guard let time = Self.csvTimestamp(&scanner) else {
                    throw .corrupt(path: file.path, line: lineNumber(index, at: position),
                                   reason: "expected a timestamp \"YYYY-MM-DD HH:MM:SS\" in the first column")
                }
                return time
            }
        }
    }

    /// 1-based line of byte `offset`, for error messages only.
    private func lineNumber(_ index: Int, at offset: Int) -> Int {
        files[index].bytes[..<offset].reduce(1) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
    }

    func corrupt(_ index: Int, _ start: Int, _ reason: String) -> ReplayError {
        .corrupt(path: files[index].path, line: lineNumber(index, at: start), reason: reason)
    }

    mutating func count(_ kind: String) { statistics.byKind[kind, default: 0] += 1 }

    /// The market a recorded symbol trades on, made the first time it is seen.
    mutating func market(_ key: MarketKey) -> Market? {
        guard books[key] == nil else { return nil }
        books[key] = BookState()
        let instrument = InstrumentSpec(symbol: key.symbol, tickSize: FixedDecimal(units: 1, decimals: 8),
                                        lotSize: settings.lotSize, minNotional: .zero)
        return Market(venue: settings.venue(key.venue), instrument: instrument,
                      liquidity: .book(OrderBook(bids: [], asks: [])))
    }

    func event(_ key: MarketKey, venueTime: Timestamp, time: Timestamp) -> MarketEvent? {
        guard let state = books[key] else { return nil }
        return .liquidity(key, .book(state.book.top(settings.bookDepth)), venueTime: venueTime, receivedAt: time)
    }

    mutating func withBook<T>(_ key: MarketKey, _ body: (inout BookState) -> T) -> T {
        body(&books[key, default: BookState()])
    }

    mutating func setFileSymbol(_ file: Int, _ key: MarketKey) {
        if fileSymbols[file] == nil { fileSymbols[file] = key }
    }

    func fileSymbol(_ file: Int) -> MarketKey? { fileSymbols[file] }

    mutating func setCSVColumns(_ file: Int, _ columns: CSVColumns) { csvColumns[file] = columns }
    func columns(_ file: Int) -> CSVColumns? { csvColumns[file] }

    func filesBytes(_ file: Int) -> [UInt8] { files[file].bytes }
    func filePath(_ file: Int) -> String { files[file].path }

    mutating func skipHeader(_ file: Int, to offset: Int) { cursors[file] = offset }

    /// Splits BTCUSDT-style names at a known quote asset.
    static func symbol(fromExchangeName name: String) -> Symbol? {
        let upper = name.uppercased()
        for quote in ["FDUSD", "USDT", "USDC", "BUSD", "TUSD", "BTC", "ETH", "BNB", "EUR", "USD"]
        where upper.hasSuffix(quote) && upper.count > quote.count {
            return Symbol(base: Asset(String(upper.dropLast(quote.count))), quote: Asset(quote))
        }
        return nil
    }
}
