import BigInt
import DexterCore
import DexterCrypto
import DexterMarket
import DexterVenues
import Testing

@testable import DexterEVM

/// dexter's Curve reading on a real chain: the project's own port of StableSwap3Pool (Tests/EVMContracts) deployed
/// into the local node, so that the pool's `get_dy` and `exchange` are the contract's integer arithmetic. The state
/// read equals what was deployed, dexter's quotes equal `get_dy` and the exchange's payout to the wei, a followed
/// state equals a fresh read after exchanges and liquidity moves, and the feed serves a pair of the pool as a market.
@Suite(.serialized) struct CurvePoolTests {
    static let dai = BigUInt(10).power(18), usd = BigUInt(10).power(6)

    @Test func thePoolReadIsThePoolDeployed() async throws {
        let scene = try await CurveScene.start()
        defer { scene.node.stop() }
        let state = try await scene.reader.read(scene.pool, at: scene.block)
        #expect(state.coins == scene.coins.map(\.address))
        #expect(state.decimals == scene.decimals)
        #expect(state.balances == scene.balances)
        #expect(state.amplification == scene.amplification * 100 && !state.offersAPrecise)
        #expect(state.fee == scene.fee && state.adminFee == scene.adminFee && state.rampEnds == 0)
        #expect(state.block == scene.block)
        // A re-read that knows the decimals asks only the pool: the same state.
        #expect(try await scene.reader.read(scene.pool, at: scene.block, decimals: state.decimals) == state)
    }

    @Test func dextersQuotesAreGetDyAndTheExchangesPayoutToTheWei() async throws {
        let scene = try await CurveScene.start()
        defer { scene.node.stop() }
        // Sizes from one unit to a fifth of the pool, every direction between 18- and 6-decimal coins.
        let swaps: [(Int, Int, BigUInt)] = [
            (0, 1, 1), (0, 1, 3 * Self.dai / 7), (0, 2, 12_345 * Self.dai), (0, 1, 5_000_000 * Self.dai),
            (1, 0, 1), (1, 0, 999 * Self.usd + 1), (1, 2, 250_000 * Self.usd), (2, 1, 4_000_000 * Self.usd), (2, 0, 7),
        ]
        var differ = 0
        for (i, j, dx) in swaps {
            let state = try await scene.reader.read(scene.pool)
            let ours = try state.getDy(i: i, j: j, dx: dx)
            let chain = try await scene.getDy(i, j, dx, at: state.block)
            #expect(ours.scaledBeforeFee == chain, "get_dy(\(i), \(j), \(dx))")
            if ours.feeBeforeScaling != ours.scaledBeforeFee { differ += 1 }
            let quoted = try await QuoteParity(client: scene.client).curve(
                state, swaps: [(QuoteParity.Swap(tokenIn: scene.coins[i].address, amountIn: dx), scene.coins[j].address)])
            let received = try await scene.exchange(i, j, dx)
            #expect(quoted == [received] && received == ours.feeBeforeScaling, "exchange(\(i), \(j), \(dx))")
        }
        #expect(differ > 0, "some sizes show the two roundings of get_dy apart: the test tells them apart")
    }

