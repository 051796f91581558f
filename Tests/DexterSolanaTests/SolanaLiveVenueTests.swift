import DexterCore
import DexterCrypto
import DexterMarket
import DexterVenues
import Foundation
import TestServers
import Testing

@testable import DexterSolana

/// The Solana venue on the seam, against the local node and the local Jupiter Swap API server: orders become Jupiter
/// swaps bounded by their limit, signed by dexter, followed to their end and booked from the transactions' own
/// balances — and the wallet moves by exactly what the reports say (SOL: the fill and the fees; USDC: the fill).
/// Blocks move only when the venue pauses between polls (`advance`), so nothing depends on time.
@Suite(.serialized) struct SolanaLiveVenueTests {
    static let venueId = VenueId("jupiter")
    static let pair = Symbol(base: "SOL", quote: "USDC")

    struct Scene {
        let node: LocalSolanaRuntime
        let jupiter: LocalJupiter
        let rpc: SolanaRPCClient
        let user: SolanaKeypair
        let usdc: SolanaPublicKey
        let settings: SolanaChainSettings
        let journalPath: String

        /// A wallet with 2 SOL native (fees), 50 SOL as wSOL and 10,000 USDC; a pool of 10,000 SOL and 1,500,000
        /// USDC at 25 bp (the market ≈ 150).
        static func start() async throws -> Scene {
            let node = try LocalSolanaRuntime()
            let jupiter = try LocalJupiter(node: node)
            let user = try SolanaKeypair(seed: [UInt8](repeating: 31, count: 32))
            try await node.airdrop(user.publicKey.description, lamports: 2_000_000_000)
            let wsol = SolanaChainSettings.wrappedSOL.description
            let usdc = try await node.createMint(decimals: 6)
            _ = try await node.setTokenAccount(mint: wsol, owner: user.publicKey.description, amount: 50_000_000_000)
            _ = try await node.setTokenAccount(mint: usdc, owner: user.publicKey.description, amount: 10_000_000_000)
            try await jupiter.control("/control/pool", ["mintA": wsol, "mintB": usdc, "reserveA": "10000000000000",
                                                        "reserveB": "1500000000000", "feeBps": 25])
            try await node.advance(1)
            let settings = SolanaChainSettings(rpcURLs: [node.rpcURL], jupiterURL: jupiter.restURL,
                                               tokens: ["SOL": SolanaChainSettings.wrappedSOL, "USDC": try SolanaPublicKey(base58: usdc)],
                                               pollInterval: .milliseconds(100))
            return Scene(node: node, jupiter: jupiter, rpc: try SolanaRPCClient(urls: [node.rpcURL]), user: user,
                         usdc: try SolanaPublicKey(base58: usdc), settings: settings,
                         journalPath: FileManager.default.temporaryDirectory.appendingPathComponent("sol-\(UUID().uuidString).jsonl").path)
        }

        func venue(maxAttempts: Int = 3, pause: (@Sendable () async throws -> Void)? = nil) async throws -> (SolanaLiveVenue, VenueInbox) {
            let feed = JupiterMarketFeed(venue: VenueSpec(id: SolanaLiveVenueTests.venueId, kind: .dex(chain: "solana"), takerFee: .zero,
                                                          stalenessBound: .seconds(30)),
                                         chain: settings, symbols: [SolanaLiveVenueTests.pair],
                                         sizes: [FixedDecimal(1), FixedDecimal(5), FixedDecimal(20)], rpc: rpc)
            let venue = SolanaLiveVenue(feed: feed, chain: settings, rpc: rpc, keypair: user,
                                        journal: try SolanaOrderJournal(path: journalPath),
                                        maxAttempts: maxAttempts, pause: pause ?? nextBlock)
            _ = try await venue.instruments()
            let inbox = VenueInbox()
            try await venue.connect(inbox)
            return (venue, inbox)
        }

        var nextBlock: @Sendable () async throws -> Void { { [node] in try await node.advance(1) } }

        func stop() {
            jupiter.stop()
            node.stop()
            try? FileManager.default.removeItem(atPath: journalPath)
        }
    }

    static func order(_ id: String, side: Side, quantity: String, limit: String) -> OrderRequest {
        OrderRequest(clientOrderId: id, venue: venueId, symbol: pair, side: side, quantity: FixedDecimal(quantity)!,
                     limitPrice: FixedDecimal(limit)!, submittedAt: WallClock().now())
    }

