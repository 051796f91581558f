import DexterCEX
import DexterCore
import DexterMarket
import DexterNet
import DexterVenues
import Foundation
import Synchronization
import Testing
import TestServers

/// Binance orders over signed REST against the local Binance-protocol server: an IOC that fills, an ack that comes
/// too late or never (the order is found by its client id, never placed twice), a clock that drifts (-1021), and a
/// 429 after which nothing is sent until Retry-After.
@Suite(.serialized) struct BinanceExecutionTests {
    static let eth = Symbol(base: "ETH", quote: "USDT")
    static let key = "dexterExecTestKey" + String(repeating: "0", count: 47)
    static let secret = "dexterExecTestSecret" + String(repeating: "1", count: 44)

    func start() async throws -> (LocalBinance, BinanceExecution, VenueInbox) {
        let server = try LocalBinance(["--speed", "0", "--account", "\(Self.key):\(Self.secret):USDT=100000,ETH=10"])
        try await server.control("/control/advance", ["events": 200])
        let venue = VenueSpec(id: "binance", kind: .exchange, takerFee: FixedDecimal("0.001")!, stalenessBound: .seconds(5))
        var settings = BinanceSettings(venue: venue, symbols: [Self.eth], restURL: server.restURL, streamURL: server.streamURL)
        settings.requestTimeout = .milliseconds(2500)
        let execution = BinanceExecution(settings: settings, credentials: BinanceCredentials(apiKey: Self.key, secret: Self.secret),
                                         gate: RateLimitGate(limits: .init(weight: 6000)))
        let inbox = VenueInbox()
        try await execution.connect(inbox)
        return (server, execution, inbox)
    }

    /// The best ask on the server's book now.
    func bestAsk(_ server: LocalBinance) async throws -> FixedDecimal {
        let book = try BinanceMarketData.depthSnapshot(try await server.readBytes("/control/book?symbol=ETHUSDT&limit=5"))
        return try #require(book.asks.first?.price)
    }

