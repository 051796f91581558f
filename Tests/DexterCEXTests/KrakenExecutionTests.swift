import DexterCEX
import DexterCore
import DexterMarket
import DexterNet
import DexterVenues
import Foundation
import Testing
import TestServers

/// Kraken orders in LIVE mode against the local Kraken-protocol server (Tests/Servers/kraken): an IOC that fills,
/// its fills told once each (REST and the executions stream both tell them) with Kraken's own numbers; an answer
/// lost after the order executed, found by its cl_ord_id and never placed twice; a dropped private socket whose
/// missed fill is read back; refusals (funds, minimum, rate limit) typed; the nonce growing across a restart.
@Suite(.serialized)
struct KrakenExecutionTests {
    typealias S = KrakenTestSupport

    func start(_ server: LocalKraken, settings: KrakenExecutionSettings? = nil) async throws -> (KrakenLiveVenue, VenueInbox) {
        let venue = try KrakenLiveVenue(marketData: KrakenListedInstruments(), settings: settings ?? S.settings(server),
                                        credentials: S.credentials)
        let inbox = VenueInbox()
        try await venue.connect(inbox)
        return (venue, inbox)
    }

    func waitSubscribed(_ venue: KrakenLiveVenue, sessions: Int = 1) async throws {
        for _ in 0..<200 where venue.privateStreamSessions < sessions { try await Task.sleep(for: .milliseconds(50)) }
        #expect(venue.privateStreamSessions >= sessions, "private stream: \(venue.privateStreamProblem ?? "not subscribed")")
    }

    @Test func anIOCFillsAndEachFillArrivesOnceWithKrakensNumbers() async throws {
        let server = try await S.server()
        defer { server.stop() }
        let (venue, inbox) = try await start(server)
        defer { venue.stop() }
        try await waitSubscribed(venue)
        let before = try await S.serverBalances(server)
        let id = "mj3k2x1a-a17-2"
        venue.submit(S.buy(id, at: try await S.limit(server)))
        let said = try await S.updates(inbox, for: id) { S.filled($0) >= FixedDecimal("0.01")! }
        // REST's query and the stream both tell this order: give both time, then count.
        try await Task.sleep(for: .milliseconds(800))
        let all = said + inbox.drain().orders.filter { $0.clientOrderId == id }
        let placed = try await S.serverOrders(server, clOrdId: id)
        try #require(placed.count == 1, "placed once under its cl_ord_id: \(placed)")
        guard case .accepted(let txid)? = all.first?.kind else { Issue.record("accepted first: \(all)"); return }
        #expect(txid == placed[0]["txid"] as? String)
        #expect(all.filter { if case .accepted = $0.kind { true } else { false } }.count == 1, "accepted once: \(all)")
        let fills = S.fills(all), truth = S.serverFills(placed.first)
        #expect(!fills.isEmpty && fills.map(\.tradeId) == S.tradeIds(truth), "each fill once: \(fills)")
        for (fill, trade) in zip(fills, truth) {
            let price = FixedDecimal(trade["price"] as! String)!, volume = FixedDecimal(trade["vol"] as! String)!
            #expect(fill.quantity == volume && fill.notional == price * volume)
            #expect(fill.fee == FixedDecimal(trade["fee"] as! String)! && fill.feeAsset == "CHF", "fee in the quote (fciq)")
        }
        #expect(S.filled(all) == FixedDecimal("0.01")!)
        // The account moved by exactly what the fills say.
        let after = try await S.serverBalances(server)
        let spent = fills.reduce(FixedDecimal.zero) { $0 + $1.notional + $1.fee }
        #expect(after["CHF"]! == before["CHF"]! - spent && after["XXBT"]! == before["XXBT"]! + FixedDecimal("0.01")!)
        // The query answers the same; an id Kraken never saw is unknown.
        guard case .found(let report) = try await venue.query(id, on: "kraken") else { Issue.record("not found"); return }
        #expect(report.status == .filled && report.filledQuantity == FixedDecimal("0.01")! && report.symbol == S.btc)
        let notional = fills.reduce(FixedDecimal.zero) { $0 + $1.notional }
        let fee = fills.reduce(FixedDecimal.zero) { $0 + $1.fee }
        #expect(report.notional == notional && report.fee == fee)
        #expect(try await venue.query("mj3k2x1a-a99-1", on: "kraken") == .unknown)
        let balances = try await venue.balances(on: "kraken")
        #expect(balances["BTC"] == after["XXBT"] && balances["CHF"] == after["CHF"])
    }

