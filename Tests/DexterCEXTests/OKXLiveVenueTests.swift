import DexterCEX
import DexterCore
import DexterMarket
import DexterNet
import DexterVenues
import Foundation
import Testing
import TestServers

/// OKX in LIVE mode against the local OKX-protocol server: fills of an order dexter never sent reach the desk on
/// the private stream alone (no polling), counted once when REST tells them too; the stream stays up through OKX's
/// 30 s idle rule with `ping`, and logs in again after a drop; the kill switch's sweep cancels what rests on the
/// account; the account check tells what the key may do and the fee tier; a wrong passphrase is a clear refusal.
@Suite(.serialized) struct OKXLiveVenueTests {
    static let key = "7a1e0c44-2f9b-4d8a-8e11-okxlive00001"
    static let secret = "OKXLIVETESTSECRET0123456789ABCDEF"
    static let passphrase = "Dexter-Live-Passphrase-1"

    func start(perm: String? = nil, passphrase: String = Self.passphrase, serverOptions: [String] = [],
               keepalive: Duration = .seconds(20)) async throws -> (LocalOKX, OKXLiveVenue, VenueInbox) {
        let server = try OKXTestSupport.server(key: Self.key, secret: Self.secret, passphrase: Self.passphrase, perm: perm,
                                               options: serverOptions)
        var settings = OKXExecutionSettings(venue: "okx", restURL: server.restURL, privateURL: server.privateWSURL)
        settings.keepalive = keepalive
        settings.stream = WebSocketSettings(url: server.privateWSURL, backoff: Backoff(first: .milliseconds(100), cap: .seconds(1)))
        let venue = try OKXLiveVenue(marketData: OKXListedInstruments(), settings: settings,
                                     credentials: OKXCredentials(apiKey: Self.key, secret: Self.secret, passphrase: passphrase))
        let inbox = VenueInbox()
        try await venue.connect(inbox)
        return (server, venue, inbox)
    }

    var anotherTool: OKXRequestBuilder {
        OKXRequestBuilder(credentials: OKXCredentials(apiKey: Self.key, secret: Self.secret, passphrase: Self.passphrase))
    }

    func waitSubscribed(_ venue: OKXLiveVenue, _ expected: Bool = true) async throws {
        for _ in 0..<200 where venue.privateStreamSubscribed != expected { try await Task.sleep(for: .milliseconds(50)) }
        #expect(venue.privateStreamSubscribed == expected, "private stream: \(venue.privateStreamProblem ?? "not subscribed")")
    }

    /// An IOC placed by another tool on the account, at the third ask.
    func placeAsAnotherTool(_ server: LocalOKX, clOrdId: String) async throws -> [String: Any] {
        let price = try #require(try await OKXTestSupport.levels(server, "asks", limit: 3).last?.price)
        let request = anotherTool.placeOrder(instId: "BTC-USDT", side: .buy, ordType: "ioc", size: FixedDecimal("0.01")!,
                                             price: price, clOrdId: clOrdId, at: Timestamp(seconds: Date().timeIntervalSince1970))
        return try await OKXTestSupport.sendAsAnotherTool(server, request)
    }

    @Test func fillsOfAnOrderArriveOnThePrivateStreamWithoutPolling() async throws {
        let (server, venue, inbox) = try await start()
        defer { server.stop(); venue.stop() }
        try await waitSubscribed(venue)
        let answer = try await placeAsAnotherTool(server, clOrdId: "ext1")
        #expect(answer["code"] as? String == "0", "\(answer)")
        let said = try await OKXTestSupport.updates(inbox, for: "ext1") { OKXTestSupport.filled($0) == FixedDecimal("0.01")! }
        let placed = try await OKXTestSupport.serverOrders(server, clOrdId: "ext1")
        let fills = OKXTestSupport.fills(said)
        #expect(!fills.isEmpty && fills.map(\.tradeId) == OKXTestSupport.tradeIds(placed.first), "\(fills)")
        // A buy's fee is in what it bought, as OKX charged it (fillFee negative on the wire).
        #expect(fills.allSatisfy { $0.feeAsset == "BTC" && $0.fee == $0.quantity * FixedDecimal("0.001")! })
        guard case .accepted(let ordId)? = said.first?.kind else { Issue.record("accepted first: \(said)"); return }
        #expect(ordId == placed.first?["ordId"] as? String)
    }

