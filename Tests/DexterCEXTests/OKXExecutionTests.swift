import DexterCEX
import DexterCore
import DexterMarket
import DexterNet
import DexterVenues
import Foundation
import Synchronization
import Testing
import TestServers

/// OKX orders over signed REST against the local OKX-protocol server (Tests/Servers/okx): an IOC that fills, with
/// OKX's trade ids and fees exact to the last unit; an ack that comes too late or never (the order is found by its
/// clOrdId, never placed twice); a 5XX after which the order did or did not execute; a 429 after which nothing is
/// sent until the window has passed; a shifted clock (50102) measured again; wrong credentials refused with a clear,
/// typed failure that holds no secret.
@Suite(.serialized) struct OKXExecutionTests {
    static let key = "0d6c7f3e-5b1a-4c2e-9f00-okxexec00001"
    static let secret = "OKXEXECTESTSECRET0123456789ABCDEF"
    static let passphrase = "Dexter-Exec-Passphrase-1"

    func start(secret: String = Self.secret, passphrase: String = Self.passphrase,
               clock: any DexterCore.Clock = WallClock()) async throws -> (LocalOKX, OKXExecution, VenueInbox) {
        let server = try OKXTestSupport.server(key: Self.key, secret: Self.secret, passphrase: Self.passphrase)
        var settings = OKXExecutionSettings(venue: "okx", restURL: server.restURL, privateURL: server.privateWSURL)
        settings.requestTimeout = .milliseconds(2500)
        let execution = OKXExecution(settings: settings,
                                     credentials: OKXCredentials(apiKey: Self.key, secret: secret, passphrase: passphrase),
                                     clock: clock)
        let inbox = VenueInbox()
        try await execution.connect(inbox)
        return (server, execution, inbox)
    }

    /// The third ask: an IOC limited there takes what the best levels hold.
    func limit(_ server: LocalOKX) async throws -> FixedDecimal {
        let asks = try await OKXTestSupport.levels(server, "asks", limit: 3)
        return try #require(asks.last?.price)
    }

    @Test func anIOCFillsWithOKXsTradeIdsAndFeesExactToTheLastUnit() async throws {
        let (server, execution, inbox) = try await start()
        defer { server.stop() }
        let before = try await OKXTestSupport.serverBalances(server, key: Self.key)
        // dexter's own id shape: `-` is not allowed in an OKX clOrdId, so it travels encoded and comes back as it was.
        let id = "mj3k2x1a-a17-2"
        execution.submit(OKXTestSupport.buy(id, at: try await limit(server)))
        let said = try await OKXTestSupport.updates(inbox, for: id) { OKXTestSupport.filled($0) == FixedDecimal("0.01")! }
        let placed = try await OKXTestSupport.serverOrders(server, clOrdId: "mj3k2x1aXa17X2")
        try #require(placed.count == 1, "placed once under the encoded id: \(placed)")
        #expect(placed[0]["state"] as? String == "filled" && placed[0]["ordType"] as? String == "ioc")
        guard case .accepted(let ordId)? = said.first?.kind else { Issue.record("accepted first: \(said)"); return }
        #expect(ordId == placed[0]["ordId"] as? String)
        let fills = OKXTestSupport.fills(said)
        let serverFills = (placed[0]["fills"] as? [[String: Any]]) ?? []
        #expect(fills.map(\.tradeId) == serverFills.compactMap { $0["tradeId"] as? String } && !fills.isEmpty)
        for (fill, truth) in zip(fills, serverFills) {
            // OKX's own numbers: price × size exact, the fee as charged (negative on the wire), in BTC for a buy.
            #expect(fill.quantity == FixedDecimal(truth["fillSz"] as! String)!)
            #expect(fill.notional == FixedDecimal(truth["quote"] as! String)!)
            #expect(fill.fee == -FixedDecimal(truth["fee"] as! String)! && fill.feeAsset == "BTC")
            #expect(fill.fee == fill.quantity * FixedDecimal("0.001")!, "taker 0.1 %, not rounded")
        }
        // The account received 0.01 BTC less the fee, to the last unit.
        let after = try await OKXTestSupport.serverBalances(server, key: Self.key)
        let fee = fills.reduce(FixedDecimal.zero) { $0 + $1.fee }
        #expect(after["BTC"]!.0 == before["BTC"]!.0 + FixedDecimal("0.01")! - fee)
        let spent = fills.reduce(FixedDecimal.zero) { $0 + $1.notional }
        #expect(after["USDT"]!.0 == before["USDT"]!.0 - spent)
        // The query answers the same, fee in the base asset.
        guard case .found(let report) = try await execution.query(id, on: "okx") else { Issue.record("not found"); return }
        #expect(report.status == .filled && report.filledQuantity == FixedDecimal("0.01")!)
        #expect(report.notional == spent && report.baseFee == fee && report.fee == .zero)
        #expect(try await execution.query("mj3k2x1a-a99-1", on: "okx") == .unknown)
        let balances = try await execution.balances(on: "okx")
        #expect(balances["BTC"] == after["BTC"]!.0 + after["BTC"]!.1)
    }

