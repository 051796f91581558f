import BigInt
import DexterCore
import DexterCrypto
import DexterMarket
import DexterVenues
import Foundation
import TestServers
import Testing

@testable import DexterSolana

/// A pool venue LIVE: its market is a real Whirlpool read from its accounts on the local node (the vectors' bytes),
/// and its orders go through Jupiter limited to the Whirlpool DEX and that one pool. The local Jupiter server stands a
/// pool at the Whirlpool's address (the program itself cannot run here); a route through any other pool is refused
/// before anything is signed.
@Suite(.serialized) struct SolanaPoolVenueTests {
    static let venueId = VenueId("orca")
    static let pair = Symbol(base: "TKA", quote: "TKB")

    struct Scene {
        let node: LocalSolanaRuntime
        let jupiter: LocalJupiter
        let pool: SolanaPoolFixtures.Whirlpool
        let user: SolanaKeypair
        let settings: SolanaChainSettings
        let journalPath: String

        /// The Whirlpool (≈ 1 TKB per TKA) on the node; a wallet with 1,000 of each; Jupiter's pool of the same pair at
        /// `ammKey` (the Whirlpool's address unless told otherwise), 1,000,000 of each.
        static func start(ammKey: SolanaPublicKey? = nil) async throws -> Scene {
            let node = try LocalSolanaRuntime()
            let jupiter = try LocalJupiter(node: node)
            let pool = try #require(try SolanaPoolFixtures.Whirlpool.cases("ts1_fee100").first)
            try await pool.write(to: node)
            let user = try SolanaKeypair(seed: [UInt8](repeating: 41, count: 32))
            try await node.airdrop(user.publicKey.description, lamports: 2_000_000_000)
            _ = try await node.setTokenAccount(mint: pool.mintA.description, owner: user.publicKey.description, amount: 1_000_000_000)
            _ = try await node.setTokenAccount(mint: pool.mintB.description, owner: user.publicKey.description, amount: 1_000_000_000)
            try await jupiter.control("/control/pool", ["mintA": pool.mintA.description, "mintB": pool.mintB.description,
                                                        "reserveA": "1000000000000", "reserveB": "1000000000000", "feeBps": 1,
                                                        "label": "Whirlpool", "ammKey": (ammKey ?? pool.address).description])
            try await node.advance(1)
            let settings = SolanaChainSettings(rpcURLs: [node.rpcURL], jupiterURL: jupiter.restURL,
                                               tokens: ["TKA": pool.mintA, "TKB": pool.mintB], pollInterval: .milliseconds(100))
            return Scene(node: node, jupiter: jupiter, pool: pool, user: user, settings: settings,
                         journalPath: FileManager.default.temporaryDirectory.appendingPathComponent("orca-\(UUID().uuidString).jsonl").path)
        }

        func venue() async throws -> (SolanaLiveVenue, VenueInbox) {
            let spec = VenueSpec(id: SolanaPoolVenueTests.venueId, kind: .dex(chain: "solana"), takerFee: .zero, stalenessBound: .seconds(30))
            let feed = try SolanaPoolFeed(pools: [.init(venue: spec, symbol: SolanaPoolVenueTests.pair, kind: .whirlpool,
                                                        address: pool.address, baseMint: pool.mintA)], rpcURLs: [node.rpcURL])
            let venue = SolanaLiveVenue(feed: feed, chain: settings, rpc: try SolanaRPCClient(urls: [node.rpcURL]),
                                        routing: .pool(label: "Whirlpool", pools: [SolanaPoolVenueTests.pair: pool.address]),
                                        keypair: user, journal: try SolanaOrderJournal(path: journalPath),
                                        pause: { [node] in try await node.advance(1) })
            _ = try await venue.instruments()
            let inbox = VenueInbox()
            try await venue.connect(inbox)
            return (venue, inbox)
        }

        func stop() {
            jupiter.stop()
            node.stop()
            try? FileManager.default.removeItem(atPath: journalPath)
        }
    }

    static func order(_ id: String) -> OrderRequest {
        OrderRequest(clientOrderId: id, venue: venueId, symbol: pair, side: .sell, quantity: FixedDecimal(10), limitPrice: FixedDecimal("0.9")!,
                     submittedAt: WallClock().now())
    }

    @Test func aPoolVenuesMarketIsTheWhirlpoolAndItsOrderGoesThroughThatPoolAlone() async throws {
        let scene = try await Scene.start()
        defer { scene.stop() }
        let (venue, inbox) = try await scene.venue()
        let market = try #require(venue.feed.market(MarketKey(venue: Self.venueId, symbol: Self.pair)))
        guard case .concentrated(let pool) = market.liquidity else {
            Issue.record("the venue's market is not the Whirlpool's: \(market.liquidity)")
            return
        }
        #expect(pool.sqrtPriceX96 == BigUIntFromWhirlpool.x96(scene.pool.state.sqrtPrice))
        let before = try await venue.balances(on: Self.venueId)
        venue.submit(Self.order("orca-sell"))
        let updates = try await SolanaLiveVenueTests.updates(inbox, until: "orca-sell", quantity: FixedDecimal(10))
        let fill = try #require(updates.compactMap { if case .fill(let fill) = $0.kind { fill } else { nil } }.first)
        #expect(fill.quantity == FixedDecimal(10) && fill.notional > FixedDecimal(9))
        let after = try await venue.balances(on: Self.venueId)
        #expect(after["TKA"] == (before["TKA"] ?? .zero) - FixedDecimal(10))
        #expect(after["TKB"] == (before["TKB"] ?? .zero) + fill.notional)
    }

    @Test func aRouteThroughAnotherPoolIsRefusedBeforeSigning() async throws {
        let scene = try await Scene.start(ammKey: try SolanaKeypair(seed: [UInt8](repeating: 42, count: 32)).publicKey)
        defer { scene.stop() }
        let (venue, inbox) = try await scene.venue()
        venue.submit(Self.order("orca-elsewhere"))
        let updates = try await SolanaLiveVenueTests.updates(inbox, until: "orca-elsewhere", quantity: FixedDecimal(10))
        let failure = try #require(updates.compactMap { if case .rejected(let failure) = $0.kind { failure } else { nil } }.first)
        #expect(failure.venueMessage?.contains("not the venue's Whirlpool pool \(scene.pool.address)") == true, "\(failure)")
        let journal = try SolanaOrderJournal(path: scene.journalPath)
        #expect(journal.entry("orca-elsewhere")?.attempts.isEmpty == true)
    }
}

/// A Whirlpool's Q64.64 sqrt price as the desk's Q64.96.
enum BigUIntFromWhirlpool {
    static func x96(_ sqrtPrice: UInt128) -> BigUInt { BigUInt(sqrtPrice) << 32 }
}