    @Test func fillsToldByRESTAndByTheStreamCountOnce() async throws {
        let (server, venue, inbox) = try await start()
        defer { server.stop(); venue.stop() }
        try await waitSubscribed(venue)
        let price = try #require(try await OKXTestSupport.levels(server, "asks", limit: 3).last?.price)
        venue.submit(OKXTestSupport.buy("dxboth1", at: price))
        // The REST path's query and the pushes both tell this order: wait for both, then count.
        _ = try await OKXTestSupport.updates(inbox, for: "dxboth1") { OKXTestSupport.filled($0) == FixedDecimal("0.01")! }
        try await Task.sleep(for: .milliseconds(800))
        let late = inbox.drain().orders.filter { $0.clientOrderId == "dxboth1" }
        #expect(OKXTestSupport.fills(late).isEmpty, "a fill told twice: \(late)")
        #expect(late.filter { if case .accepted = $0.kind { true } else { false } }.isEmpty, "accepted twice: \(late)")
    }

    @Test func theStreamKeepsAliveWithPingAndLogsInAgainAfterADrop() async throws {
        // OKX closes a connection after 30 s without a message; here after 8 s, with a ping after 2 s of silence
        // (and the client's own silence rule at twice that): margins for a suite run beside a hundred others on
        // two cores, where a 1.5 s rule saw pongs late.
        let (server, venue, inbox) = try await start(serverOptions: ["--idle-timeout", "8"], keepalive: .seconds(2))
        defer { server.stop(); venue.stop() }
        try await waitSubscribed(venue)
        // Nothing is pushed for 12 s, half again the idle rule: only `ping` keeps the connection. (Under a loaded CI
        // the client's own silence rule may still replace it once; what matters is that the server never closed
        // one for idleness.)
        try await Task.sleep(for: .seconds(12))
        for _ in 0..<100 where !venue.privateStreamSubscribed { try await Task.sleep(for: .milliseconds(50)) }
        #expect(venue.privateStreamSubscribed, "\(venue.privateStreamProblem ?? "")")
        let replay = try #require(try await server.read("/control/replay") as? [String: Any])
        #expect(replay["idleCloses"] as? Int == 0, "the server's idle rule closed a connection the pings should have kept")
        let sessions = venue.privateStreamSessions
        try await server.control("/control/fault", ["type": "drop_ws", "which": "private"])
        for _ in 0..<200 where venue.privateStreamSessions == sessions { try await Task.sleep(for: .milliseconds(50)) }
        #expect(venue.privateStreamSessions == sessions + 1, "logged in and subscribed again")
        let answer = try await placeAsAnotherTool(server, clOrdId: "ext2")
        #expect(answer["code"] as? String == "0", "\(answer)")
        let said = try await OKXTestSupport.updates(inbox, for: "ext2") { OKXTestSupport.filled($0) == FixedDecimal("0.01")! }
        #expect(OKXTestSupport.filled(said) == FixedDecimal("0.01")!, "after the reconnect: \(said)")
    }

    @Test func anOrderThatFilledBeforeTheStreamJoinedHasItsFillsReadByQueryBeforeItsEnd() async throws {
        let server = try OKXTestSupport.server(key: Self.key, secret: Self.secret, passphrase: Self.passphrase)
        defer { server.stop() }
        // Before dexter connects: a buy at the best ask, larger than the level, takes the level and rests the rest.
        let ask = try #require(try await OKXTestSupport.levels(server, "asks", limit: 1).first)
        let size = ask.size + FixedDecimal("0.01")!
        let placed = try await OKXTestSupport.sendAsAnotherTool(server, anotherTool.placeOrder(
            instId: "BTC-USDT", side: .buy, ordType: "limit", size: size, price: ask.price, clOrdId: "extpart1",
            at: Timestamp(seconds: Date().timeIntervalSince1970)))
        #expect(placed["code"] as? String == "0", "\(placed)")
        var settings = OKXExecutionSettings(venue: "okx", restURL: server.restURL, privateURL: server.privateWSURL)
        settings.stream = WebSocketSettings(url: server.privateWSURL)
        let venue = try OKXLiveVenue(marketData: OKXListedInstruments(), settings: settings,
                                     credentials: OKXCredentials(apiKey: Self.key, secret: Self.secret, passphrase: Self.passphrase))
        defer { venue.stop() }
        let inbox = VenueInbox()
        try await venue.connect(inbox)
        try await waitSubscribed(venue)
        // Canceled now: its one push says "canceled" with accFillSz > 0, and no fill was ever pushed to dexter.
        let cancel = try await OKXTestSupport.sendAsAnotherTool(server, anotherTool.signed(
            "POST", "/api/v5/trade/cancel-order", body: #"{"instId":"BTC-USDT","clOrdId":"extpart1"}"#,
            at: Timestamp(seconds: Date().timeIntervalSince1970)))
        #expect(cancel["code"] as? String == "0", "\(cancel)")
        let said = try await OKXTestSupport.updates(inbox, for: "extpart1", until: OKXTestSupport.ends)
        let truth = try await OKXTestSupport.serverOrders(server, clOrdId: "extpart1")
        #expect(OKXTestSupport.fills(said).map(\.tradeId) == OKXTestSupport.tradeIds(truth.first) && !OKXTestSupport.fills(said).isEmpty)
        #expect(OKXTestSupport.filled(said) == ask.size, "\(said)")
        guard case .canceled? = said.last?.kind else { Issue.record("the end comes last: \(said)"); return }
    }

