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
    /// Messages by kind: bookTicker, depth, trade, snapshot (a REST snapshot or a CSV row), and any other stream.
    public var byKind: [String: Int] {
        var kinds = otherKinds
        for (kind, count) in zip(Self.knownKinds, knownCounts) where count > 0 { kinds[kind] = count }
        return kinds
    }
    static let knownKinds = ["bookTicker", "depth", "trade", "snapshot"]
    var knownCounts = [0, 0, 0, 0]
    var otherKinds: [String: Int] = [:]
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
    /// True when no message after this one has its receive time: everything received at that instant is in, so
    /// a reader that applies an instant's messages together can act on them.
    public internal(set) var endsInstant = true
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
    /// The file read next: the earliest next time, the first file on a tie; nil when every file is done.
    private var nextFile: Int?
    /// Books by slot; a slot per market, in the order they were first seen.
    private var books: [BookState] = []
    private var keys: [MarketKey] = []
    private var slots: [MarketKey: Int] = [:]
    /// Binance stream names seen so far ("btcusdt@bookTicker") and what they map to: a line is matched by its
    /// bytes, without building a string.
    var streams: [(name: [UInt8], kind: StreamKind, slot: Int)] = []
    /// A Binance file's own symbol, for its snapshot line, which names none.
    private var fileSymbols: [Int: Int] = [:]
    private var csvColumns: [Int: CSVColumns] = [:]

    enum StreamKind: Equatable {
        case bookTicker, depth, trade
        case other(String)
    }

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
        nextFile = Self.earliest(nextTimes)
    }

    /// The receive time of the message read next; nil when every file is done.
    public var nextTime: Timestamp? { nextFile.flatMap { nextTimes[$0] } }

    public var totalBytes: Int { files.reduce(0) { $0 + $1.bytes.count } }
    public var consumedBytes: Int { cursors.reduce(0, +) }

    /// The file with the earliest next time, the first one on a tie. Static, on the times alone: a method of this
    /// large struct would be handed a copy of it.
    private static func earliest(_ times: [Timestamp?]) -> Int? {
        var chosen: Int?
        for index in times.indices {
            guard let time = times[index] else { continue }
            if let best = chosen, let bestTime = times[best], bestTime <= time { continue }
            chosen = index
        }
        return chosen
    }

    /// The next message across all files, oldest receive time first; nil when every file is done.
    public mutating func next() throws(ReplayError) -> ReplayUpdate? {
        guard let index = nextFile, let time = nextTimes[index] else { return nil }
        var update = try files[index].bytes.withUnsafeBufferPointer { (bytes) throws(ReplayError) -> ReplayUpdate in
            let start = cursors[index]
            let end = memchr(bytes.baseAddress! + start, 0x0A, bytes.count - start)
                .map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - bytes.baseAddress! } ?? bytes.count
            cursors[index] = min(end + 1, bytes.count)
            switch files[index].format {
            case .binanceStream: return try binanceLine(bytes, start, end, file: index, time: time)
            case .l2SnapshotCSV: return try csvLine(bytes, start, end, file: index, time: time)
            }
        }
        nextTimes[index] = try peekTime(index)
        nextFile = Self.earliest(nextTimes)
        update.endsInstant = nextFile.flatMap { nextTimes[$0] } != time
        statistics.messages += 1
        if statistics.firstTime == nil { statistics.firstTime = time }
        statistics.lastTime = time
        if update.event != nil { statistics.published += 1 }
        return update
    }

    /// The receive time of the file's next line, moving its cursor past any blank lines so the line read next is it.
    private mutating func peekTime(_ index: Int) throws(ReplayError) -> Timestamp? {
        let file = files[index]
        var position = cursors[index]
        while position < file.bytes.count
            && (file.bytes[position] == UInt8(ascii: "\n") || file.bytes[position] == UInt8(ascii: "\r")) {
            position += 1
        }
        cursors[index] = position
        return try file.bytes.withUnsafeBufferPointer { (bytes) throws(ReplayError) -> Timestamp? in
            guard position < bytes.count else { return nil }
            var scanner = ByteScanner(bytes, from: position, to: bytes.count)
            switch file.format {
            case .binanceStream:
                guard let nanos = scanner.integer(), scanner.peek() == UInt8(ascii: " ") else {
                    throw .corrupt(path: file.path, line: lineNumber(index, at: position),
                                   reason: "expected \"<receive ns> {json}\"")
                }
                // Up to 2255, as the live parsers read a venue's times: an Int64 of nanoseconds with room to add to.
                guard nanos <= Self.latestNanoseconds else {
                    throw .corrupt(path: file.path, line: lineNumber(index, at: position),
                                   reason: "receive time \(nanos) ns is out of range")
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

    /// The latest time a recording may hold (year 2255): later ones overflow, or leave no room to add to, nanoseconds.
    static let latestNanoseconds: UInt64 = 9_000_000_000_000_000_000

    /// 1-based line of byte `offset`, for error messages only.
    private func lineNumber(_ index: Int, at offset: Int) -> Int {
        files[index].bytes[..<offset].reduce(1) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
    }

    func corrupt(_ index: Int, _ start: Int, _ reason: String) -> ReplayError {
        .corrupt(path: files[index].path, line: lineNumber(index, at: start), reason: reason)
    }

    mutating func count(_ kind: String) {
        if let known = ReplayStatistics.knownKinds.firstIndex(of: kind) {
            statistics.knownCounts[known] += 1
        } else {
            statistics.otherKinds[kind, default: 0] += 1
        }
    }

    mutating func count(known index: Int) { statistics.knownCounts[index] += 1 }

    /// The slot of a market, and the market itself the first time it is seen.
    mutating func slot(_ key: MarketKey) -> (slot: Int, newMarket: Market?) {
        if let slot = slots[key] { return (slot, nil) }
        let slot = books.count
        slots[key] = slot
        keys.append(key)
        books.append(BookState())
        let instrument = InstrumentSpec(symbol: key.symbol, tickSize: FixedDecimal(units: 1, decimals: 8),
                                        lotSize: settings.lotSize, minNotional: .zero)
        return (slot, Market(venue: settings.venue(key.venue), instrument: instrument,
                             liquidity: .book(OrderBook(bids: [], asks: []))))
    }

    func event(_ slot: Int, venueTime: Timestamp, time: Timestamp) -> MarketEvent {
        .liquidity(keys[slot], .book(books[slot].book.top(settings.bookDepth)), venueTime: venueTime, receivedAt: time)
    }

    mutating func withBook<T>(_ slot: Int, _ body: (inout BookState) -> T) -> T { body(&books[slot]) }

    mutating func setFileSymbol(_ file: Int, _ slot: Int) {
        if fileSymbols[file] == nil { fileSymbols[file] = slot }
    }

    func fileSymbol(_ file: Int) -> Int? { fileSymbols[file] }

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