    /// Waits for the order's last word, collecting every update.
    static func updates(_ inbox: VenueInbox, until clientOrderId: String, quantity: FixedDecimal) async throws -> [OrderUpdate] {
        var seen: [OrderUpdate] = []
        for _ in 0..<800 {
            seen += inbox.drain().orders
            let mine = seen.filter { $0.clientOrderId == clientOrderId }
            let filled = mine.reduce(FixedDecimal.zero) { if case .fill(let fill) = $1.kind { $0 + fill.quantity } else { $0 } }
            if filled == quantity || mine.contains(where: \.endsTheOrder) { return mine }
            try await Task.sleep(for: .milliseconds(25))
        }
        Issue.record("no end for \(clientOrderId): \(seen)")
        throw CancellationError()
    }

    /// What a ledger books from the updates: SOL and USDC by the fill, SOL by the gas.
    static func booked(_ updates: [OrderUpdate], side: Side) -> [Asset: FixedDecimal] {
        var moved: [Asset: FixedDecimal] = ["SOL": .zero, "USDC": .zero]
        let sign = side == .buy ? FixedDecimal.one : .zero - .one
        for update in updates {
            if case .fill(let fill) = update.kind {
                moved["SOL", default: .zero] += sign * fill.quantity
                moved["USDC", default: .zero] -= sign * fill.notional
            }
            moved["SOL", default: .zero] -= update.gas
        }
        return moved
    }

    /// The constant-product terms the Jupiter server documents: ExactIn out, and ExactOut's least input.
    static func out(_ amountIn: UInt128, reserveIn: UInt128, reserveOut: UInt128) -> UInt128 {
        amountIn * 9_975 * reserveOut / (reserveIn * 10_000 + amountIn * 9_975)
    }

    @Test func aSellAndABuyFillExactlyAndTheWalletMovesByWhatIsBooked() async throws {
        let scene = try await Scene.start()
        defer { scene.stop() }
        let (venue, inbox) = try await scene.venue()
        let before = try await venue.balances(on: Self.venueId)
        venue.submit(Self.order("sell-1", side: .sell, quantity: "2", limit: "140"))
        let sold = try await Self.updates(inbox, until: "sell-1", quantity: FixedDecimal(2))
        let expectedOut = Self.out(2_000_000_000, reserveIn: 10_000_000_000_000, reserveOut: 1_500_000_000_000)
        let fill = try #require(sold.compactMap { if case .fill(let fill) = $0.kind { fill } else { nil } }.first)
        #expect(fill.quantity == FixedDecimal(2))
        #expect(fill.notional == FixedDecimal(units: Int128(expectedOut), decimals: 6))
        #expect(sold.contains { $0.route?.contains("via Jupiter") == true })
        let gas = sold.reduce(FixedDecimal.zero) { $0 + $1.gas }
        #expect(gas.isPositive, "the transaction's fee is booked as gas")

        venue.submit(Self.order("buy-1", side: .buy, quantity: "1", limit: "160"))
        let bought = try await Self.updates(inbox, until: "buy-1", quantity: FixedDecimal(1))
        #expect(bought.contains { if case .fill(let fill) = $0.kind { fill.quantity == FixedDecimal(1) } else { false } })

        let after = try await venue.balances(on: Self.venueId)
        var expected = before
        for (asset, moved) in Self.booked(sold, side: .sell).merging(Self.booked(bought, side: .buy), uniquingKeysWith: +) {
            expected[asset, default: .zero] += moved
        }
        #expect(after["SOL"] == expected["SOL"], "SOL: chain \(after["SOL"] ?? .zero), booked \(expected["SOL"] ?? .zero)")
        #expect(after["USDC"] == expected["USDC"], "USDC: chain \(after["USDC"] ?? .zero), booked \(expected["USDC"] ?? .zero)")
    }

    @Test func aLimitPastTheMarketEndsExpiredWithNothingSigned() async throws {
        let scene = try await Scene.start()
        defer { scene.stop() }
        let (venue, inbox) = try await scene.venue()
        let before = try await venue.balances(on: Self.venueId)
        venue.submit(Self.order("sell-high", side: .sell, quantity: "2", limit: "200"))
        let updates = try await Self.updates(inbox, until: "sell-high", quantity: FixedDecimal(2))
        #expect(updates.contains { if case .expired(let reason) = $0.kind { reason?.contains("past the order's limit") == true } else { false } })
        let journal = try SolanaOrderJournal(path: scene.journalPath)
        #expect(journal.entry("sell-high")?.attempts.isEmpty == true)
        #expect(try await venue.balances(on: Self.venueId) == before)
    }

    @Test func aSwapTheWalletCannotPayIsRefusedInSimulationAndNothingIsSent() async throws {
        let scene = try await Scene.start()
        defer { scene.stop() }
        let (venue, inbox) = try await scene.venue()
        venue.submit(Self.order("sell-too-much", side: .sell, quantity: "60", limit: "100"))
        let updates = try await Self.updates(inbox, until: "sell-too-much", quantity: FixedDecimal(60))
        let failure = try #require(updates.compactMap { if case .rejected(let failure) = $0.kind { failure } else { nil } }.first)
        #expect(failure.code == "would_fail", "\(failure)")
        let journal = try SolanaOrderJournal(path: scene.journalPath)
        #expect(journal.entry("sell-too-much")?.attempts.isEmpty == true)
    }

