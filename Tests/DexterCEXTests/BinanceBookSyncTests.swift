import DexterCEX
import DexterCore
import DexterMarket
import Testing

/// The sync rule on the live capture (a REST snapshot per symbol, the diffs received around it, interleaved by
/// receipt time as they arrived), then on faults injected into it: gaps, duplicates, reordering, old snapshots.
@Suite struct BinanceBookSyncTests {
    /// The books kept from the capture, and how many diffs went into them.
    static func replayCapture() throws -> (syncs: [String: BinanceBookSync], applied: Int, resyncs: Int,
                                           snapshots: [String: BinanceDepthSnapshot]) {
        let snapshotTimes = try BinanceCaptures.snapshotTimes()
        var snapshots: [String: BinanceDepthSnapshot] = [:]
        for (symbol, body) in try BinanceCaptures.depthSnapshots() {
            snapshots[symbol] = try BinanceMarketData.depthSnapshot(body)
        }
        var syncs: [String: BinanceBookSync] = [:]
        var delivered: Set<String> = []
        var applied = 0, resyncs = 0
        func deliver(_ symbol: String) {
            delivered.insert(symbol)
            applied += syncs[symbol, default: BinanceBookSync(symbol: symbol)].buffered
                .filter { $0.finalUpdateId > snapshots[symbol]!.lastUpdateId }.count
            if case .needsSnapshot = syncs[symbol, default: BinanceBookSync(symbol: symbol)].apply(snapshots[symbol]!) {
                resyncs += 1
            }
        }
        for (receivedAt, body) in try BinanceCaptures.timedStreamMessages() {
            // A snapshot is applied once everything received before it has been buffered.
            for (symbol, time) in snapshotTimes.sorted(by: { $0.value < $1.value })
                where time <= receivedAt && !delivered.contains(symbol) {
                deliver(symbol)
            }
            guard case .depthUpdate(let diff) = try BinanceMarketData.streamMessage(body).payload else { continue }
            switch syncs[diff.symbol, default: BinanceBookSync(symbol: diff.symbol)].apply(diff) {
            case .applied: applied += 1
            case .needsSnapshot: resyncs += 1
            case .buffered, .ignored: break
            }
        }
        for symbol in snapshots.keys.sorted() where !delivered.contains(symbol) { deliver(symbol) }
        return (syncs, applied, resyncs, snapshots)
    }

    @Test func captureChainsWithoutAGap() throws {
        let (syncs, applied, resyncs, _) = try Self.replayCapture()
        // checksums.py (../shared/vectors/exchanges) counts 172 spot diffs after the snapshots, all chaining.
        #expect(applied == 172)
        #expect(resyncs == 0)
        for symbol in ["NKNUSDT", "BLZETH", "LRCBTC"] {
            #expect(syncs[symbol]?.state == .live, "\(symbol)")
        }
    }

    /// The kept book equals the snapshot with every later diff written over it by a plain dictionary.
    @Test func captureBookMatchesAnIndependentReplay() throws {
        let (syncs, _, _, snapshots) = try Self.replayCapture()
        let nkn = try #require(syncs["NKNUSDT"])
        let snapshot = try #require(snapshots["NKNUSDT"])
        var bids = Dictionary(uniqueKeysWithValues: snapshot.bids.map { ($0.price, $0.quantity) })
        var asks = Dictionary(uniqueKeysWithValues: snapshot.asks.map { ($0.price, $0.quantity) })
        for body in try BinanceCaptures.streamMessages() {
            guard case .depthUpdate(let diff) = try BinanceMarketData.streamMessage(body).payload,
                  diff.symbol == "NKNUSDT", diff.finalUpdateId > snapshot.lastUpdateId else { continue }
            for level in diff.bids { bids[level.price] = level.quantity.isZero ? nil : level.quantity }
            for level in diff.asks { asks[level.price] = level.quantity.isZero ? nil : level.quantity }
        }
        let book = nkn.orderBook()
        #expect(book.bids.map(\.price) == bids.keys.sorted(by: >))
        #expect(book.bids.map(\.quantity) == bids.keys.sorted(by: >).map { bids[$0]! })
        #expect(book.asks.map(\.price) == asks.keys.sorted())
        #expect(book.asks.map(\.quantity) == asks.keys.sorted().map { asks[$0]! })
        #expect(!book.isCrossed)
        #expect(nkn.lastUpdateId > snapshot.lastUpdateId)
    }

