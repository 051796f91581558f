import DexterCEX
import DexterCore
import DexterVenues
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestServers

/// What the Binance USDⓈ-M execution tests share: the local USDⓈ-M server (Tests/Servers/binance_usdm) started with
/// one account, its BTCUSDT book scripted, its truth read on the control port, the desk's inbox drained.
enum USDMTestSupport {
    static let key = "dexterUSDMexecKey0001"
    static let secret = "USDMEXECTESTSECRET0123456789abcdef"
    static let venue: VenueId = "binance-usdm"

    /// The server with one account holding `usdt`, BTCUSDT's book at bids 30000.00 × 2, asks 30010.00 × 0.5 and
    /// 30020.00 × 2.
    static func start(usdt: String = "100000", clock: any DexterCore.Clock = WallClock(), secret: String = Self.secret,
                      fundingSince: Timestamp? = nil, incomePageSize: Int = 1_000) async throws
        -> (LocalBinanceUSDM, BinanceUSDMExecution, VenueInbox) {
        let server = try LocalBinanceUSDM(["--speed", "0", "--account", "\(key):\(Self.secret):USDT=\(usdt)"])
        try await server.control("/control/script", ["symbol": "BTCUSDT", "bids": [["30000.00", "2.000"]],
                                                     "asks": [["30010.00", "0.500"], ["30020.00", "2.000"]]])
        var settings = BinanceUSDMExecutionSettings(venue: venue, symbols: [usdmBTC], restURL: server.restURL,
                                                    streamURL: server.streamURL)
        settings.requestTimeout = .milliseconds(2500)
        settings.incomePageSize = incomePageSize
        let execution = BinanceUSDMExecution(settings: settings, credentials: BinanceCredentials(apiKey: key, secret: secret),
                                             fundingSince: fundingSince, clock: clock)
        let inbox = VenueInbox()
        try await execution.connect(inbox)
        // The stream's first reconcile (listenKey, income) is done before a test injects a fault that hits any request.
        try await until { execution.userStreamReconciles >= 1 }
        return (server, execution, inbox)
    }

    /// Waits (up to 15 s: the server is another process) until `condition` holds; fails the test if it never does.
    static func until(_ what: String = "the condition", _ condition: () -> Bool) async throws {
        for _ in 0..<300 where !condition() { try await Task.sleep(for: .milliseconds(50)) }
        try #require(condition(), "\(what) never came")
    }

    static func order(_ id: String, _ side: Side, _ quantity: String, at price: String, reduceOnly: Bool = false) -> OrderRequest {
        OrderRequest(clientOrderId: id, venue: venue, symbol: usdmBTC, side: side, quantity: FixedDecimal(quantity)!,
                     limitPrice: FixedDecimal(price)!, submittedAt: Timestamp(nanoseconds: 0), reduceOnly: reduceOnly)
    }

    /// Updates for `id` (kept in `seen` across calls) until `done` holds, or 15 s pass: the server is another process.
    static func updates(_ inbox: VenueInbox, for id: String, until done: ([OrderUpdate]) -> Bool) async throws -> [OrderUpdate] {
        var seen: [OrderUpdate] = []
        for _ in 0..<300 where !done(seen) {
            seen += inbox.drain().orders.filter { $0.clientOrderId == id }
            if done(seen) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        return seen
    }

    /// Fundings posted until `count` have come (or 15 s pass).
    static func fundings(_ inbox: VenueInbox, atLeast count: Int) async throws -> [FundingPayment] {
        var seen: [FundingPayment] = []
        // A wait, not a bound on time: a stream closed on a loaded machine is reconciled over REST, seconds later.
        for _ in 0..<600 where seen.count < count {
            seen += inbox.drain().fundings
            if seen.count >= count { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        return seen
    }

    static func fills(_ updates: [OrderUpdate]) -> [Fill] {
        updates.compactMap { if case .fill(let fill) = $0.kind { fill } else { nil } }
    }

    static func filled(_ updates: [OrderUpdate]) -> FixedDecimal { fills(updates).reduce(.zero) { $0 + $1.quantity } }

    static func ends(_ updates: [OrderUpdate]) -> Bool { updates.contains(where: \.endsTheOrder) }

    /// Done when `quantity` has filled (an IOC that fills entirely has no end besides its fills), or it ended.
    static func filled(_ quantity: String) -> ([OrderUpdate]) -> Bool {
        { updates in ends(updates) || filled(updates) >= FixedDecimal(quantity)! }
    }

    /// The server's orders under this client id, with their fills.
    static func serverOrders(_ server: LocalBinanceUSDM, clientOrderId: String) async throws -> [[String: Any]] {
        let all = try await server.read("/control/orders") as? [[String: Any]] ?? []
        return all.filter { $0["clientOrderId"] as? String == clientOrderId }
    }

    static func serverAccount(_ server: LocalBinanceUSDM) async throws -> [String: Any] {
        try await server.read("/control/account?apiKey=\(key)") as? [String: Any] ?? [:]
    }

    static func decimal(_ value: Any?) -> FixedDecimal? { (value as? String).flatMap(FixedDecimal.init) }

    /// Sends a signed request as another tool would, on the same account (what dexter itself never does: switch the
    /// position mode).
    static func sendAsAnotherTool(_ server: LocalBinanceUSDM, _ request: BinanceRequest) async throws -> [String: Any] {
        var call = URLRequest(url: URL(string: server.restURL + request.target)!)
        call.httpMethod = request.method
        for (name, value) in request.headers { call.setValue(value, forHTTPHeaderField: name) }
        let (body, _) = try await URLSession.shared.data(for: call)
        return try JSONSerialization.jsonObject(with: body) as? [String: Any] ?? [:]
    }
}
