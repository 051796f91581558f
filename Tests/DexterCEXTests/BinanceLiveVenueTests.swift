import DexterCEX
import DexterCore
import DexterMarket
import DexterNet
import DexterVenues
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestServers

/// Binance in LIVE mode against the local Binance-protocol server: fills of an order dexter never sent reach the
/// desk on the user data stream alone (no polling), the kill switch's sweep cancels what rests on the account, and
/// the account check tells what the key may do.
@Suite(.serialized) struct BinanceLiveVenueTests {
    static let eth = Symbol(base: "ETH", quote: "USDT")
    static let key = "dexterLiveTestKey" + String(repeating: "7", count: 47)
    static let secret = "dexterLiveTestSecret" + String(repeating: "8", count: 44)

    func start(withdraw: Bool = false, serverOptions: [String] = []) async throws -> (LocalBinance, BinanceLiveVenue, VenueInbox) {
        let account = "\(Self.key):\(Self.secret):USDT=100000,ETH=10" + (withdraw ? ":withdraw" : "")
        let server = try LocalBinance(["--speed", "0", "--account", account] + serverOptions)
        try await server.control("/control/advance", ["events": 200])
        let spec = VenueSpec(id: "binance", kind: .exchange, takerFee: FixedDecimal("0.002")!, stalenessBound: .seconds(5))
        let settings = BinanceSettings(venue: spec, symbols: [Self.eth], restURL: server.restURL, streamURL: server.streamURL,
                                       wsAPIURL: server.wsAPIURL)
        let venue = try BinanceLiveVenue(settings: settings, credentials: BinanceCredentials(apiKey: Self.key, secret: Self.secret))
        let inbox = VenueInbox()
        try await venue.connect(inbox)
        return (server, venue, inbox)
    }

    /// Sends a signed request as another tool on the same account would (not through dexter's execution).
    func sendAsAnotherTool(_ server: LocalBinance, _ request: BinanceRequest) async throws -> [String: Any] {
        var call = URLRequest(url: URL(string: server.restURL + request.target)!)
        call.httpMethod = request.method
        for (name, value) in request.headers { call.setValue(value, forHTTPHeaderField: name) }
        let (body, _) = try await URLSession.shared.data(for: call)
        return try JSONSerialization.jsonObject(with: body) as? [String: Any] ?? [:]
    }

    func gtc(_ id: String, side: Side = .buy, price: FixedDecimal) -> BinanceRequest {
        BinanceRequestBuilder(credentials: BinanceCredentials(apiKey: Self.key, secret: Self.secret), recvWindow: 60_000)
            .newOrder(BinanceNewOrder(symbol: "ETHUSDT", side: side, kind: .limit(price: price, timeInForce: .gtc),
                                      quantity: FixedDecimal("0.01")!, clientOrderId: id),
                      timestamp: Int64(Date().timeIntervalSince1970 * 1000))
    }

    func book(_ server: LocalBinance) async throws -> BinanceDepthSnapshot {
        try BinanceMarketData.depthSnapshot(try await server.readBytes("/control/book?symbol=ETHUSDT&limit=5"))
    }

    func waitSubscribed(_ venue: BinanceLiveVenue) async throws {
        for _ in 0..<600 where !venue.userStreamSubscribed { try await Task.sleep(for: .milliseconds(50)) }
        #expect(venue.userStreamSubscribed, "user data stream: \(venue.userStreamProblem ?? "not subscribed")")
    }