    /// The capture's bookTicker and depth streams in the order they arrived: a ticker counts in the diffs' update ids
    /// (each of the capture's tickers whose id a diff also ends at is that diff's book top), it brings the top forward
    /// while it is ahead of the diffs, and the book under it stays exactly the diff-built one.
    @Test func captureTickersAgreeWithTheDiffsAndOnlyBringTheTopForward() throws {
        var snapshots: [String: BinanceDepthSnapshot] = [:]
        for (symbol, body) in try BinanceCaptures.depthSnapshots() {
            snapshots[symbol] = try BinanceMarketData.depthSnapshot(body)
        }
        var withTickers: [String: BinanceBookSync] = [:], diffsOnly: [String: BinanceBookSync] = [:]
        for (symbol, snapshot) in snapshots {
            withTickers[symbol] = BinanceBookSync(symbol: symbol)
            diffsOnly[symbol] = BinanceBookSync(symbol: symbol)
            _ = withTickers[symbol]!.apply(snapshot)
            _ = diffsOnly[symbol]!.apply(snapshot)
        }
        var tickers: [String: [UInt64: BinanceBookTicker]] = [:]
        var laid = 0, sameIdAgreed = 0, plainAfterDiff = 0
        for body in try BinanceCaptures.streamMessages() {
            switch try BinanceMarketData.streamMessage(body).payload {
            case .bookTicker(let ticker):
                guard withTickers[ticker.symbol] != nil else { continue }
                tickers[ticker.symbol, default: [:]][ticker.updateId] = ticker
                guard withTickers[ticker.symbol]!.apply(ticker) == .applied else { continue }
                laid += 1
                let top = withTickers[ticker.symbol]!.orderBook()
                #expect(top.bestBid == BookLevel(price: ticker.bidPrice, quantity: ticker.bidQuantity))
                #expect(top.bestAsk == BookLevel(price: ticker.askPrice, quantity: ticker.askQuantity))
                let plain = diffsOnly[ticker.symbol]!.orderBook()
                #expect(Array(top.bids.dropFirst()) == plain.bids.filter { $0.price < ticker.bidPrice })
                #expect(Array(top.asks.dropFirst()) == plain.asks.filter { $0.price > ticker.askPrice })
            case .depthUpdate(let diff):
                guard withTickers[diff.symbol] != nil else { continue }
                #expect(withTickers[diff.symbol]!.apply(diff) == diffsOnly[diff.symbol]!.apply(diff))
                let plain = diffsOnly[diff.symbol]!.orderBook()
                if let ticker = tickers[diff.symbol]?[diff.finalUpdateId], diff.finalUpdateId > snapshots[diff.symbol]!.lastUpdateId {
                    #expect(plain.bestBid == BookLevel(price: ticker.bidPrice, quantity: ticker.bidQuantity))
                    #expect(plain.bestAsk == BookLevel(price: ticker.askPrice, quantity: ticker.askQuantity))
                    sameIdAgreed += 1
                }
                if withTickers[diff.symbol]!.ticker == nil {
                    #expect(withTickers[diff.symbol]!.orderBook() == plain)
                    plainAfterDiff += 1
                }
            default: continue
            }
        }
        // Counted independently on the capture: 84 tickers ahead of their book, 26 sharing a diff's final id.
        #expect(laid == 84)
        #expect(sameIdAgreed == 26)
        #expect(plainAfterDiff > 0)
    }

    static func ticker(_ id: UInt64, bid: (Int, Int), ask: (Int, Int)) -> BinanceBookTicker {
        BinanceBookTicker(updateId: id, symbol: "BTCUSDT", bidPrice: FixedDecimal(bid.0), bidQuantity: FixedDecimal(bid.1),
                          askPrice: FixedDecimal(ask.0), askQuantity: FixedDecimal(ask.1))
    }

