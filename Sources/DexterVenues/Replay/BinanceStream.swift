import DexterCore
import DexterMarket

/// Binance combined-stream lines: `<receive ns> {"stream":"btcusdt@bookTicker","data":{…}}`, plus the REST depth
/// snapshot `{"lastUpdateId":N,"bids":[…],"asks":[…]}` a collector writes unwrapped.
extension ReplayFeed {
    mutating func binanceLine(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, file: Int,
                              time: Timestamp) throws(ReplayError) -> ReplayUpdate {
        var scanner = ByteScanner(bytes, from: start, to: end)
        _ = scanner.integer()
        _ = scanner.skip(UInt8(ascii: " "))
        if scanner.consume("{\"lastUpdateId\":") {
            count("snapshot")
            return try snapshot(&scanner, file: file, time: time, start: start)
        }
        guard scanner.consume("{\"stream\":\""), let name = scanner.bytes(until: UInt8(ascii: "@")),
              let kind = scanner.bytes(until: UInt8(ascii: "\"")) else {
            throw corrupt(file, start, "expected a combined-stream message {\"stream\":\"<symbol>@<kind>\",…}")
        }
        let kindText = String(decoding: UnsafeBufferPointer(rebasing: bytes[kind]), as: UTF8.self)
        guard kindText == "bookTicker" || kindText.hasPrefix("depth") else {
            count(kindText)
            return ReplayUpdate(time: time, newMarket: nil, event: nil)
        }
        let nameText = String(decoding: UnsafeBufferPointer(rebasing: bytes[name]), as: UTF8.self)
        guard let symbol = Self.symbol(fromExchangeName: nameText) else {
            throw corrupt(file, start, "stream \"\(nameText)\" does not end in a quote asset dexter knows")
        }
        let key = MarketKey(venue: "binance", symbol: symbol)
        setFileSymbol(file, key)
        let newMarket = market(key)
        if kindText == "bookTicker" {
            count("bookTicker")
            guard scanner.seek("\"u\":"), let updateId = scanner.integer(),
                  scanner.seek("\"b\":"), let bid = scanner.quotedDecimal(),
                  scanner.seek("\"B\":"), let bidQuantity = scanner.quotedDecimal(),
                  scanner.seek("\"a\":"), let ask = scanner.quotedDecimal(),
                  scanner.seek("\"A\":"), let askQuantity = scanner.quotedDecimal() else {
                throw corrupt(file, start, "bookTicker without u, b, B, a and A")
            }
            let fresh = withBook(key) { state -> Bool in
                // A ticker older than the book's last diff says nothing new.
                guard updateId > state.lastTickerId, !state.synced || updateId > state.lastUpdateId else { return false }
                state.lastTickerId = updateId
                if !state.synced { state.book.replace(bids: [], asks: []) }
                state.book.applyTop(.buy, price: bid, quantity: bidQuantity)
                state.book.applyTop(.sell, price: ask, quantity: askQuantity)
                return true
            }
            return ReplayUpdate(time: time, newMarket: newMarket,
                                event: fresh ? event(key, venueTime: time, time: time) : nil)
        }
        count("depth")
        guard scanner.seek("\"E\":"), let eventTime = scanner.integer(),
              scanner.seek("\"U\":"), let first = scanner.integer(),
              scanner.seek("\"u\":"), let final = scanner.integer(),
              scanner.seek("\"b\":"), let bids = Self.levels(&scanner),
              scanner.seek("\"a\":"), let asks = Self.levels(&scanner) else {
            throw corrupt(file, start, "depthUpdate without E, U, u, b and a")
        }
        let diff = DepthDiff(first: first, final: final, bids: bids, asks: asks)
        let depth = settings.bookDepth
        var applied = 0, dropped = 0, gaps = 0
        let touchedTop = withBook(key) { state -> Bool in
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
                            event: touchedTop ? event(key, venueTime: venueTime, time: time) : nil)
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
        guard let key = fileSymbol(file) else {
            throw corrupt(file, start, "a depth snapshot before any stream line says which symbol it is for")
        }
        statistics.snapshots += 1
        let newMarket = market(key)
        var applied = 0, dropped = 0
        withBook(key) { state in
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
        return ReplayUpdate(time: time, newMarket: newMarket, event: event(key, venueTime: time, time: time))
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