    @Test func fillsOfAnOrderArriveOnTheUserDataStreamWithoutPolling() async throws {
        let (server, venue, inbox) = try await start()
        defer { server.stop(); venue.stop() }
        try await waitSubscribed(venue)
        let ask = try #require(try await book(server).asks.first?.price)
        let placed = try await sendAsAnotherTool(server, gtc("ext-fill-1", price: ask))
        #expect(placed["status"] as? String == "FILLED", "\(placed)")
        var seen: [OrderUpdate] = []
        for _ in 0..<400 {
            seen += inbox.drain().orders.filter { $0.clientOrderId == "ext-fill-1" }
            if seen.contains(where: { if case .fill = $0.kind { true } else { false } }) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let fills = seen.compactMap { if case .fill(let fill) = $0.kind { fill } else { nil } }
        let serverTrades = ((placed["fills"] as? [[String: Any]]) ?? []).compactMap { ($0["tradeId"] as? Int).map(String.init) }
        #expect(!fills.isEmpty && fills.map(\.tradeId) == serverTrades, "stream fills \(fills), server trades \(serverTrades)")
        #expect(fills.reduce(FixedDecimal.zero) { $0 + $1.quantity } == FixedDecimal("0.01")!)
        // A buy's commission is in what it bought: the seam carries it as it is.
        #expect(fills.allSatisfy { $0.feeAsset == "ETH" })
    }

    @Test func theSweepCancelsEveryOrderRestingOnTheAccount() async throws {
        let (server, venue, _) = try await start()
        defer { server.stop(); venue.stop() }
        let bid = try #require(try await book(server).bids.first?.price)
        let low = (bid * FixedDecimal("0.5")!).rounded(digits: 2, .down)
        for id in ["ext-rest-1", "ext-rest-2"] {
            let placed = try await sendAsAnotherTool(server, gtc(id, price: low))
            #expect(placed["status"] as? String == "NEW", "\(placed)")
        }
        let open = try await venue.openOrders(on: "binance")
        #expect(Set(open.map(\.clientOrderId)) == ["ext-rest-1", "ext-rest-2"] && open.allSatisfy { $0.status == .working })
        let canceled = try await venue.cancelOpenOrders(on: "binance")
        #expect(Set(canceled) == ["ext-rest-1", "ext-rest-2"])
        #expect(try await venue.openOrders(on: "binance").isEmpty)
        #expect(try await venue.cancelOpenOrders(on: "binance").isEmpty, "nothing left to cancel is no error")
    }

    @Test func theAccountCheckSaysWhatTheKeyMayDoAndTheFeeTier() async throws {
        let (server, venue, _) = try await start(withdraw: true)
        defer { server.stop(); venue.stop() }
        let check = try await venue.checkAccount()
        #expect(check.canTrade && check.canWithdraw == true)
        #expect(check.takerFee == FixedDecimal("0.001")!)
        #expect(check.balances == ["USDT": FixedDecimal(100_000), "ETH": FixedDecimal(10)])
        // Detection prices with the account's tier, not config's 0.2 %.
        let instruments = try await venue.instruments()
        #expect(instruments.allSatisfy { $0.market.venue.takerFee == FixedDecimal("0.001")! })
        try await server.control("/control/keys", ["apiKey": Self.key, "enableWithdrawals": false])
        #expect(try await venue.checkAccount().canWithdraw == false)
    }

    @Test func ordersBeyondTheAccountsOrderLimitAreNotSent() async throws {
        let (server, venue, inbox) = try await start(serverOptions: ["--orders-per-10s", "5"])
        defer { server.stop(); venue.stop() }
        _ = try await venue.instruments()  // exchangeInfo: ORDERS 5 per 10 s
        let bid = try #require(try await book(server).bids.first?.price)
        let ids = (1...6).map { "dx-rate-\($0)" }
        for id in ids {
            // Far below the book: each expires at once, so only the count matters.
            venue.submit(OrderRequest(clientOrderId: id, venue: "binance", symbol: Self.eth, side: .buy,
                                      quantity: FixedDecimal("0.01")!, limitPrice: (bid * FixedDecimal("0.5")!).rounded(digits: 2, .down),
                                      submittedAt: Timestamp(nanoseconds: 0)))
        }
        var ended: [String: OrderUpdate] = [:]
        for _ in 0..<400 where ended.count < ids.count {
            for update in inbox.drain().orders where update.endsTheOrder { ended[update.clientOrderId] = update }
            try await Task.sleep(for: .milliseconds(50))
        }
        let refused = ended.values.compactMap { if case .rejected(let failure) = $0.kind { failure } else { nil } }
        let placed = (try await server.read("/control/orders") as? [[String: Any]] ?? []).count
        #expect(refused.allSatisfy { $0.code == "order_rate_limited" && $0.venueCode == nil }, "no -1015 from Binance: \(refused)")
        #expect(!refused.isEmpty && placed + refused.count == ids.count, "placed \(placed), refused \(refused.count)")
    }

    @Test func aKeyThatIsNotABinanceKeyIsRefusedBeforeAnythingIsSent() throws {
        let spec = VenueSpec(id: "binance", kind: .exchange, takerFee: .zero, stalenessBound: .seconds(5))
        #expect(throws: BinanceKeyError.self) {
            _ = try BinanceLiveVenue(settings: BinanceSettings(venue: spec, symbols: [Self.eth]),
                                     credentials: BinanceCredentials(apiKey: "not\"a key", secret: "x"))
        }
    }
}