    @Test func aNewerTickerLeadsUntilTheDiffsCatchUp() {
        var sync = Self.liveBook()   // at 102: bids 10×1, 9×5, 8×1; asks 11×2
        #expect(sync.apply(Self.ticker(102, bid: (10, 7), ask: (11, 7))) == .ignored, "already in the book")
        #expect(sync.apply(Self.ticker(105, bid: (9, 3), ask: (12, 1))) == .applied)
        var book = sync.orderBook()
        #expect(book.bids == [BookLevel(price: 9, quantity: 3), BookLevel(price: 8, quantity: 1)])
        #expect(book.asks == [BookLevel(price: 12, quantity: 1)])
        #expect(sync.orderBook(depth: 1).bids.count == 1)
        #expect(sync.apply(Self.ticker(104, bid: (10, 1), ask: (11, 2))) == .ignored, "older than the ticker shown")
        // A diff short of the ticker's id: the ticker still leads.
        #expect(sync.apply(Self.diff(103, 103, bids: [Self.level(8, 4)])) == .applied)
        book = sync.orderBook()
        #expect(book.bids == [BookLevel(price: 9, quantity: 3), BookLevel(price: 8, quantity: 4)])
        // The diff that reaches it: the book again, the ticker's removals never written into it.
        #expect(sync.apply(Self.diff(104, 106, bids: [Self.level(10, 0), Self.level(9, 2)], asks: [Self.level(11, 0), Self.level(12, 1)])) == .applied)
        #expect(sync.ticker == nil)
        book = sync.orderBook()
        #expect(book.bids == [BookLevel(price: 9, quantity: 2), BookLevel(price: 8, quantity: 4)])
        #expect(book.asks == [BookLevel(price: 12, quantity: 1)])
        // A side the ticker says is empty shows empty.
        #expect(sync.apply(Self.ticker(107, bid: (0, 0), ask: (12, 1))) == .applied)
        #expect(sync.orderBook().bids.isEmpty && sync.orderBook().asks.count == 1)
    }

