import DexterCore
import DexterCrypto
import DexterMarket
import DexterVenues
import Foundation
import TestServers
import Testing

@testable import DexterSolana

/// SolanaPoolFeed against the local Solana node (Tests/Servers/solana), given the vectors' real accounts with
/// /control/account: a Whirlpool (ts64_fee3000, its mints and tick arrays) and a Raydium CPMM pool (sol_usdc_cfg0, its
/// AmmConfig and both vaults as SPL token accounts). The markets published are the vectors' own numbers; a rewritten
/// account reaches the inbox pushed by accountSubscribe, or polled without a socket; the node going away takes the
/// venues down and its return brings them back.
@Suite(.serialized) struct SolanaPoolFeedTests {
    static let orca = VenueSpec(id: "orca", kind: .dex(chain: "solana"), takerFee: .zero, stalenessBound: .seconds(60))
    static let raydium = VenueSpec(id: "raydium", kind: .dex(chain: "solana"), takerFee: .zero, stalenessBound: .seconds(60))
    static let whirlpoolKey = MarketKey(venue: "orca", symbol: Symbol(base: "WIF", quote: "SOL"))
    static let cpmmKey = MarketKey(venue: "raydium", symbol: Symbol(base: "SOL", quote: "USDC"))

    /// Two cases of each pool at different prices; the Whirlpool's base is its token B (so B/A is the desk's price).
    struct Setup {
        let node: LocalSolanaRuntime
        let whirlpools: [SolanaPoolFixtures.Whirlpool]
        let cpmms: [SolanaPoolFixtures.CPMM]

        init() async throws {
            node = try LocalSolanaRuntime()
            let all = try SolanaPoolFixtures.Whirlpool.cases("ts64_fee3000")
            // Prices in the middle array, two apart: the five arrays around each are the five the vectors hold.
            let middle = all.filter { (-22528 ..< -16896).contains(Int($0.state.tickCurrentIndex)) }
            let first = try #require(middle.first)
            let second = try #require(middle.first { $0.state.sqrtPrice != first.state.sqrtPrice })
            whirlpools = [first, second]
            let cpmm = try SolanaPoolFixtures.CPMM.cases("sol_usdc_cfg0")
            cpmms = [try #require(cpmm.first), try #require(cpmm.first { $0.vault0 != cpmm[0].vault0 })]
            try await whirlpools[0].write(to: node)
            try await cpmms[0].write(to: node)
        }

        func feed(webSocket: Bool, pollInterval: Duration) throws -> SolanaPoolFeed {
            try SolanaPoolFeed(pools: [
                .init(venue: orca, symbol: whirlpoolKey.symbol, kind: .whirlpool, address: whirlpools[0].address,
                      baseMint: whirlpools[0].mintB),
                .init(venue: raydium, symbol: cpmmKey.symbol, kind: .raydiumCPMM, address: cpmms[0].address,
                      baseMint: cpmms[0].pool.token0Mint),
            ], rpcURLs: [node.rpcURL], webSocketURL: webSocket ? node.wsURL : nil, pollInterval: pollInterval,
               requestTimeout: .seconds(2))
        }
    }

    @Test func theMarketsPublishedAreTheVectorsOwn() async throws {
        let setup = try await Setup()
        defer { setup.node.stop() }
        let feed = try setup.feed(webSocket: false, pollInterval: .seconds(60))
        let instruments = try await feed.instruments()
        #expect(instruments.count == 2)
        let whirlpool = try #require(feed.market(Self.whirlpoolKey))
        let expected = setup.whirlpools[0].expected(baseIsA: false)
        #expect(whirlpool.liquidity == .concentrated(expected))
        // A swap is one transaction, priced at its signature's 5,000 lamports.
        #expect(whirlpool.gasUnits == 5_000)
        let gas = try await feed.currentGas()
        #expect(gas.count == 1 && gas[0].chain == "solana" && gas[0].token == "SOL")
        #expect(gas.first?.cost(units: whirlpool.gasUnits) == FixedDecimal(units: 5, decimals: 6))
        #expect(expected.ticks.count > 10 && !expected.baseIsToken0 && expected.feePips == 3000)
        // Base B (9 places), quote A (6): the instrument prices in the quote's unit.
        #expect(whirlpool.instrument.tickSize == FixedDecimal(units: 1, decimals: 6))
        #expect(instruments.first { $0.market.key == Self.whirlpoolKey }?.poolAddress == setup.whirlpools[0].address.description)

        let cpmm = try #require(feed.market(Self.cpmmKey))
        #expect(cpmm.liquidity == .constantProduct(setup.cpmms[0].expected(baseIsToken0: true)))
        guard case .constantProduct(let pool) = cpmm.liquidity else { return }
        #expect(pool.feeBps == 25 && pool.baseDecimals == 9 && pool.quoteDecimals == 6)
    }

