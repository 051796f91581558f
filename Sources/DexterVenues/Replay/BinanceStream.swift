import DexterCore
import DexterMarket
import Foundation

/// Binance combined-stream lines: `<receive ns> {"stream":"btcusdt@bookTicker","data":{…}}`, plus the REST depth
/// snapshot `{"lastUpdateId":N,"bids":[…],"asks":[…]}` a collector writes unwrapped.
extension ReplayFeed {
    mutating func binanceLine(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, file: Int,
                              time: Timestamp) throws(ReplayError) -> ReplayUpdate {
        var scanner = ByteScanner(bytes, from: start, to: end)
        _ = scanner.integer()
        _ = scanner.skip(UInt8(ascii: " "))
        if scanner.consume("{\"lastUpdateId\":") {
            count(known: 3)
            return try snapshot(&scanner, file: file, time: time, start: start)
        }
        guard scanner.consume("{\"stream\":\""), let stream = scanner.bytes(until: UInt8(ascii: "\"")) else {
            throw corrupt(file, start, "expected a combined-stream message {\"stream\":\"<symbol>@<kind>\",…}")
        }
        let known = streams.firstIndex { entry in
            entry.name.count == stream.count && entry.name.withUnsafeBufferPointer { name in
                memcmp(name.baseAddress!, bytes.baseAddress! + stream.lowerBound, stream.count) == 0
            }
        }
        let kind: StreamKind, slot: Int, newMarket: Market?
        if let known {
            (kind, slot, newMarket) = (streams[known].kind, streams[known].slot, nil)
        } else {
            (kind, slot, newMarket) = try learnStream(Array(bytes[stream]), file: file, start: start)
        }
        switch kind {
        case .trade:
            count(known: 2)
            return ReplayUpdate(time: time, newMarket: newMarket, event: nil)
        case .other(let name):
            count(name)
            return ReplayUpdate(time: time, newMarket: newMarket, event: nil)
        case .bookTicker, .depth:
            break
        }
        setFileSymbol(file, slot)
        if kind == .bookTicker {
            count(known: 0)
            guard scanner.seek("\"u\":"), let updateId = scanner.integer(),
                  scanner.seek("\"b\":"), let bid = scanner.quotedDecimal(),
                  scanner.seek("\"B\":"), let bidQuantity = scanner.quotedDecimal(),
                  scanner.seek("\"a\":"), let ask = scanner.quotedDecimal(),
                  scanner.seek("\"A\":"), let askQuantity = scanner.quotedDecimal() else {
                throw corrupt(file, start, "bookTicker without u, b, B, a and A")
            }
            let fresh = withBook(slot) { state -> Bool in
                // A ticker older than the book's last diff says nothing new.
                guard updateId > state.lastTickerId, !state.synced || updateId > state.lastUpdateId else { return false }
                state.lastTickerId = updateId
                if !state.synced { state.book.replace(bids: [], asks: []) }
                state.book.applyTop(.buy, price: bid, quantity: bidQuantity)
                state.book.applyTop(.sell, price: ask, quantity: askQuantity)
                return true
            }
            return ReplayUpdate(time: time, newMarket: newMarket,
                                event: fresh ? event(slot, venueTime: time, time: time) : nil)
        }
        count(known: 1)
        guard scanner.seek("\"E\":"), let eventTime = scanner.integer(),
              scanner.seek("\"U\":"), let first = scanner.integer(),
              scanner.seek("\"u\":"), let final = scanner.integer(),
              scanner.seek("\"b\":"), let bids = Self.levels(&scanner),
              scanner.seek("\"a\":"), let asks = Self.levels(&scanner) else {
            throw corrupt(file, start, "depthUpdate without E, U, u, b and a")
        }
        guard eventTime <= Self.latestNanoseconds / 1_000_000 else {
            throw corrupt(file, start, "depthUpdate event time \(eventTime) ms is out of range")
        }
        let diff = DepthDiff(first: first, final: final, bids: bids, asks: asks)
        let depth = settings.bookDepth
        var applied = 0, dropped = 0, gaps = 0
        let touchedTop = withBook(slot) { state -> Bool in
            guard state.synced else {
                state.pendingDiffs.append(diff)
                if state.pendingDiffs.count > 1_000 { state.pendingDiffs.removeFirst() }
                return false
            }
            if diff.final <= state.lastUpdateId {
                dropped += 1
                return false
            }
            if diff.first != state.lastUpdateId + 1 {
                gaps += 1
                state.synced = false
                state.pendingDiffs = [diff]
                return false
            }
            applied += 1
            return Self.apply(diff, to: &state, depth: depth)
        }
        statistics.depthApplied += applied
        statistics.depthDropped += dropped
        statistics.gaps += gaps
        let venueTime = Timestamp(milliseconds: Int64(eventTime))
        return ReplayUpdate(time: time, newMarket: newMarket,
                            event: touchedTop ? event(slot, venueTime: venueTime, time: time) : nil)
    }