    @Test func aLostOrLateAnswerIsFoundByItsClientIdAndNeverPlacedTwice() async throws {
        let server = try await S.server()
        defer { server.stop() }
        let (venue, inbox) = try await start(server)
        defer { venue.stop() }
        for (fault, id) in [(["type": "lose_ack", "count": 1] as [String: Any], "dxlost1"),
                            (["type": "delay_ack", "seconds": 5, "count": 1], "dxlate1"),
                            (["type": "error", "error": "EService:Unavailable", "method": "AddOrder", "execute": true], "dx503done")] {
            try await server.control("/control/fault", fault)
            venue.submit(S.buy(id, at: try await S.limit(server)))
            let said = try await S.updates(inbox, for: id) { S.filled($0) == FixedDecimal("0.01")! }
            #expect(S.filled(said) == FixedDecimal("0.01")!, "\(fault): \(said)")
            let placed = try await S.serverOrders(server, clOrdId: id)
            #expect(placed.count == 1, "placed once: \(fault)")
            #expect(S.fills(said).map(\.tradeId) == S.tradeIds(S.serverFills(placed.first)), "\(fault)")
        }
        // EService:Unavailable before anything executed: Kraken has no such order, and the engine may send it again.
        try await server.control("/control/fault", ["type": "error", "error": "EService:Unavailable", "method": "AddOrder",
                                                    "execute": false])
        venue.submit(S.buy("dx503none", at: try await S.limit(server)))
        let none = try await S.updates(inbox, for: "dx503none", until: S.ends)
        guard case .rejected(let failure)? = none.last?.kind else { Issue.record("expected a refusal: \(none)"); return }
        #expect(failure.code == "not_placed" && failure.isRetryable && failure.venueCode == "EService:Unavailable", "\(failure)")
        #expect(try await S.serverOrders(server, clOrdId: "dx503none").isEmpty)
    }

    @Test func aDroppedPrivateSocketReconnectsAndTheMissedFillIsReadBack() async throws {
        let server = try await S.server()
        defer { server.stop() }
        var settings = S.settings(server)
        // A slow reconnect, so that the fill happens while the stream is away.
        settings.stream = WebSocketSettings(url: server.privateWSURL, backoff: Backoff(first: .seconds(2), cap: .seconds(2)))
        let (venue, inbox) = try await start(server, settings: settings)
        defer { venue.stop() }
        try await waitSubscribed(venue)
        let sessions = venue.privateStreamSessions
        try await server.control("/control/fault", ["type": "drop_ws", "which": "private"])
        let price = try await S.limit(server)
        let answer = try await S.sendAsAnotherTool(server) { builder, nonce in
            try builder.addOrder(pair: "XBTCHF", side: .buy, volume: "0.01", price: price.description, clOrdId: "extmissed1",
                                 nonce: nonce)
        }
        #expect((answer["error"] as? [String])?.isEmpty == true, "\(answer)")
        try await waitSubscribed(venue, sessions: sessions + 1)
        let said = try await S.updates(inbox, for: "extmissed1") { S.filled($0) == FixedDecimal("0.01")! }
        try await Task.sleep(for: .milliseconds(800))
        let all = said + inbox.drain().orders.filter { $0.clientOrderId == "extmissed1" }
        let truth = S.serverFills(try await S.serverOrders(server, clOrdId: "extmissed1").first)
        #expect(S.fills(all).map(\.tradeId) == S.tradeIds(truth) && !truth.isEmpty, "once each: \(all)")
    }