    @Test func aRewrittenPoolIsPushedByAccountSubscribe() async throws {
        let setup = try await Setup()
        defer { setup.node.stop() }
        // A poll a minute apart: whatever arrives sooner was pushed.
        let feed = try setup.feed(webSocket: true, pollInterval: .seconds(60))
        defer { feed.stop() }
        try await rewritesReachTheInbox(setup, feed)
        #expect(feed.notificationsPushed >= 2)
    }

    @Test func aRewrittenPoolIsPolledWithoutASocket() async throws {
        let setup = try await Setup()
        defer { setup.node.stop() }
        let feed = try setup.feed(webSocket: false, pollInterval: .milliseconds(100))
        defer { feed.stop() }
        try await rewritesReachTheInbox(setup, feed)
        #expect(feed.notificationsPushed == 0)
    }

    private func rewritesReachTheInbox(_ setup: Setup, _ feed: SolanaPoolFeed) async throws {
        let inbox = VenueInbox()
        try await feed.subscribe([Self.whirlpoolKey, Self.cpmmKey], into: inbox)
        let opening = inbox.drain()
        #expect(Set(opening.connections.map(\.venue)) == ["orca", "raydium"] && opening.connections.allSatisfy { $0.state == .live })
        #expect(opening.market.count == 2)
        if feed.pollInterval >= .seconds(1) {
            // Changes are pushed once every subscription is answered: the socket has its moment before the writes.
            var states: [(venue: VenueId, state: ConnectionState)] = []
            try await Self.waitFor(inbox, "the subscription live", connections: &states) { _ in false } until: { _ in feed.isPushLive }
        }

        try await setup.whirlpools[1].writePool(to: setup.node)
        let moved = Liquidity.concentrated(setup.whirlpools[1].expected(baseIsA: false))
        _ = try await Self.waitFor(inbox, "the rewritten Whirlpool") { event in
            if case .liquidity(Self.whirlpoolKey, moved, _, _) = event { return true }
            return false
        }
        #expect(feed.market(Self.whirlpoolKey)?.liquidity == moved)

        // A swap moves the vaults, not the pool account: the vaults are watched too.
        try await setup.cpmms[1].writeVaults(to: setup.node)
        var reserves = setup.cpmms[0]
        reserves = SolanaPoolFixtures.CPMM(address: reserves.address, poolData: reserves.poolData,
                                           configAddress: reserves.configAddress, configData: reserves.configData,
                                           pool: reserves.pool, vault0: setup.cpmms[1].vault0, vault1: setup.cpmms[1].vault1,
                                           tradeFeeRate: reserves.tradeFeeRate)
        let refilled = Liquidity.constantProduct(reserves.expected(baseIsToken0: true))
        _ = try await Self.waitFor(inbox, "the CPMM pool with its new vault balances") { event in
            if case .liquidity(Self.cpmmKey, refilled, _, _) = event { return true }
            return false
        }
    }

