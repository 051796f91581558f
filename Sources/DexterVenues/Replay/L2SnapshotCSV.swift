import DexterCore
import DexterMarket
import Foundation

/// Where each field of a snapshot row is: bN / bvN / aN / avN by level.
struct CSVColumns: Sendable {
    var bidPrices: [Int] = []
    var bidSizes: [Int] = []
    var askPrices: [Int] = []
    var askSizes: [Int] = []
    var count = 0
}

/// L2 snapshot CSV: `timestamp,symbol,b1..b10,bv1..bv10,a1..a10,av1..av10`, one whole book per row. The symbol
/// names the venue after a dot (`LINKUSDT.BNC` is Binance, `.HB` Huobi).
extension ReplayFeed {
    static let venueSuffixes: [String: VenueId] = ["BNC": "binance", "HB": "huobi", "OKX": "okx", "CB": "coinbase",
                                                   "KRK": "kraken"]

    mutating func readHeader(_ file: Int) throws(ReplayError) {
        let bytes = filesBytes(file)
        let end = bytes.firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
        let names = String(decoding: bytes[..<end], as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",").map(String.init)
        var columns = CSVColumns(count: names.count)
        func index(_ name: String) throws(ReplayError) -> Int {
            guard let found = names.firstIndex(of: name) else {
                throw ReplayError.corrupt(path: filePath(file), line: 1, reason: "the header has no \"\(name)\" column")
            }
            return found
        }
        guard try index("timestamp") == 0, try index("symbol") == 1 else {
            throw .corrupt(path: filePath(file), line: 1, reason: "timestamp and symbol must be the first two columns")
        }
        var level = 1
        while names.contains("b\(level)") {
            columns.bidPrices.append(try index("b\(level)"))
            columns.bidSizes.append(try index("bv\(level)"))
            columns.askPrices.append(try index("a\(level)"))
            columns.askSizes.append(try index("av\(level)"))
            level += 1
        }
        guard level > 1 else { throw .corrupt(path: filePath(file), line: 1, reason: "the header has no b1 column") }
        setCSVColumns(file, columns)
        skipHeader(file, to: min(end + 1, bytes.count))
    }

    mutating func csvLine(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, file: Int,
                          time: Timestamp) throws(ReplayError) -> ReplayUpdate {
        count(known: 3)
        guard let columns = columns(file) else { throw corrupt(file, start, "no header") }
        var fields: [Range<Int>] = []
        fields.reserveCapacity(columns.count)
        var fieldStart = start
        var lineEnd = end
        if lineEnd > start && bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
        for index in start..<lineEnd where bytes[index] == UInt8(ascii: ",") {
            fields.append(fieldStart..<index)
            fieldStart = index + 1
        }
        fields.append(fieldStart..<lineEnd)
        guard fields.count == columns.count else {
            throw corrupt(file, start, "\(fields.count) fields where the header has \(columns.count)")
        }
        let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[fields[1]]), as: UTF8.self)
        let parts = name.split(separator: ".")
        guard parts.count == 2, let symbol = Self.symbol(fromExchangeName: String(parts[0])) else {
            throw corrupt(file, start, "symbol \"\(name)\" is not PAIR.VENUE like LINKUSDT.BNC")
        }
        let venue = Self.venueSuffixes[String(parts[1])] ?? VenueId(parts[1].lowercased())
        func decimal(_ column: Int, _ what: String) throws(ReplayError) -> FixedDecimal {
            var scanner = ByteScanner(bytes, from: fields[column].lowerBound, to: fields[column].upperBound)
            guard let value = scanner.decimal(), scanner.isAtEnd else {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[fields[column]]), as: UTF8.self)
                throw corrupt(file, start, "\(what) \"\(text)\" is not a decimal")
            }
            return value
        }
        var bids: [DepthBook.Level] = []
        var asks: [DepthBook.Level] = []
        for level in columns.bidPrices.indices {
            bids.append(.init(price: try decimal(columns.bidPrices[level], "bid price b\(level + 1)"),
                              quantity: try decimal(columns.bidSizes[level], "bid size bv\(level + 1)")))
            asks.append(.init(price: try decimal(columns.askPrices[level], "ask price a\(level + 1)"),
                              quantity: try decimal(columns.askSizes[level], "ask size av\(level + 1)")))
        }
        let (slot, newMarket) = slot(MarketKey(venue: venue, symbol: symbol))
        withBook(slot) { $0.book.replace(bids: bids, asks: asks) }
        return ReplayUpdate(time: time, newMarket: newMarket, event: event(slot, venueTime: time, time: time))
    }

    /// `YYYY-MM-DD HH:MM:SS`, taken as UTC (the recording does not say); nil outside years 1970…2254, the range of
    /// the Binance lines' receive times (`latestNanoseconds`): later years overflow nanoseconds since the epoch.
    static func csvTimestamp(_ scanner: inout ByteScanner) -> Timestamp? {
        func number(_ digits: Int) -> Int? {
            var value = 0
            for _ in 0..<digits {
                guard let byte = scanner.peek(), byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
                scanner.position += 1
            }
            return value
        }
        guard let year = number(4), scanner.skip(UInt8(ascii: "-")), let month = number(2),
              scanner.skip(UInt8(ascii: "-")), let day = number(2), scanner.skip(UInt8(ascii: " ")),
              let hour = number(2), scanner.skip(UInt8(ascii: ":")), let minute = number(2),
              scanner.skip(UInt8(ascii: ":")), let second = number(2),
              (1970...2254).contains(year), (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60,
              second < 61 else { return nil }
        return Timestamp(utcYear: year, month: month, day: day, hour: hour, minute: minute, second: second)
    }
}