    @Test func aTickerWhileResyncingWaitsForTheSnapshot() {
        var sync = BinanceBookSync(symbol: "BTCUSDT")
        #expect(sync.apply(Self.ticker(120, bid: (9, 1), ask: (13, 1))) == .buffered)
        #expect(sync.orderBook().bids.isEmpty, "no book is served before the snapshot")
        #expect(sync.apply(BinanceDepthSnapshot(lastUpdateId: 110, bids: [Self.level(10, 1), Self.level(8, 1)],
                                                asks: [Self.level(11, 1), Self.level(14, 2)])) == .applied)
        #expect(sync.orderBook().bids.map(\.price) == [9, 8] && sync.orderBook().asks.map(\.price) == [13, 14])
        var older = BinanceBookSync(symbol: "BTCUSDT")
        _ = older.apply(Self.ticker(100, bid: (9, 1), ask: (13, 1)))
        _ = older.apply(BinanceDepthSnapshot(lastUpdateId: 110, bids: [Self.level(10, 1)], asks: [Self.level(11, 1)]))
        #expect(older.orderBook().bestBid?.price == 10, "a ticker older than the snapshot is not shown")
    }

    // MARK: Injected faults

    static func diff(_ first: UInt64, _ last: UInt64, bids: [PriceLevel] = [], asks: [PriceLevel] = [],
                     symbol: String = "BTCUSDT") -> BinanceDepthUpdate {
        BinanceDepthUpdate(eventTime: Timestamp(milliseconds: 1), symbol: symbol, firstUpdateId: first,
                           finalUpdateId: last, bids: bids, asks: asks)
    }

    static func level(_ price: Int, _ quantity: Int) -> PriceLevel {
        PriceLevel(price: FixedDecimal(price), quantity: FixedDecimal(quantity))
    }

    static func liveBook() -> BinanceBookSync {
        var sync = BinanceBookSync(symbol: "BTCUSDT")
        #expect(sync.apply(diff(95, 99)) == .buffered)
        #expect(sync.apply(diff(100, 102, bids: [level(10, 1)])) == .buffered)
        let snapshot = BinanceDepthSnapshot(lastUpdateId: 100, bids: [level(9, 5), level(8, 1)], asks: [level(11, 2)])
        #expect(sync.apply(snapshot) == .applied)
        return sync
    }

    @Test func buffersStraddlesAndApplies() {
        var sync = Self.liveBook()
        #expect(sync.isLive && sync.lastUpdateId == 102)
        #expect(sync.orderBook().bestBid == BookLevel(price: 10, quantity: 1))
        #expect(sync.apply(Self.diff(103, 104, bids: [Self.level(10, 0)], asks: [Self.level(12, 3)])) == .applied)
        // Quantity zero removed the level; removing one that is not there is normal.
        #expect(sync.orderBook().bids.map(\.price) == [9, 8])
        #expect(sync.apply(Self.diff(105, 105, bids: [Self.level(7, 0)])) == .applied)
        #expect(sync.orderBook().asks.map(\.price) == [11, 12])
    }

    @Test func duplicateIsIgnored() {
        var sync = Self.liveBook()
        let before = sync.orderBook()
        #expect(sync.apply(Self.diff(100, 102, bids: [Self.level(10, 99)])) == .ignored)
        #expect(sync.orderBook() == before && sync.isLive)
    }

    @Test func gapResyncsOnlyThatSymbol() {
        var books = ["BTCUSDT": Self.liveBook(), "ETHUSDT": BinanceBookSync(symbol: "ETHUSDT")]
        _ = books["ETHUSDT"]!.apply(BinanceDepthSnapshot(lastUpdateId: 7, bids: [Self.level(1, 1)], asks: [Self.level(2, 1)]))
        let other = books["ETHUSDT"]!.orderBook()
        // 103 never came.
        guard case .needsSnapshot(let reason) = books["BTCUSDT"]!.apply(Self.diff(104, 105)) else {
            Issue.record("a gap was accepted"); return
        }
        #expect(reason.contains("BTCUSDT") && reason.contains("104"))
        #expect(books["BTCUSDT"]!.state == .resyncing(reason: reason))
        #expect(!books["BTCUSDT"]!.connectionState.isTradable)
        #expect(books["BTCUSDT"]!.orderBook().bids.isEmpty, "a stale book is not served")
        #expect(books["ETHUSDT"]!.isLive && books["ETHUSDT"]!.orderBook() == other)
        // While resyncing, diffs are buffered for the fresh snapshot, which brings the book back.
        #expect(books["BTCUSDT"]!.apply(Self.diff(106, 108, asks: [Self.level(12, 4)])) == .buffered)
        let fresh = BinanceDepthSnapshot(lastUpdateId: 106, bids: [Self.level(9, 1)], asks: [Self.level(11, 1)])
        #expect(books["BTCUSDT"]!.apply(fresh) == .applied)
        #expect(books["BTCUSDT"]!.isLive && books["BTCUSDT"]!.lastUpdateId == 108)
        #expect(books["BTCUSDT"]!.orderBook().asks.map(\.price) == [11, 12])
    }

    @Test func outOfOrderIsAGap() {
        var sync = Self.liveBook()
        #expect(sync.apply(Self.diff(105, 106)) != .applied)
        #expect(!sync.isLive)
    }

    @Test func overlappingDiffAfterTheFirstIsAGap() {
        var sync = Self.liveBook()
        // U must be exactly the previous u + 1 once the book has moved past the snapshot.
        guard case .needsSnapshot = sync.apply(Self.diff(102, 104)) else { Issue.record("overlap accepted"); return }
    }

    @Test func snapshotOlderThanTheBufferAsksAgainAndKeepsTheBuffer() {
        var sync = BinanceBookSync(symbol: "BTCUSDT")
        _ = sync.apply(Self.diff(200, 205))
        _ = sync.apply(Self.diff(206, 210))
        guard case .needsSnapshot(let reason) = sync.apply(BinanceDepthSnapshot(lastUpdateId: 150, bids: [], asks: [])) else {
            Issue.record("an old snapshot was accepted"); return
        }
        #expect(reason.contains("older"))
        #expect(sync.buffered.map(\.firstUpdateId) == [200, 206])
        #expect(sync.apply(BinanceDepthSnapshot(lastUpdateId: 207, bids: [Self.level(1, 1)], asks: [])) == .applied)
        #expect(sync.isLive && sync.lastUpdateId == 210)
    }

    @Test func firstDiffAfterAnEmptyBufferMustStraddle() {
        var sync = BinanceBookSync(symbol: "BTCUSDT")
        #expect(sync.apply(BinanceDepthSnapshot(lastUpdateId: 50, bids: [], asks: [])) == .applied)
        #expect(sync.apply(Self.diff(45, 50)) == .ignored)
        guard case .needsSnapshot = sync.apply(Self.diff(52, 53)) else { Issue.record("no straddle accepted"); return }
        var other = BinanceBookSync(symbol: "BTCUSDT")
        _ = other.apply(BinanceDepthSnapshot(lastUpdateId: 50, bids: [], asks: []))
        #expect(other.apply(Self.diff(48, 51)) == .applied)
    }

    @Test func bufferIsBounded() {
        var sync = BinanceBookSync(symbol: "BTCUSDT")
        for id in 1...UInt64(BinanceBookSync.bufferLimit + 5) { _ = sync.apply(Self.diff(id, id)) }
        #expect(sync.buffered.count == BinanceBookSync.bufferLimit)
        #expect(sync.buffered.first?.firstUpdateId == 6)
    }
}