    @Test func aStateThatIsNotTheChainsIsAnAlertWithBothNumbers() async throws {
        let scene = try await CurveScene.start()
        defer { scene.node.stop() }
        let read = try await scene.reader.read(scene.pool)
        let wrong = CurvePoolState(dex: read.dex, address: read.address, coins: read.coins, decimals: read.decimals,
                                   balances: read.balances, amplification: read.amplification, offersAPrecise: false,
                                   fee: 4_000_000, adminFee: read.adminFee, rampEnds: 0, block: read.block)
        let swap = QuoteParity.Swap(tokenIn: scene.coins[1].address, amountIn: 10_000 * Self.usd)
        await #expect {
            try await QuoteParity(client: scene.client).curve(wrong, swaps: [(swap, scene.coins[2].address)])
        } throws: { error in
            guard case QuoteParityError.mismatch(let alert) = error else { return false }
            return alert.source == "get_dy(1,2)" && alert.dexterOut != alert.chainOut && alert.amountIn == swap.amountIn
        }
    }

    @Test func exchangesAndLiquidityAreFollowedFromLogs() async throws {
        let scene = try await CurveScene.start()
        defer { scene.node.stop() }
        var follower = PoolFollower(client: scene.client, v3: [], v2: [], curve: [.init(scene.reader, scene.pool)])
        try await follower.start()
        #expect(follower.curve[scene.pool]?.balances == scene.balances)
        #expect(try await follower.poll() == .unchanged)

        func expectCurrent(_ why: String) async throws {
            let held = try #require(follower.curve[scene.pool])
            let fresh = try await scene.reader.read(scene.pool, at: try #require(follower.head).number)
            #expect(held == fresh, "\(why): the followed state is a fresh read's")
        }
        try await scene.exchange(0, 1, 100_000 * Self.dai)
        try await scene.exchange(2, 1, 30_000 * Self.usd)
        guard case .applied(_, let events) = try await follower.poll() else { Issue.record("not applied"); return }
        #expect(events == 2)
        try await expectCurrent("two exchanges")

        try await scene.addLiquidity([1_000 * Self.dai, 0, 5_000 * Self.usd])
        try await scene.removeLiquidity(2_000_000 * Self.dai)
        guard case .applied(_, let moved) = try await follower.poll() else { Issue.record("not applied"); return }
        #expect(moved == 2)
        try await expectCurrent("liquidity added and removed")

        // An empty block: held, now at the new head.
        try await scene.node.mine()
        guard case .applied(_, let none) = try await follower.poll() else { Issue.record("not applied"); return }
        #expect(none == 0)
        try await expectCurrent("an empty block")

        // A reorg (the node reverts to a snapshot and mines past it): a full re-read.
        let snapshot = try await scene.node.snapshot()
        try await scene.exchange(1, 0, 50_000 * Self.usd)
        _ = try await follower.poll()
        try await scene.node.revert(to: snapshot)
        try await scene.node.mine()
        try await scene.node.mine()
        guard case .reread(_, .reorg) = try await follower.poll() else { Issue.record("the reorg was not seen"); return }
        try await expectCurrent("after the reorg")
    }

    @Test func theFeedServesAPairOfThePoolAsAMarket() async throws {
        let scene = try await CurveScene.start()
        defer { scene.node.stop() }
        let chain = EVMChainSettings(chain: "local", chainId: UInt64(scene.node.chainId), gasToken: "ETH",
                                     rpcURLs: [scene.node.rpcURL], confirmations: 0, pollInterval: .milliseconds(50),
                                     tokens: ["DAI": scene.coins[0].address, "USDC": scene.coins[1].address,
                                              "USDT": scene.coins[2].address])
        let venue = VenueSpec(id: "crv", kind: .dex(chain: "local"), takerFee: .zero, stalenessBound: .seconds(30))
        let curve = DexDeployment(protocolKind: .curve, factory: scene.pool)
        let symbol = Symbol(base: "USDT", quote: "USDC")
        let feed = try EVMMarketFeed(chain: chain, pools: [
            .init(venue: venue, dexName: "curve", deployment: curve, symbol: symbol, feePips: nil, gasUnits: 180_000,
                  address: scene.pool),
        ])
        let instruments = try await feed.instruments()
        #expect(instruments.count == 1 && instruments.first?.poolAddress == scene.pool.checksummed)
        #expect(feed.disagreements.isEmpty, "\(feed.disagreements)")
        let market = try #require(instruments.first?.market)
        guard case .stableSwap(let pool) = market.liquidity else { Issue.record("not a StableSwap market"); return }
        #expect(pool.baseIndex == 2 && pool.quoteIndex == 1 && pool.balances == scene.balances)
        let mid = try #require(market.mid)
        #expect(mid > 0.99 && mid < 1.01, "USDT at \(mid) USDC")
        // Selling 10,000 USDT on the desk's market is the chain's exchange, to the unit.
        let quote = try market.quote(.sell, quantity: FixedDecimal(10_000))
        let received = try await scene.exchange(2, 1, 10_000 * Self.usd)
        #expect(quote.cash == FixedDecimal(units: Int128(received), decimals: 6), "\(quote) vs \(received)")
    }
}