    @Test func aTransactionThatNeverReachesTheChainExpiresAndIsSignedAgainOnlyWhileTheBoundHolds() async throws {
        let scene = try await Scene.start()
        defer { scene.stop() }
        // Every send of the first transaction is lost; the venue waits 60 blocks at a time, so its blockhash (valid
        // 150 blocks) runs out after three polls.
        try await scene.node.fault("drop", ["method": "sendTransaction", "count": 4, "signer": scene.user.publicKey.description])
        let (venue, inbox) = try await scene.venue(pause: { [node = scene.node] in try await node.advance(60) })
        venue.submit(Self.order("sell-expiring", side: .sell, quantity: "1", limit: "140"))
        let updates = try await Self.updates(inbox, until: "sell-expiring", quantity: FixedDecimal(1))
        let entry = try #require(try SolanaOrderJournal(path: scene.journalPath).entry("sell-expiring"))
        try #require(entry.attempts.count == 2, "one expired transaction, then one signed with a fresh blockhash: \(updates)")
        #expect(updates.contains { if case .fill = $0.kind { true } else { false } })
        #expect(updates.contains { $0.kind == .routeChanged && $0.route?.contains("attempt 2") == true })
        // The first can never land: the chain never saw it.
        let first = try await scene.rpc.signatureStatuses([entry.attempts[0].signature], searchTransactionHistory: true)
        #expect(first.statuses == [nil])
    }

    @Test func anExpiredTransactionWithNoAttemptLeftEndsTheOrderExpired() async throws {
        let scene = try await Scene.start()
        defer { scene.stop() }
        try await scene.node.fault("drop", ["method": "sendTransaction", "count": 10, "signer": scene.user.publicKey.description])
        let (venue, inbox) = try await scene.venue(maxAttempts: 1, pause: { [node = scene.node] in try await node.advance(60) })
        let before = try await venue.balances(on: Self.venueId)
        venue.submit(Self.order("sell-once", side: .sell, quantity: "1", limit: "140"))
        let updates = try await Self.updates(inbox, until: "sell-once", quantity: FixedDecimal(1))
        #expect(updates.contains { if case .expired(let reason) = $0.kind { reason?.contains("blockhash") == true } else { false } })
        #expect(try await venue.balances(on: Self.venueId) == before)
    }

    @Test func aNodeThatGoesAwayLeavesTheOrderOpenAndARestartedDeskSettlesItFromTheChain() async throws {
        let scene = try await Scene.start()
        defer { scene.stop() }
        // The first pause (the transaction already sent) takes the node down: the wait loses sight of it.
        let downOnce = DownOnce(node: scene.node)
        let (venue, inbox) = try await scene.venue(pause: { try await downOnce.pause() })
        venue.submit(Self.order("sell-blind", side: .sell, quantity: "1", limit: "140"))
        var seen: [OrderUpdate] = []
        for _ in 0..<400 where !seen.contains(where: { if case .accepted = $0.kind { true } else { false } }) {
            seen += inbox.drain().orders
            try await Task.sleep(for: .milliseconds(25))
        }
        // Once the node answers again, a restarted desk (a new venue on the same journal) asks by client id: the
        // journal names the transaction, the chain says it landed, and it is booked.
        var restarted: SolanaLiveVenue?
        var answer = OrderQueryAnswer.unknown
        for _ in 0..<200 {
            try? await scene.node.advance(1)
            if restarted == nil { restarted = try? await scene.venue().0 }
            if let found = try? await restarted?.query("sell-blind", on: Self.venueId), case .found(let report) = found, report.isDone {
                answer = found
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        guard case .found(let report) = answer else {
            Issue.record("the query never settled the order")
            return
        }
        #expect(report.status == .filled && report.filledQuantity == FixedDecimal(1))
        let guessed = seen.contains { $0.endsTheOrder }
        #expect(!guessed, "no end was guessed while the node was away")
    }
}

/// A pause that takes the node down for a second the first time it is called.
final class DownOnce: @unchecked Sendable {
    let node: LocalSolanaRuntime
    private let lock = NSLock()
    private var done = false

    init(node: LocalSolanaRuntime) { self.node = node }

    func pause() async throws {
        let first = lock.withLock { () -> Bool in
            defer { done = true }
            return !done
        }
        if first { try await node.fault("down", ["seconds": 2]) }
        try await node.advance(1)
    }
}