    @Test func anOrderOfAnEarlierSessionIsFoundByItsClientIdAlone() async throws {
        let (server, execution, inbox) = try await start()
        defer { server.stop() }
        execution.submit(OKXTestSupport.buy("mj3k2x1a-a5-1", at: try await limit(server)))
        _ = try await OKXTestSupport.updates(inbox, for: "mj3k2x1a-a5-1") { OKXTestSupport.filled($0) == FixedDecimal("0.01")! }
        // A new session (dexter restarted) knows the id but not its instrument.
        let restarted = OKXExecution(settings: execution.settings,
                                     credentials: OKXCredentials(apiKey: Self.key, secret: Self.secret, passphrase: Self.passphrase))
        try await restarted.connect(VenueInbox())
        guard case .found(let report) = try await restarted.query("mj3k2x1a-a5-1", on: "okx") else {
            Issue.record("an order OKX holds is never unknown")
            return
        }
        #expect(report.status == .filled && report.symbol == OKXTestSupport.btc && report.filledQuantity == FixedDecimal("0.01")!)
        #expect(try await restarted.query("mj3k2x1a-a6-1", on: "okx") == .unknown)
    }

    @Test func nothingToFillWithinTheLimitExpires() async throws {
        let (server, execution, inbox) = try await start()
        defer { server.stop() }
        let bid = try #require(try await OKXTestSupport.levels(server, "bids").first?.price)
        execution.submit(OKXTestSupport.buy("dxlow1", at: bid))
        let said = try await OKXTestSupport.updates(inbox, for: "dxlow1", until: OKXTestSupport.ends)
        guard case .expired = said.last?.kind else { Issue.record("expected an expiry: \(said)"); return }
        #expect(OKXTestSupport.fills(said).isEmpty)
    }

    @Test func aLateOrLostAckIsFoundByItsClientIdAndNeverPlacedTwice() async throws {
        let (server, execution, inbox) = try await start()
        defer { server.stop() }
        for (fault, id) in [(["type": "delay_ack", "seconds": 5, "count": 1] as [String: Any], "dxlate1"),
                            (["type": "lose_ack", "count": 1], "dxlost1")] {
            try await server.control("/control/fault", fault)
            execution.submit(OKXTestSupport.buy(id, at: try await limit(server)))
            let said = try await OKXTestSupport.updates(inbox, for: id) { OKXTestSupport.filled($0) == FixedDecimal("0.01")! }
            #expect(OKXTestSupport.filled(said) == FixedDecimal("0.01")!, "\(fault): \(said)")
            let placed = try await OKXTestSupport.serverOrders(server, clOrdId: id)
            #expect(placed.count == 1, "placed once: \(fault)")
            // Fills learned by query carry OKX's own trade ids: the same trades pushed on the stream count once.
            let serverIds = OKXTestSupport.tradeIds(placed.first)
            #expect(OKXTestSupport.fills(said).map(\.tradeId) == serverIds && !serverIds.isEmpty, "\(fault)")
        }
    }

