import BigInt
import DexterCore
import DexterCrypto
import DexterMarket
import DexterVenues
import Testing

@testable import DexterEVM

/// dexter's Balancer reading on a real chain, against a stand-in of the project's own with the Vault's and a weighted
/// pool's ABI (no Balancer bytecode is installable from a package registry here): the state read is the state
/// deployed, the pool id is checked, the Vault's Swap / PoolBalanceChanged and the pool's SwapFeePercentageChanged
/// logs bring a fresh read, and the feed serves a pair as an exact weighted market. Its quotes are Balancer V2's
/// arithmetic on that state; the stand-in's `queryBatchSwap` answers only what a test sets, so what is tested here is
/// the call (the Vault's ABI, decoded by the contract) and the alert, not Balancer's math against the real Vault.
@Suite(.serialized) struct BalancerPoolTests {
    static let bal = BigUInt(10).power(18), usd = BigUInt(10).power(6)

    @Test func thePoolReadIsThePoolDeployedAndItsIdIsChecked() async throws {
        let scene = try await BalancerScene.start()
        defer { scene.node.stop() }
        let state = try await scene.reader.read(scene.pool, at: scene.block)
        #expect(state.tokens == scene.tokens.map(\.address) && state.decimals == scene.decimals)
        #expect(state.balances == scene.balances && state.weights == scene.weights && state.swapFee == scene.fee)
        // A V2 pool id: the pool's address, the two-token specialization, nonce 0.
        #expect(Array(state.poolId.prefix(20)) == scene.pool.bytes && state.poolId[21] == 2)
        #expect(try await scene.reader.read(scene.pool, poolId: state.poolId, at: scene.block, decimals: state.decimals) == state)
        var wrong = state.poolId
        wrong[31] = 1
        await #expect {
            try await scene.reader.read(scene.pool, poolId: wrong, at: scene.block)
        } throws: { error in
            guard case PoolReadError.poolDisagrees(_, _, _, let field, _) = error else { return false }
            return field == "getPoolId"
        }
    }

    @Test func vaultAndPoolLogsBringAFreshRead() async throws {
        let scene = try await BalancerScene.start()
        defer { scene.node.stop() }
        var follower = PoolFollower(client: scene.client, v3: [], v2: [], balancer: [.init(scene.reader, scene.pool)])
        try await follower.start()
        #expect(follower.balancer[scene.pool]?.balances == scene.balances)
        func expectCurrent(_ why: String) async throws {
            let held = try #require(follower.balancer[scene.pool])
            let fresh = try await scene.reader.read(scene.pool, at: try #require(follower.head).number)
            #expect(held == fresh, "\(why): the followed state is a fresh read's")
        }
        try await scene.recordSwap(0, 1, amountIn: 1_000 * Self.bal, amountOut: 2_900 * Self.usd)
        guard case .applied(_, 1) = try await follower.poll() else { Issue.record("the Swap was not applied"); return }
        #expect(follower.balancer[scene.pool]?.balances == [scene.balances[0] + 1_000 * Self.bal,
                                                             scene.balances[1] - 2_900 * Self.usd])
        try await expectCurrent("a Swap")
        try await scene.join([10 * Self.bal, 7 * Self.usd])
        try await scene.setSwapFee(BigUInt(10).power(16))
        guard case .applied(_, 2) = try await follower.poll() else { Issue.record("not applied"); return }
        #expect(follower.balancer[scene.pool]?.swapFee == BigUInt(10).power(16))
        try await expectCurrent("a join and a new fee")
    }

    @Test func quotesAreHeldAgainstQueryBatchSwapAndADifferenceIsAnAlert() async throws {
        let scene = try await BalancerScene.start()
        defer { scene.node.stop() }
        let amountIn = 1_000 * Self.bal
        let state = try await scene.reader.read(scene.pool)
        let ours = try state.amountOut(i: 0, j: 1, amountIn: amountIn)
        #expect(ours > 2_900 * Self.usd && ours < 3_000 * Self.usd)
        let swap = (swap: QuoteParity.Swap(tokenIn: scene.tokens[0].address, amountIn: amountIn), tokenOut: scene.tokens[1].address)
        try await scene.setQueryAnswer(0, 1, amountIn: amountIn, amountOut: ours)
        let parity = QuoteParity(client: scene.client)
        let agreed = try await parity.balancer(try await scene.reader.read(scene.pool), vault: scene.pool, swaps: [swap])
        #expect(agreed == [ours])
        try await scene.setQueryAnswer(0, 1, amountIn: amountIn, amountOut: ours + 1)
        let now = try await scene.reader.read(scene.pool)
        await #expect {
            try await parity.balancer(now, vault: scene.pool, swaps: [swap])
        } throws: { error in
            guard case QuoteParityError.mismatch(let alert) = error else { return false }
            return alert.source == "Vault.queryBatchSwap" && alert.dexterOut == ours && alert.chainOut == ours + 1
        }
    }

    @Test func theFeedServesAPairAsAWeightedMarket() async throws {
        let scene = try await BalancerScene.start()
        defer { scene.node.stop() }
        let chain = EVMChainSettings(chain: "local", chainId: UInt64(scene.node.chainId), gasToken: "ETH",
                                     rpcURLs: [scene.node.rpcURL], confirmations: 0, pollInterval: .milliseconds(50),
                                     tokens: ["BAL": scene.tokens[0].address, "USDC": scene.tokens[1].address])
        let venue = VenueSpec(id: "bal", kind: .dex(chain: "local"), takerFee: .zero, stalenessBound: .seconds(30))
        let feed = try EVMMarketFeed(chain: chain, pools: [
            .init(venue: venue, dexName: "balancer", deployment: DexDeployment(protocolKind: .balancerWeighted, factory: scene.pool),
                  symbol: Symbol(base: "BAL", quote: "USDC"), feePips: nil, gasUnits: 150_000, address: scene.pool),
        ])
        let market = try #require(try await feed.instruments().first?.market)
        guard case .weighted(let pool) = market.liquidity else { Issue.record("not a weighted market"); return }
        #expect(pool.baseIndex == 0 && pool.quoteIndex == 1 && pool.feeOnRawAmounts)
        // 80/20 with 2M BAL and 1.5M USDC: a BAL is worth 1.5M / 0.2 / (2M / 0.8) = 3 USDC.
        let mid = try #require(market.mid)
        #expect(abs(mid - 3) < 0.01, "BAL at \(mid) USDC")
        let state = try await scene.reader.read(scene.pool)
        let quote = try market.quote(.sell, quantity: FixedDecimal(1_000))
        let v2 = try state.amountOut(i: 0, j: 1, amountIn: 1_000 * Self.bal)
        #expect(quote.cash == FixedDecimal(units: Int128(v2), decimals: 6), "\(quote) vs \(v2)")
    }
}
