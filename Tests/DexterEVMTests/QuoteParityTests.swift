import BigInt
import DexterCrypto
@testable import DexterEVM
import DexterMarket
import Testing
import TestServers

/// dexter's exact-input quote from the state it read equals the chain's own quote to the wei: QuoterV2 for the V3
/// pools (and the price after the swap), the router's getAmountsOut for V2, both directions, from one unit to swaps
/// that cross several initialized ticks.
@Suite(.serialized) struct QuoteParityTests {
    static let weth = BigUInt(10).power(18)
    static let usdc = BigUInt(10).power(6)

    @Test func v3QuotesEqualQuoterV2BothWaysAcrossTicks() async throws {
        let scene = try await UniswapScene.start()
        defer { scene.node.stop() }
        let reader = V3PoolReader(client: scene.client, dex: scene.uniswapV3)
        let parity = QuoteParity(client: scene.client)
        let narrow = try await reader.read(scene.usdc, scene.weth, fee: 500)
        let usdcIn = [1, Self.usdc, 600_000 * Self.usdc, 1_500_000 * Self.usdc, 3_500_000 * Self.usdc]
        let wethIn = [1, Self.weth / 1000, Self.weth, 100 * Self.weth, 300 * Self.weth, 600 * Self.weth, 1000 * Self.weth]
        let swaps = usdcIn.map { QuoteParity.Swap(tokenIn: scene.usdc.address, amountIn: $0) }
            + wethIn.map { QuoteParity.Swap(tokenIn: scene.weth.address, amountIn: $0) }
        let quotes = try await parity.v3(narrow, quoter: scene.quoter, swaps: swaps)
        // Known values (QuoterV2 on this deployment): 600,000 USDC buys 197.606331243429962893 WETH.
        #expect(quotes[2].amountOut == BigUInt("197606331243429962893"))
        #expect(quotes[0].amountOut == 0)  // one unit in is all fee
        #expect(quotes.last!.ticksCrossed == 3)  // 1,000 WETH crosses 196350, 196450 and 197450
        #expect(quotes[2].ticksCrossed == 1)  // 600,000 USDC crosses 196150

        let wide = try await reader.read(scene.weth, scene.usdc, fee: 3000)
        let wideQuotes = try await parity.v3(wide, quoter: scene.quoter, swaps: [
            .init(tokenIn: scene.weth.address, amountIn: 1), .init(tokenIn: scene.weth.address, amountIn: Self.weth),
            .init(tokenIn: scene.weth.address, amountIn: 400 * Self.weth),
            .init(tokenIn: scene.usdc.address, amountIn: Self.usdc),
            .init(tokenIn: scene.usdc.address, amountIn: 1_000_000 * Self.usdc),
        ])
        #expect(wideQuotes[2].ticksCrossed == 1)

        let bitcoin = try await reader.read(scene.wbtc, scene.weth, fee: 3000)
        _ = try await parity.v3(bitcoin, quoter: scene.quoter, swaps: [
            .init(tokenIn: scene.wbtc.address, amountIn: 1), .init(tokenIn: scene.wbtc.address, amountIn: 10_000_000),
            .init(tokenIn: scene.weth.address, amountIn: 50 * Self.weth),
        ])
    }

    @Test func v2QuotesEqualGetAmountsOutBothWays() async throws {
        let scene = try await UniswapScene.start()
        defer { scene.node.stop() }
        let pair = try await V2PairReader(client: scene.client, dex: scene.ourV2).read(scene.usdc, scene.weth)
        let quotes = try await QuoteParity(client: scene.client).v2(pair, router: scene.router, swaps: [
            .init(tokenIn: scene.usdc.address, amountIn: 1), .init(tokenIn: scene.usdc.address, amountIn: Self.usdc),
            .init(tokenIn: scene.usdc.address, amountIn: 2_000_000 * Self.usdc),
            .init(tokenIn: scene.weth.address, amountIn: 1), .init(tokenIn: scene.weth.address, amountIn: Self.weth),
            .init(tokenIn: scene.weth.address, amountIn: 5_000 * Self.weth),
        ])
        // 1 USDC: 997 × 10^6 × 10^21 / (3 × 10^12 × 1000 + 997 × 10^6), floor.
        #expect(quotes[1] == BigUInt(997) * Self.usdc * 1000 * Self.weth / (BigUInt(3) * 1_000_000_000_000 * 1000 + 997 * Self.usdc))
        #expect(quotes[0] == 332_333_333)  // one micro-USDC still buys wei
        #expect(quotes[3] == 0)  // one wei buys nothing
    }

    @Test func aStateThatIsNotTheChainsRaisesAnAlertWithBothNumbers() async throws {
        let scene = try await UniswapScene.start()
        defer { scene.node.stop() }
        let reader = V3PoolReader(client: scene.client, dex: scene.uniswapV3)
        // Read at the deploy's block, then move the pool: the old state priced at the new block is stale.
        let state = try await reader.read(scene.usdc, scene.weth, fee: 500)
        let stale = try await V2PairReader(client: scene.client, dex: scene.ourV2).read(scene.usdc, scene.weth)
        try await ChainMoves(scene: scene).swapV3(usdcIn: 50_000 * Self.usdc, fee: 500)
        try await ChainMoves(scene: scene).swapV2(usdcIn: 50_000 * Self.usdc)
        let latest = try await scene.client.blockNumber()
        var moved = state
        moved.block = latest
        do {
            _ = try await QuoteParity(client: scene.client).v3(moved, quoter: scene.quoter,
                                                               swaps: [.init(tokenIn: scene.weth.address, amountIn: Self.weth)])
            Issue.record("a stale state passed parity")
        } catch {
            guard case .mismatch(let alert) = error else { Issue.record("not a parity alert: \(error)"); return }
            #expect(alert.dexterOut == 2_998_377_006)  // the old pool's answer
            #expect(alert.chainOut > alert.dexterOut)  // WETH is dearer after USDC was sold for it
            #expect(alert.block == latest && alert.source == "QuoterV2.quoteExactInputSingle")
        }
        var staleV2 = stale
        staleV2.block = latest
        do {
            _ = try await QuoteParity(client: scene.client).v2(staleV2, router: scene.router,
                                                               swaps: [.init(tokenIn: scene.weth.address, amountIn: Self.weth)])
            Issue.record("a stale V2 state passed parity")
        } catch {
            guard case .mismatch(let alert) = error else { Issue.record("not a parity alert: \(error)"); return }
            #expect(alert.dexterOut == (try stale.amountOut(Self.weth, tokenIn: scene.weth.address)))
            #expect(alert.chainOut != alert.dexterOut && alert.source == "getAmountsOut")
        }
    }
}