    @Test func aServerErrorIsNeverTakenForAnAnswerTheOrderIsAskedFor() async throws {
        let (server, execution, inbox) = try await start()
        defer { server.stop() }
        // 503 / 50001 after OKX executed it: found by its clOrdId, its fills told, placed once.
        try await server.control("/control/fault", ["type": "error", "status": 503, "code": "50001", "execute": true,
                                                    "scope": "orders", "count": 1])
        execution.submit(OKXTestSupport.buy("dx5xxdone", at: try await limit(server)))
        let done = try await OKXTestSupport.updates(inbox, for: "dx5xxdone") { OKXTestSupport.filled($0) == FixedDecimal("0.01")! }
        #expect(OKXTestSupport.filled(done) == FixedDecimal("0.01")!, "\(done)")
        #expect(try await OKXTestSupport.serverOrders(server, clOrdId: "dx5xxdone").count == 1)
        // 503 / 50001 before it executed: OKX has no such order (51603), and the engine may send it again (same id).
        try await server.control("/control/fault", ["type": "error", "status": 503, "code": "50001", "execute": false,
                                                    "scope": "orders", "count": 1])
        execution.submit(OKXTestSupport.buy("dx5xxnone", at: try await limit(server)))
        let none = try await OKXTestSupport.updates(inbox, for: "dx5xxnone", until: OKXTestSupport.ends)
        guard case .rejected(let failure)? = none.last?.kind else { Issue.record("expected a refusal: \(none)"); return }
        #expect(failure.code == "not_placed" && failure.isRetryable && failure.venueCode == "50001", "\(failure)")
        #expect(try await OKXTestSupport.serverOrders(server, clOrdId: "dx5xxnone").isEmpty)
        // Sent again under the same id, it goes through once.
        execution.submit(OKXTestSupport.buy("dx5xxnone", at: try await limit(server)))
        let again = try await OKXTestSupport.updates(inbox, for: "dx5xxnone") { OKXTestSupport.filled($0) == FixedDecimal("0.01")! }
        #expect(OKXTestSupport.filled(again) == FixedDecimal("0.01")!)
        #expect(try await OKXTestSupport.serverOrders(server, clOrdId: "dx5xxnone").count == 1)
    }

    @Test func afterA429NothingIsSentUntilTheWindowHasPassed() async throws {
        // The window is read on the execution's clock, held still from the 429 to the second order: a slow machine
        // must not let the window pass before the order that has to be held back is even submitted.
        let clock = HeldClock()
        let (server, execution, inbox) = try await start(clock: clock)
        defer { server.stop() }
        try await server.control("/control/fault", ["type": "rate_limit", "path": "/api/v5/trade/order"])
        let price = try await limit(server)
        clock.hold()
        execution.submit(OKXTestSupport.buy("dx429a", at: price))
        let first = try await OKXTestSupport.updates(inbox, for: "dx429a", until: OKXTestSupport.ends)
        guard case .rejected(let limited)? = first.last?.kind else { Issue.record("expected a refusal: \(first)"); return }
        #expect(limited.code == "rate_limited" && limited.failureClass == .transient && limited.venueCode == "50011", "\(limited)")
        execution.submit(OKXTestSupport.buy("dx429b", at: price))
        let second = try await OKXTestSupport.updates(inbox, for: "dx429b", until: OKXTestSupport.ends)
        guard case .rejected(let held)? = second.last?.kind else { Issue.record("expected a refusal: \(second)"); return }
        #expect(held.code == "not_sent" && held.isRetryable && held.venueCode == nil, "held back, never sent: \(held)")
        #expect(try await OKXTestSupport.serverOrders(server, clOrdId: "dx429b").isEmpty)
        // Once the window (2 s) has passed, orders go again.
        clock.release(advancedBy: .milliseconds(2_100))
        execution.submit(OKXTestSupport.buy("dx429c", at: price))
        let third = try await OKXTestSupport.updates(inbox, for: "dx429c") { !OKXTestSupport.fills($0).isEmpty || OKXTestSupport.ends($0) }
        #expect(!OKXTestSupport.fills(third).isEmpty, "\(third)")
    }

