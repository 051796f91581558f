import DexterCore
import DexterDetect
import DexterEngine
import DexterLedger
import DexterMarket
import DexterRisk
import DexterVenues
import Foundation
import Testing

/// The desk on a recorded day: the engine on a `ReplayVenue` over the LINK/USDT recording in
/// `../shared/data/linkusdt_binance_huobi_20210820/` (DasAnish/DeFi-arbitrage, MIT; see `../shared/data/SOURCES.md`),
/// checked against the books read here independently (gzip, plain CSV splitting, Double arithmetic; the helpers of
/// `ReplayInstantTests`). Fees are zero so that the recorded crosses show.
@Suite struct ReplayVenueTests {
    static let rows = 400
    static let names = ["orderbook_bnc.csv.gz", "orderbook_hb.csv.gz"]
    static let link = Symbol(base: "LINK", quote: "USDT")

    /// The first `rows` seconds of both files, as the venue reads them and as the test reads them.
    static func recording(rows: Int = rows) throws
        -> (files: [RecordedFile], binance: [ReplayInstantTests.Snapshot], huobi: [ReplayInstantTests.Snapshot]) {
        let folder = try ReplayInstantTests.recordingFolder()
        let texts = try names.map { try ReplayInstantTests.csvPrefix(folder.appendingPathComponent($0), rows: rows) }
        let files = try zip(names, texts).map { name, text in
            try RecordedFile(path: folder.appendingPathComponent(name).path + " (first \(rows) rows)", bytes: Array(text.utf8))
        }
        return (files, try ReplayInstantTests.snapshots(texts[0]), try ReplayInstantTests.snapshots(texts[1]))
    }

    static func venue(_ files: [RecordedFile]) throws -> ReplayVenue {
        var settings = ReplaySettings()
        settings.takerFees = ["binance": .zero, "huobi": .zero]
        return try ReplayVenue(files: files, settings: settings)
    }

    static func second(_ snapshot: ReplayInstantTests.Snapshot) -> Timestamp {
        Timestamp(nanoseconds: Int64(snapshot.second) * 1_000_000_000)
    }

    /// Quote paid (buy) or received (sell) for `quantity` walked through the recorded levels, best first.
    static func walk(_ levels: [(price: Double, size: Double)], quantity: Double) -> Double {
        var left = quantity, notional = 0.0
        for level in levels where left > 1e-12 {
            let taken = min(left, level.size)
            notional += taken * level.price
            left -= taken
        }
        return notional
    }

    @Test func theDeskOnARecordingTradesItsCrossAtTheRecordedPrices() async throws {
        let (files, binance, huobi) = try Self.recording()
        let venue = try Self.venue(files)
        #expect(venue.venueIds == ["binance", "huobi"])
        #expect(venue.start == Self.second(binance[0]))

        // Independently: the first second whose two books cross by a cent or more, and in which direction.
        let crosses = zip(binance, huobi).map { ReplayInstantTests.crosses(binance: $0, huobi: $1).filter { $0.value.net >= 0.01 } }
        let first = try #require(crosses.indices.dropFirst().first { !crosses[$0].isEmpty }, "the slice holds a cross")
        try #require(crosses[0].isEmpty, "the desk opens on books that do not cross")
        let (direction, cross) = try #require(crosses[first].first)

        let clock = ManualClock(start: venue.start)
        var venues = VenueSet()
        venues.add(venue)
        var inventory = Inventory()
        for name in ["binance", "huobi"] {
            inventory.credit("LINK", FixedDecimal(2_000), at: .exchange(VenueId(name)))
            inventory.credit("USDT", FixedDecimal(100_000), at: .exchange(VenueId(name)))
        }
        let config = EngineConfig(
            user: "tester", mode: .replay,
            limits: RiskLimits(maxNotionalPerTradeUSD: FixedDecimal(100_000), dailyVolumeUSD: FixedDecimal(10_000_000),
                               maxPosition: [:], allowedSymbols: [Self.link]),
            detection: DetectionPolicy(minNetUSD: FixedDecimal("0.01")!, maxNotionalUSD: FixedDecimal(100_000)),
            initialBalances: inventory, swapSlippageTolerance: FixedDecimal("0.005")!)
        let ledger = try Ledger(path: NSTemporaryDirectory() + "dexter-replay-venue-\(UUID().uuidString).sqlite")
        let engine = try await Engine(config: config, venues: venues, ledger: ledger, clock: clock)

        // Second by second, nothing shows until the crossing second; then its cross, priced on both books of it.
        for index in 1...first {
            clock.set(Self.second(binance[index]))
            await engine.tick()
            await engine.publishNow()
            let shown = engine.board.current?.opportunities ?? []
            #expect(index == first || shown.isEmpty, "\(binance[index].time): \(shown.map(\.route))")
        }
        let shown = try #require(engine.board.current?.opportunities)
        try #require(shown.count == 1, "\(shown.map(\.route))")
        let opportunity = shown[0]
        let at = Self.second(binance[first])
        #expect(ReplayInstantTests.direction(of: opportunity) == direction)
        #expect(opportunity.buy.receivedAt == at && opportunity.sell.receivedAt == at && opportunity.detectedAt == at)
        #expect(abs(opportunity.netUSD.doubleValue - cross.net) < 1e-6, "\(opportunity.netUSD) vs \(cross.net)")

        await engine.requestApproval(of: opportunity.id)
        let notes = { engine.board.current?.notifications.map(\.text) ?? [] }
        try #require(engine.board.current?.confirmation != nil, "\(notes())")
        await engine.confirmApproval(of: opportunity.id)
        // The orders reach the venue at once (no latency) and fill on the books of this same second.
        await engine.tick()
        await engine.publishNow()

        let trades = try ledger.reader.trades()
        try #require(trades.count == 2, "\(notes())")
        let books = (buy: direction == 0 ? binance[first] : huobi[first], sell: direction == 0 ? huobi[first] : binance[first])
        for trade in trades {
            #expect(trade.createdAt == at && trade.amount == opportunity.quantity && trade.fee == .zero)
            let levels = trade.side == .buy ? books.buy.asks : books.sell.bids
            let notional = Self.walk(levels, quantity: trade.amount.doubleValue)
            #expect(abs((trade.amount * trade.price).doubleValue - notional) < 1e-6,
                    "\(trade.side) \(trade.amount) at \(trade.price): the recorded book gives \(notional)")
            #expect(trade.exchange == (trade.side == .buy ? opportunity.buy.venue.name : opportunity.sell.venue.name))
        }
        let booking = try #require(try ledger.reader.bookings().first)
        #expect(booking.status == "completed" && booking.pair == "LINK/USDT", "\(booking)")
        #expect(abs(booking.realisedNetUSD.doubleValue - cross.net) < 1e-6, "\(booking.realisedNetUSD) vs \(cross.net)")
        #expect(try ledger.reader.reconciliationProblems() == [])
        let pnl = try #require(engine.board.current?.pnl)
        #expect(pnl.arbitragesToday == 1 && pnl.realisedTodayUSD == booking.realisedNetUSD)