    @Test(arguments: [false, true]) func theNodeGoingAwayTakesTheVenuesDownAndBack(webSocket: Bool) async throws {
        let setup = try await Setup()
        defer { setup.node.stop() }
        let feed = try setup.feed(webSocket: webSocket, pollInterval: .milliseconds(100))
        defer { feed.stop() }
        let inbox = VenueInbox()
        try await feed.subscribe([Self.whirlpoolKey, Self.cpmmKey], into: inbox)
        _ = inbox.drain()
        // Long enough that a poll (every 100 ms, each refused connection failing within its 1 s connect timeout) meets it
        // even with both cores busy: the full suite missed a 2 s window once.
        try await setup.node.fault("down", ["seconds": 6])
        var states: [(venue: VenueId, state: ConnectionState)] = []
        _ = try await Self.waitFor(inbox, "the venues down", connections: &states) { _ in false } until: { states in
            Set(states.filter { if case .down = $0.state { true } else { false } }.map(\.venue)) == ["orca", "raydium"]
        }
        let down = states.first { if case .down = $0.state { true } else { false } }
        #expect(down.map { "\($0.state)".contains("Solana RPC") } == true, "\(String(describing: down))")
        states = []
        _ = try await Self.waitFor(inbox, "the venues live again", connections: &states) { _ in false } until: { states in
            Set(states.filter { $0.state == .live }.map(\.venue)) == ["orca", "raydium"]
        }
        // Once back, the pools are posted again.
        _ = try await Self.waitFor(inbox, "a pool posted after the return") { event in
            if case .liquidity(Self.whirlpoolKey, _, _, _) = event { return true }
            return false
        }
    }

    @Test func badAccountDataIsAnErrorNamingThePoolAndTheField() async throws {
        let setup = try await Setup()
        defer { setup.node.stop() }
        let feed = try setup.feed(webSocket: false, pollInterval: .seconds(60))
        try await setup.node.setAccount(pubkey: setup.whirlpools[0].address.description,
                                        owner: SolanaPoolKind.whirlpool.program.description,
                                        data: Array(setup.whirlpools[0].data.dropLast()))
        await #expect {
            _ = try await feed.instruments()
        } throws: { error in
            "\(error)" == "orca WIF/SOL (whirlpool \(setup.whirlpools[0].address)): Whirlpool: data length at offset 0: "
                + "652 bytes, expected 653"
        }
        try await setup.whirlpools[0].writePool(to: setup.node)
        // A trade fee of 25.5 bp has no whole-basis-point model.
        var config = setup.cpmms[0].configData
        config.replaceSubrange(12..<20, with: withUnsafeBytes(of: UInt64(2550).littleEndian) { Array($0) })
        try await setup.node.setAccount(pubkey: setup.cpmms[0].configAddress,
                                        owner: SolanaPoolKind.raydiumCPMM.program.description, data: config)
        await #expect {
            _ = try await feed.instruments()
        } throws: { error in
            "\(error)".hasPrefix("raydium SOL/USDC (raydiumCPMM \(setup.cpmms[0].address)): the AmmConfig's "
                                 + "trade_fee_rate 2550 (millionths) is not a whole basis point")
        }
    }

    /// Drains `inbox` until an event satisfies `match` (or the connection states so far satisfy `until`); gives up
    /// after 30 s, a bound for a stuck test, not a measurement.
    @discardableResult
    static func waitFor(_ inbox: VenueInbox, _ what: String, connections: inout [(venue: VenueId, state: ConnectionState)],
                        _ match: (MarketEvent) -> Bool,
                        until: ([(venue: VenueId, state: ConnectionState)]) -> Bool = { _ in false }) async throws -> MarketEvent? {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let batch = inbox.drain()
            connections += batch.connections
            if let found = batch.market.first(where: match) { return found }
            if until(connections) { return nil }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("no \(what) within 30 s")
        throw CancellationError()
    }

    @discardableResult
    static func waitFor(_ inbox: VenueInbox, _ what: String, _ match: (MarketEvent) -> Bool) async throws -> MarketEvent? {
        var connections: [(venue: VenueId, state: ConnectionState)] = []
        return try await waitFor(inbox, what, connections: &connections, match)
    }
}