    @Test func refusalsAreTyped() async throws {
        let server = try await S.server(balances: ["XXBT": "10", "CHF": "10"])
        defer { server.stop() }
        let (venue, inbox) = try await start(server)
        defer { venue.stop() }
        let price = try await S.limit(server)
        for (id, size, code) in [("dxfunds1", "0.01", "insufficient_funds"), ("dxmin1", "0.00000001", "below_minimum")] {
            venue.submit(S.buy(id, size: size, at: price))
            let said = try await S.updates(inbox, for: id, until: S.ends)
            guard case .rejected(let failure)? = said.last?.kind else { Issue.record("expected a refusal: \(said)"); continue }
            #expect(failure.code == code && !failure.isRetryable && failure.venueCode?.hasPrefix("EOrder:") == true, "\(failure)")
        }
        // A price off the pair's grid is refused before anything is sent.
        venue.submit(S.buy("dxgrid1", at: price + FixedDecimal("0.001")!))
        let grid = try await S.updates(inbox, for: "dxgrid1", until: S.ends)
        guard case .rejected(let offGrid)? = grid.last?.kind else { Issue.record("expected a refusal: \(grid)"); return }
        #expect(offGrid.code == "bad_precision" && offGrid.venueCode == nil)
        // The trading counter refused: typed, and nothing more goes to that pair until it has decayed.
        try await server.control("/control/fault", ["type": "rate_limit", "kind": "order", "count": 1])
        venue.submit(S.buy("dxrate1", at: price))
        let limited = try await S.updates(inbox, for: "dxrate1", until: S.ends)
        guard case .rejected(let rate)? = limited.last?.kind else { Issue.record("expected a refusal: \(limited)"); return }
        #expect(rate.code == "rate_limited" && rate.isRetryable && rate.venueCode == "EOrder:Rate limit exceeded", "\(rate)")
        venue.submit(S.buy("dxrate2", at: price))
        let held = try await S.updates(inbox, for: "dxrate2", until: S.ends)
        guard case .rejected(let notSent)? = held.last?.kind else { Issue.record("expected a refusal: \(held)"); return }
        #expect(notSent.code == "not_sent" && notSent.venueCode == nil, "\(notSent)")
        #expect(try await S.serverOrders(server, clOrdId: "dxrate2").isEmpty)
        #expect(venue.rateUsage.tradingLevels["XBTCHF"] ?? 0 > 0)
    }

    @Test func theNonceGrowsAcrossARestartWithTheClockSteppedBack() async throws {
        let server = try await S.server()
        defer { server.stop() }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dexter-kraken-\(UUID().uuidString)/nonce")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let clock = KrakenTestClock(Timestamp(seconds: Date().timeIntervalSince1970))
        let first = try KrakenExecution(settings: S.settings(server, nonceFile: file), credentials: S.credentials, clock: clock)
        _ = try await first.balances(on: "kraken")
        let used = first.nonceMark
        // The desk restarts with its clock ten minutes behind: Kraken (the server) still takes its requests.
        clock.set(clock.now().adding(.seconds(-600)))
        let second = try KrakenExecution(settings: S.settings(server, nonceFile: file), credentials: S.credentials, clock: clock)
        let next = try second.nonce.next()
        #expect(next > used, "\(next) after the mark \(used)")
        let balances = try await second.balances(on: "kraken")
        #expect(balances["BTC"] == FixedDecimal(10))
    }

    @Test func theAccountCheckReadsTheFeeTierAndInstrumentsUseIt() async throws {
        let server = try await S.server()
        defer { server.stop() }
        let (venue, _) = try await start(server)
        defer { venue.stop() }
        let check = try await venue.checkAccount()
        #expect(check.takerFee == FixedDecimal("0.0026")! && check.balances["BTC"] == FixedDecimal(10))
        let instruments = try await venue.instruments()
        #expect(instruments.first?.market.venue.takerFee == FixedDecimal("0.0026")!, "the account's 0.26 %, not config's 0.4 %")
    }
}