    @Test func aShiftedClockIsMeasuredAgainAndTheOrderGoes() async throws {
        let (server, execution, inbox) = try await start()
        defer { server.stop() }
        try await server.control("/control/fault", ["type": "clock_shift", "ms": 120_000])
        execution.submit(OKXTestSupport.buy("dxclock1", at: try await limit(server)))
        let said = try await OKXTestSupport.updates(inbox, for: "dxclock1") { OKXTestSupport.filled($0) == FixedDecimal("0.01")! }
        #expect(OKXTestSupport.filled(said) == FixedDecimal("0.01")!, "\(said)")
        #expect(abs(execution.clockOffsetMillis - 120_000) < 5_000)
    }

    @Test func aWrongPassphraseOrSecretIsAClearTypedRefusalWithNoSecretInIt() async throws {
        for (secret, passphrase, code, venueCode) in [(Self.secret, "Not-The-Passphrase-9", "bad_passphrase", "50105"),
                                                      ("NOTTHESECRET0000000000000000000000", Self.passphrase, "bad_signature", "50113")] {
            let (server, execution, inbox) = try await start(secret: secret, passphrase: passphrase)
            defer { server.stop() }
            execution.submit(OKXTestSupport.buy("dxauth1", at: try await limit(server)))
            let said = try await OKXTestSupport.updates(inbox, for: "dxauth1", until: OKXTestSupport.ends)
            guard case .rejected(let failure)? = said.last?.kind else { Issue.record("expected a refusal: \(said)"); return }
            #expect(failure.code == code && failure.venueCode == venueCode && !failure.isRetryable, "\(failure)")
            var thrown: (any Error)?
            do { _ = try await execution.balances(on: "okx") } catch { thrown = error }
            let typed = try #require(thrown as? OKXFailure, "\(String(describing: thrown))")
            #expect(typed.failure.code == code)
            for text in ["\(failure)", failure.detail, failure.reason, "\(typed)", "\(execution)",
                         "\(OKXCredentials(apiKey: Self.key, secret: secret, passphrase: passphrase))"] {
                #expect(!text.contains(secret) && !text.contains(passphrase) && !text.contains(Self.secret)
                        && !text.contains(Self.passphrase), "a secret in: \(text)")
            }
            #expect(try await OKXTestSupport.serverOrders(server, clOrdId: "dxauth1").isEmpty)
        }
    }

    @Test func anIdThatCannotBeAClOrdIdIsRefusedBeforeAnythingIsSent() async throws {
        let (server, execution, inbox) = try await start()
        defer { server.stop() }
        let id = String(repeating: "a", count: 33)
        execution.submit(OKXTestSupport.buy(id, at: try await limit(server)))
        let said = try await OKXTestSupport.updates(inbox, for: id, until: OKXTestSupport.ends)
        guard case .rejected(let failure)? = said.last?.kind else { Issue.record("expected a refusal: \(said)"); return }
        #expect(failure.code == "bad_request" && !failure.isRetryable)
        #expect((try await server.read("/control/orders") as? [Any])?.isEmpty == true)
    }
}

/// Wall time, which a test can hold still and then release a given step ahead (requests are still signed with a
/// time OKX accepts: a hold lasts a few seconds, well inside OKX's 30 s window).
final class HeldClock: DexterCore.Clock, Sendable {
    private let state = Mutex<(held: Timestamp?, ahead: Duration)>((nil, .zero))
    func now() -> Timestamp {
        state.withLock { $0.held ?? WallClock().now().adding($0.ahead) }
    }
    func hold() { state.withLock { $0.held = WallClock().now().adding($0.ahead) } }
    func release(advancedBy step: Duration) {
        state.withLock { $0.held = nil; $0.ahead += step }
    }
}