    /// Updates for `id` until one ends the order (or 15 s pass: the peer is another process).
    func updates(_ inbox: VenueInbox, for id: String, until done: ([OrderUpdate]) -> Bool) async throws -> [OrderUpdate] {
        var seen: [OrderUpdate] = []
        for _ in 0..<300 where !done(seen) {
            seen += inbox.drain().orders.filter { $0.clientOrderId == id }
            if done(seen) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        return seen
    }

    func filled(_ updates: [OrderUpdate]) -> FixedDecimal {
        updates.reduce(.zero) { total, update in
            if case .fill(let fill) = update.kind { return total + fill.quantity }
            return total
        }
    }

    /// The server's own orders with this client id.
    func serverOrders(_ server: LocalBinance, _ id: String) async throws -> [[String: Any]] {
        let all = try await server.read("/control/orders") as? [[String: Any]] ?? []
        return all.filter { $0["clientOrderId"] as? String == id }
    }

    func order(_ id: String, at price: FixedDecimal) -> OrderRequest {
        OrderRequest(clientOrderId: id, venue: "binance", symbol: Self.eth, side: .buy, quantity: FixedDecimal("0.01")!,
                     limitPrice: price, submittedAt: Timestamp(nanoseconds: 0))
    }

    @Test func anIOCAtTheAskFillsAndEveryTradeComesWithItsId() async throws {
        let (server, execution, inbox) = try await start()
        defer { server.stop() }
        execution.submit(order("dx-fill-1", at: try await bestAsk(server)))
        let said = try await updates(inbox, for: "dx-fill-1") { filled($0) == FixedDecimal("0.01")! }
        #expect(filled(said) == FixedDecimal("0.01")!)
        #expect(said.first.map { if case .accepted = $0.kind { true } else { false } } == true)
        #expect(said.allSatisfy { if case .fill(let fill) = $0.kind { !fill.tradeId.isEmpty && fill.feeAsset == "ETH" } else { true } })
        let placed = try await serverOrders(server, "dx-fill-1")
        #expect(placed.count == 1 && placed.first?["status"] as? String == "FILLED")
        #expect(try await execution.query("dx-fill-1", on: "binance") != .unknown)
        #expect(try await execution.query("dx-never-sent", on: "binance") == .unknown)
    }

    @Test func aLateOrLostAckIsFoundByItsClientIdAndNeverPlacedTwice() async throws {
        let (server, execution, inbox) = try await start()
        defer { server.stop() }
        for (fault, id) in [(["type": "delay_ack", "seconds": 5, "count": 1] as [String: Any], "dx-late-1"),
                            (["type": "lose_ack", "count": 1], "dx-lost-1")] {
            try await server.control("/control/fault", fault)
            execution.submit(order(id, at: try await bestAsk(server)))
            let said = try await updates(inbox, for: id) { filled($0) == FixedDecimal("0.01")! }
            #expect(filled(said) == FixedDecimal("0.01")!, "\(fault): \(said)")
            let placed = try await serverOrders(server, id)
            #expect(placed.count == 1, "placed once: \(fault)")
            // Fills learned by query carry Binance's own trade ids: the same trades on the user stream count once.
            let tradeIds = said.compactMap { if case .fill(let fill) = $0.kind { fill.tradeId } else { nil } }
            let serverIds = ((placed.first?["fills"] as? [[String: Any]]) ?? []).compactMap { ($0["tradeId"] as? Int).map(String.init) }
            #expect(Set(tradeIds) == Set(serverIds) && !serverIds.isEmpty, "\(fault): \(tradeIds) vs \(serverIds)")
        }
    }

    @Test func aServerErrorIsNeverTakenForAnAnswerTheOrderIsAskedFor() async throws {
        let (server, execution, inbox) = try await start()
        defer { server.stop() }
        // 503 / -1001 after Binance executed it: found by its client id, its fills booked, placed once.
        try await server.control("/control/fault", ["type": "error", "status": 503, "code": -1001, "execute": true,
                                                    "scope": "orders", "count": 1])
        execution.submit(order("dx-5xx-done", at: try await bestAsk(server)))
        let done = try await updates(inbox, for: "dx-5xx-done") { filled($0) == FixedDecimal("0.01")! }
        #expect(filled(done) == FixedDecimal("0.01")!, "\(done)")
        #expect(try await serverOrders(server, "dx-5xx-done").count == 1)
        // 503 / -1001 before it executed: Binance has no such order, and the engine may send it again (same id).
        try await server.control("/control/fault", ["type": "error", "status": 503, "code": -1001, "execute": false,
                                                    "scope": "orders", "count": 1])
        execution.submit(order("dx-5xx-none", at: try await bestAsk(server)))
        let none = try await updates(inbox, for: "dx-5xx-none") { $0.contains(where: \.endsTheOrder) }
        guard case .rejected(let failure)? = none.last?.kind else { Issue.record("expected a refusal: \(none)"); return }
        #expect(failure.code == "not_placed" && failure.isRetryable, "\(failure)")
        #expect(try await serverOrders(server, "dx-5xx-none").isEmpty)
    }

    @Test func aDriftedClockIsMeasuredAgainAndTheOrderGoes() async throws {
        let (server, execution, inbox) = try await start()
        defer { server.stop() }
        try await server.control("/control/fault", ["type": "clock_shift", "ms": 120_000])
        execution.submit(order("dx-clock-1", at: try await bestAsk(server)))
        let said = try await updates(inbox, for: "dx-clock-1") { filled($0) == FixedDecimal("0.01")! }
        #expect(filled(said) == FixedDecimal("0.01")!, "\(said)")
        #expect(abs(execution.clockOffsetMillis - 120_000) < 5_000)
    }

    @Test func afterA429NothingIsSentUntilRetryAfter() async throws {
        let (server, execution, inbox) = try await start()
        defer { server.stop() }
        try await server.control("/control/fault", ["type": "rate_limit"])
        let price = try await bestAsk(server)
        execution.submit(order("dx-429-1", at: price))
        let first = try await updates(inbox, for: "dx-429-1") { !$0.isEmpty }
        guard case .rejected(let limited)? = first.first?.kind else { Issue.record("expected a refusal: \(first)"); return }
        #expect(limited.failureClass == .transient && limited.venueCode == "-1003", "\(limited)")
        execution.submit(order("dx-429-2", at: price))
        let second = try await updates(inbox, for: "dx-429-2") { !$0.isEmpty }
        guard case .rejected(let held)? = second.first?.kind else { Issue.record("expected a refusal: \(second)"); return }
        #expect(held.code == "not_sent" && held.reason.contains("stopped"), "held back, never sent: \(held)")
        #expect(try await serverOrders(server, "dx-429-2").isEmpty)
    }
}