    /// Applies a diff; true when it changed one of the published levels.
    private static func apply(_ diff: DepthDiff, to state: inout BookState, depth: Int) -> Bool {
        var touched = false
        for level in diff.bids where state.book.set(.buy, price: level.price, quantity: level.quantity) < depth {
            touched = true
        }
        for level in diff.asks where state.book.set(.sell, price: level.price, quantity: level.quantity) < depth {
            touched = true
        }
        state.lastUpdateId = diff.final
        return touched
    }

    /// The REST snapshot, then the buffered diffs after it: the first must span lastUpdateId + 1.
    private mutating func snapshot(_ scanner: inout ByteScanner, file: Int, time: Timestamp, start: Int)
        throws(ReplayError) -> ReplayUpdate {
        guard let lastUpdateId = scanner.integer(), scanner.seek("\"bids\":"), let bids = Self.levels(&scanner),
              scanner.seek("\"asks\":"), let asks = Self.levels(&scanner) else {
            throw corrupt(file, start, "depth snapshot without lastUpdateId, bids and asks")
        }
        guard let slot = fileSymbol(file) else {
            throw corrupt(file, start, "a depth snapshot before any stream line says which symbol it is for")
        }
        statistics.snapshots += 1
        var applied = 0, dropped = 0
        withBook(slot) { state in
            state.book.replace(bids: bids, asks: asks)
            state.lastUpdateId = lastUpdateId
            state.synced = true
            for diff in state.pendingDiffs {
                if diff.final <= state.lastUpdateId { dropped += 1; continue }
                guard diff.first <= state.lastUpdateId + 1 else { state.synced = false; break }
                applied += 1
                _ = Self.apply(diff, to: &state, depth: .max)
            }
            state.pendingDiffs = []
        }
        statistics.depthApplied += applied
        statistics.depthDropped += dropped
        return ReplayUpdate(time: time, newMarket: nil, event: event(slot, venueTime: time, time: time))
    }

    /// A stream name seen for the first time: `<symbol>@<kind>`, its market made if it carries quotes.
    private mutating func learnStream(_ name: [UInt8], file: Int, start: Int) throws(ReplayError)
        -> (StreamKind, Int, Market?) {
        let text = String(decoding: name, as: UTF8.self)
        let parts = text.split(separator: "@", maxSplits: 1)
        guard parts.count == 2 else { throw corrupt(file, start, "stream \"\(text)\" is not <symbol>@<kind>") }
        let kind: StreamKind = parts[1] == "bookTicker" ? .bookTicker : parts[1].hasPrefix("depth") ? .depth
            : parts[1] == "trade" ? .trade : .other(String(parts[1]))
        var slot = -1
        var newMarket: Market?
        if kind == .bookTicker || kind == .depth {
            guard let symbol = Self.symbol(fromExchangeName: String(parts[0])) else {
                throw corrupt(file, start, "stream \"\(text)\" does not end in a quote asset dexter knows")
            }
            (slot, newMarket) = self.slot(MarketKey(venue: "binance", symbol: symbol))
        }
        streams.append((name, kind, slot))
        return (kind, slot, newMarket)
    }

    /// `[["price","qty"],…]`.
    static func levels(_ scanner: inout ByteScanner) -> [DepthBook.Level]? {
        guard scanner.skip(UInt8(ascii: "[")) else { return nil }
        var levels: [DepthBook.Level] = []
        if scanner.skip(UInt8(ascii: "]")) { return levels }
        repeat {
            guard scanner.skip(UInt8(ascii: "[")), let price = scanner.quotedDecimal(), scanner.skip(UInt8(ascii: ",")),
                  let quantity = scanner.quotedDecimal(), scanner.skip(UInt8(ascii: "]")) else { return nil }
            levels.append(DepthBook.Level(price: price, quantity: quantity))
        } while scanner.skip(UInt8(ascii: ","))
        return scanner.skip(UInt8(ascii: "]")) ? levels : nil
    }
}
