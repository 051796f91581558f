import DexterCEX
import DexterCore
import DexterNet
import DexterVenues
import Foundation
import Synchronization
import Testing
import TestServers

/// Bybit's private stream against the local Bybit v5 server: authorised with the oracle's example key, a funding
/// settlement reaches the desk as one FundingPayment (Bybit's own figure), a fill goes to the fills, and after a
/// dropped connection it authorises and subscribes again; a bad key is refused and said.
@Suite(.serialized) struct BybitPrivateStreamTests {
    static let btc = Symbol(base: "BTC", quote: "USDT", settle: "USDT")
    static let credentials = BybitCredentials(apiKey: "bybit-test-key", secret: "bybit-test-secret")
    static let stream = WebSocketSettings(url: "", pingEvery: .seconds(5), backoff: Backoff(first: .milliseconds(50), cap: .milliseconds(200)))

    final class Fills: Sendable {
        let rows = Mutex<[BybitExecutionRow]>([])
    }

    /// Waits up to 60 s (a loaded machine runs the server slowly), and stops the test if it never comes.
    func waitUntil(_ what: String, _ done: () -> Bool) async throws {
        for _ in 0..<1_200 where !done() { try await Task.sleep(for: .milliseconds(50)) }
        try #require(done(), "\(what) never happened")
    }

    /// Waits for the payments the inbox receives, `count` of them.
    func payments(_ inbox: VenueInbox, _ count: Int) async throws -> [FundingPayment] {
        var found: [FundingPayment] = []
        for _ in 0..<300 where found.count < count {
            found += inbox.drain().fundings
            try await Task.sleep(for: .milliseconds(50))
        }
        return found
    }

    @Test func fundingReachesTheDeskOnceAndTheStreamComesBackAfterADrop() async throws {
        let server = try LocalBybit()
        defer { server.stop() }
        try await server.control("/control/script", ["symbol": "BTCUSDT", "bids": [["27449.5", "1"]], "asks": [["27451", "1"]]])
        let fills = Fills()
        let stream = BybitPrivateStream(venue: "bybit", url: server.privateWSURL, credentials: Self.credentials, symbols: [Self.btc],
                                        stream: Self.stream) { row in fills.rows.withLock { $0.append(row) } }
        defer { stream.stop() }
        let inbox = VenueInbox()
        stream.start(into: inbox)
        try await waitUntil("the subscription") { stream.isSubscribed }
        _ = try await BybitSigningTests.send(server) {
            BybitRequestBuilder(credentials: Self.credentials).createOrder(
                symbol: "BTCUSDT", side: .buy, quantity: FixedDecimal("0.01")!, price: FixedDecimal(27451), orderLinkId: "dx-long", at: $0)
        }
        try await waitUntil("the fill") { fills.rows.withLock { $0.count } == 1 }
        #expect(fills.rows.withLock { $0.first?.orderLinkId } == "dx-long")
        try await server.control("/control/funding", ["symbol": "BTCUSDT", "rate": "0.0002", "markPrice": "27450"])
        let settled = try #require(try await server.control("/control/settle_funding", ["symbol": "BTCUSDT"]) as? [String: Any])
        let row = try #require((settled["rows"] as? [[String: Any]])?.first)
        let first = try await payments(inbox, 1)
        #expect(first.count == 1)
        let payment = try #require(first.first)
        let funding = try #require(row["funding"] as? String)
        #expect(payment.id == row["execId"] as? String && payment.amount == FixedDecimal(funding))
        #expect(payment.amount == FixedDecimal("-0.0549")!, "the long pays 0.01 × 27450 × 0.0002")
        #expect(payment.positionSize == FixedDecimal("0.01")! && payment.rate == FixedDecimal("0.0002")!)
        #expect(fills.rows.withLock { $0.count } == 1, "funding is not a fill")

        try await server.control("/control/fault", ["type": "drop_ws", "which": "private"])
        try await waitUntil("a second session") { stream.sessions == 2 && stream.isSubscribed }
        try await server.control("/control/settle_funding", ["symbol": "BTCUSDT"])
        let second = try await payments(inbox, 1)
        #expect(second.count == 1 && second.first?.id != payment.id, "the next settlement, once")
        #expect(stream.since != nil && stream.problem == nil)
    }

    @Test func aBadKeyIsRefusedAndSaid() async throws {
        let server = try LocalBybit()
        defer { server.stop() }
        let stream = BybitPrivateStream(venue: "bybit", url: server.privateWSURL,
                                        credentials: BybitCredentials(apiKey: "bybit-test-key", secret: "wrong"),
                                        symbols: [Self.btc], stream: Self.stream)
        defer { stream.stop() }
        stream.start(into: VenueInbox())
        try await waitUntil("the refusal") { stream.problem != nil }
        #expect(stream.problem == "Bybit refused auth: Request not authorized" && !stream.isSubscribed)
    }
}