    @Test func theSweepCancelsEveryOrderRestingOnTheAccount() async throws {
        let (server, venue, inbox) = try await start()
        defer { server.stop(); venue.stop() }
        let bid = try #require(try await OKXTestSupport.levels(server, "bids").first?.price)
        let low = (bid * FixedDecimal("0.5")!).rounded(digits: 1, .down)
        for id in ["extrest1", "extrest2"] {
            let request = anotherTool.placeOrder(instId: "BTC-USDT", side: .buy, ordType: "limit", size: FixedDecimal("0.01")!,
                                                 price: low, clOrdId: id, at: Timestamp(seconds: Date().timeIntervalSince1970))
            let answer = try await OKXTestSupport.sendAsAnotherTool(server, request)
            #expect(answer["code"] as? String == "0", "\(answer)")
        }
        let open = try await venue.openOrders(on: "okx")
        #expect(Set(open.map(\.clientOrderId)) == ["extrest1", "extrest2"] && open.allSatisfy { $0.status == .working })
        let canceled = try await venue.cancelOpenOrders(on: "okx")
        #expect(Set(canceled) == ["extrest1", "extrest2"])
        #expect(try await venue.openOrders(on: "okx").isEmpty)
        #expect(try await venue.cancelOpenOrders(on: "okx").isEmpty, "nothing left to cancel is no error")
        let ends = try await OKXTestSupport.updates(inbox, for: "extrest1", until: OKXTestSupport.ends)
        guard case .canceled? = ends.last?.kind else { Issue.record("its end is told: \(ends)"); return }
        let balances = try await OKXTestSupport.serverBalances(server, key: Self.key)
        #expect(balances["USDT"]!.1 == .zero, "nothing left frozen")
    }

    @Test func theAccountCheckSaysWhatTheKeyMayDoAndTheFeeTier() async throws {
        let (server, venue, _) = try await start(perm: "read_only,trade,withdraw")
        defer { server.stop(); venue.stop() }
        let check = try await venue.checkAccount()
        #expect(check.canTrade && check.canWithdraw == true)
        #expect(check.takerFee == FixedDecimal("0.001")!)
        #expect(check.balances == ["USDT": FixedDecimal(100_000), "BTC": FixedDecimal(2)])
        // Detection prices with the account's tier, not config's 0.2 %.
        let instruments = try await venue.instruments()
        #expect(!instruments.isEmpty && instruments.allSatisfy { $0.market.venue.takerFee == FixedDecimal("0.001")! })
        let readOnly = try await start(perm: "read_only")
        defer { readOnly.0.stop(); readOnly.1.stop() }
        let limited = try await readOnly.1.checkAccount()
        #expect(!limited.canTrade && limited.canWithdraw == false)
    }

    @Test func aWrongPassphraseIsAClearRefusalOnRESTAndOnTheStream() async throws {
        let wrong = "Not-The-Passphrase-7"
        let (server, venue, _) = try await start(passphrase: wrong)
        defer { server.stop(); venue.stop() }
        var thrown: (any Error)?
        do { _ = try await venue.checkAccount() } catch { thrown = error }
        let failure = try #require(thrown as? OKXFailure, "\(String(describing: thrown))")
        #expect(failure.failure.code == "bad_passphrase" && failure.failure.venueCode == "50105")
        for _ in 0..<100 where venue.privateStreamProblem == nil { try await Task.sleep(for: .milliseconds(50)) }
        let problem = try #require(venue.privateStreamProblem)
        #expect(problem.contains("60024") && !venue.privateStreamSubscribed, "\(problem)")
        for text in ["\(failure)", problem] {
            #expect(!text.contains(wrong) && !text.contains(Self.secret) && !text.contains(Self.passphrase), "\(text)")
        }
    }

    @Test func aKeyThatIsNotAnOKXKeyIsRefusedBeforeAnythingIsSent() throws {
        #expect(throws: OKXKeyError.self) {
            _ = try OKXLiveVenue(marketData: OKXListedInstruments(), settings: OKXExecutionSettings(venue: "okx"),
                                 credentials: OKXCredentials(apiKey: "not\"a key", secret: "x", passphrase: "y"))
        }
    }
}