        // Past the recording's last message both venues go down, saying why; the desk shows it.
        clock.set(Self.second(binance[Self.rows - 1]).adding(.seconds(1)))
        await engine.tick()
        await engine.publishNow()
        #expect(venue.hasEnded)
        for name in ["binance", "huobi"] {
            #expect(notes().contains("\(name) is down (recording ended)"), "\(notes().prefix(5))")
        }
    }

    @Test func anOrderForAMarketTheRecordingLacksIsRefusedTyped() async throws {
        let venue = try Self.venue(try Self.recording(rows: 5).files)
        let inbox = VenueInbox()
        try await venue.connect(inbox)
        try await venue.subscribe(try await venue.instruments().map(\.market.key), into: inbox)
        let order = OrderRequest(clientOrderId: "t-1", venue: "binance", symbol: Symbol(base: "BTC", quote: "USDT"),
                                 side: .buy, quantity: FixedDecimal(1), limitPrice: FixedDecimal(50_000),
                                 submittedAt: venue.start)
        venue.submit(order)
        venue.submit(order)
        venue.advance(to: venue.start)
        let updates = inbox.drain().orders
        try #require(updates.count == 1, "one refusal, the second submit of the same id ignored: \(updates)")
        guard case .rejected(let failure) = updates[0].kind else { Issue.record("\(updates[0].kind)"); return }
        #expect(failure.code == "unknown_market" && failure.failureClass == .rejected && !failure.isRetryable)
        guard case .found(let report) = try await venue.query("t-1", on: "binance") else { Issue.record("not found"); return }
        #expect(report.status == .rejected && report.failure == failure)
        #expect(try await venue.query("t-2", on: "binance") == .unknown)
    }

    @Test func theVenueIsLiveWhileTheRecordingRunsAndDownAtItsEnd() async throws {
        let (files, binance, _) = try Self.recording(rows: 5)
        let venue = try Self.venue(files)
        let inbox = VenueInbox()
        let keys = try await venue.instruments().map(\.market.key)
        #expect(keys.count == 2)
        try await venue.subscribe(keys, into: inbox)
        #expect(inbox.drain().connections.map(\.state) == [.live, .live])
        // Each second's two books arrive in one batch.
        venue.advance(to: Self.second(binance[1]))
        let batch = inbox.drain()
        #expect(batch.market.count == 2 && batch.connections.isEmpty)
        venue.advance(to: Self.second(binance[4]))
        #expect(inbox.drain().connections.isEmpty && !venue.hasEnded, "the last second is still recorded")
        venue.advance(to: Self.second(binance[4]).adding(.milliseconds(1)))
        let end = inbox.drain()
        #expect(venue.hasEnded && venue.nextTime == nil)
        #expect(end.connections.map(\.venue) == ["binance", "huobi"])
        #expect(end.connections.allSatisfy { $0.state == .down(reason: "recording ended") })
        // An order sent after the end finds no market.
        venue.submit(OrderRequest(clientOrderId: "late-1", venue: "binance", symbol: Self.link, side: .buy,
                                  quantity: FixedDecimal(1), limitPrice: FixedDecimal(30),
                                  submittedAt: Self.second(binance[4]).adding(.seconds(1))))
        venue.advance(to: Self.second(binance[4]).adding(.seconds(2)))
        guard case .rejected(let failure)? = inbox.drain().orders.first?.kind else { Issue.record("no refusal"); return }
        #expect(failure.code == "recording_ended")
    }
}
