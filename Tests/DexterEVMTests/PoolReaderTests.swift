import BigInt
import DexterCrypto
import DexterEVM
import DexterMarket
import Testing
import TestServers

/// Pools read from the local node's Uniswap deployment: the addresses the factories give (checked against CREATE2
/// where the DEX allows), and the state the contracts hold, compared with what the deploy wrote.
@Suite(.serialized) struct PoolReaderTests {
    @Test func aV3PoolIsReadWithItsInitializedTicks() async throws {
        let scene = try await UniswapScene.start()
        defer { scene.node.stop() }
        let expected = try scene.deployments.pool("WETH/USDC 0.05%")
        let state = try await V3PoolReader(client: scene.client, dex: scene.uniswapV3).read(scene.weth, scene.usdc, fee: 500)
        #expect(state.address == (try scene.address(expected.address)))
        #expect(state.token0 == scene.usdc && state.token1 == scene.weth)  // the lower address first, as on mainnet
        #expect(state.decimals0 == 6 && state.decimals1 == 18)
        #expect(state.tickSpacing == 10 && state.fee == 500)
        #expect(state.tick == expected.tick)
        #expect(state.liquidity == BigUInt(expected.liquidity))
        #expect(state.block == UInt64(scene.deployments.blockNumber))
        #expect(state.words == 74...78)  // tick 196256 / spacing 10 is in word 76; two each side
        // Every position's two ticks, each tick one position's: +L at its lower tick, −L at its upper.
        var wanted: [Int: V3PoolState.TickLiquidity] = [:]
        for position in scene.deployments.v3Positions where position.pool == "WETH/USDC 0.05%" {
            wanted[position.tickLower] = .init(gross: BigUInt(position.liquidity), net: BigInt(position.liquidity))
            wanted[position.tickUpper] = .init(gross: BigUInt(position.liquidity), net: -BigInt(position.liquidity))
        }
        #expect(wanted.count == 6)
        #expect(state.ticks == wanted)
    }

    @Test func fewerWordsReadMeanFewerTicksAndQuotesThatStopAtTheEdge() async throws {
        let scene = try await UniswapScene.start()
        defer { scene.node.stop() }
        let state = try await V3PoolReader(client: scene.client, dex: scene.uniswapV3, wordsEachSide: 0)
            .read(scene.usdc, scene.weth, fee: 500)
        #expect(state.words == 76...76)
        // Word 76 spans ticks 194560…197110: the wide position's 192250 and 200250 (words 75 and 78) and 197450 are out.
        #expect(Set(state.ticks.keys) == [196150, 196350, 196450])
        // 1,000 WETH in pushes the price to tick ≈198,700, in word 77: not read, so not priced.
        #expect(throws: V3PoolState.QuoteRefusal.self) {
            try state.quoteExactInput(BigUInt(1000) * BigUInt(10).power(18), tokenIn: scene.weth.address)
        }
        #expect(try state.quoteExactInput(BigUInt(10).power(18), tokenIn: scene.weth.address).amountOut == 2_998_377_006)
    }

    @Test func aMissingPoolAndAWrongInitCodeHashNameThePairAndFee() async throws {
        let scene = try await UniswapScene.start()
        defer { scene.node.stop() }
        let reader = V3PoolReader(client: scene.client, dex: scene.uniswapV3)
        await #expect(throws: PoolReadError.noPool(dex: "Uniswap V3", pair: "USDC/WETH", fee: 100)) {
            try await reader.read(scene.weth, scene.usdc, fee: 100)
        }
        await #expect(throws: PoolReadError.noPool(dex: "Uniswap V3", pair: "WBTC/USDT", fee: 3000)) {
            try await reader.read(scene.usdt, scene.wbtc, fee: 3000)
        }
        // PancakeSwap V3's hash on Uniswap's factory: the factory's answer is not where CREATE2 puts the pool.
        let pancakeHash = try Hex.decode("0x6ce8eb472fa82df5469c6ab6d485f17c3ad13c8cd7af59b3d4a8026c5ce0f7e2")
        let misconfigured = UniswapV3Deployment(name: "Uniswap V3", factory: scene.uniswapV3.factory, quoter: nil,
                                                poolInitCodeHash: pancakeHash)
        do {
            _ = try await V3PoolReader(client: scene.client, dex: misconfigured).read(scene.weth, scene.usdc, fee: 3000)
            Issue.record("a pool was read from an address CREATE2 does not give")
        } catch {
            guard case .addressMismatch("Uniswap V3", "USDC/WETH", 3000, let factory, let create2) = error else {
                Issue.record("not an address mismatch: \(error)"); return
            }
            #expect(factory == (try scene.address(scene.deployments.pool("WETH/USDC 0.3%").address)))
            #expect(create2 != factory)
            #expect(error.description.hasPrefix("Uniswap V3 USDC/WETH 0.3%: the factory says 0x1DF9F286"))
        }
    }

    @Test func v2PairsAreReadFromBothFactories() async throws {
        let scene = try await UniswapScene.start()
        defer { scene.node.stop() }
        let ours = try await V2PairReader(client: scene.client, dex: scene.ourV2).read(scene.weth, scene.usdc)
        #expect(ours.address == (try scene.address(scene.deployments.v2Pairs["WETH/USDC"]!.address)))
        #expect(ours.token0 == scene.usdc)
        #expect(ours.reserve0 == BigUInt(3_000_000) * 1_000_000)
        #expect(ours.reserve1 == BigUInt(1000) * BigUInt(10).power(18))
        let pool = ours.pool(base: scene.weth.address)
        #expect(pool.reserveBase == ours.reserve1 && pool.baseDecimals == 18 && pool.quoteDecimals == 6)

        let sushi = try await V2PairReader(client: scene.client, dex: scene.sushi).read(scene.usdc, scene.weth)
        #expect(sushi.address == (try scene.address(scene.deployments.sushiV2Pairs["WETH/USDC"]!.address)))
        #expect(sushi.reserve0 == BigUInt(1_500_000) * 1_000_000)
        #expect(sushi.reserve1 == BigUInt(500) * BigUInt(10).power(18))

        // Mainnet SushiSwap's init code hash against the wheel's build: the pair is not where that hash puts it.
        let mainnetHash = try Hex.decode("0xe18a34eb0e04b04f7a0ac29a6e80748dca96319b42c520bfb2f4f4ccf4a4f6a0")
        let wrong = UniswapV2Deployment(name: "SushiSwap", factory: scene.sushi.factory, router: nil,
                                        pairAddressCheck: .create2(initCodeHash: mainnetHash))
        do {
            _ = try await V2PairReader(client: scene.client, dex: wrong).read(scene.usdc, scene.weth)
            Issue.record("a pair was read from an address CREATE2 does not give")
        } catch {
            guard case .addressMismatch("SushiSwap", "USDC/WETH", nil, _, _) = error else {
                Issue.record("not an address mismatch: \(error)"); return
            }
        }
        await #expect(throws: PoolReadError.noPool(dex: "dexter V2", pair: "WBTC/USDT", fee: nil)) {
            try await V2PairReader(client: scene.client, dex: scene.ourV2).read(scene.wbtc, scene.usdt)
        }
    }

    @Test func create2MatchesMainnetsKnownPool() throws {
        // The mainnet USDC/WETH 0.05 % pool from its factory and tokens (PoolAddress.computeAddress).
        let pool = Create2.v3Pool(factory: try EthereumAddress(parsing: "0x1F98431c8aD98523631AE4a59f267346ea31F984"),
                                  token0: try EthereumAddress(parsing: "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"),
                                  token1: try EthereumAddress(parsing: "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2"),
                                  fee: 500, initCodeHash: UniswapV3Deployment.uniswapPoolInitCodeHash)
        #expect(pool.checksummed == "0x88e6A0c2dDD26FEEb64F039a2c41296FcB3f5640")
        // Mainnet Uniswap V2 USDC/WETH through pairFor's init code hash.
        let pair = Create2.v2Pair(factory: try EthereumAddress(parsing: "0x5C69bEe701ef814a2B6a3EDD4B1652CB9cc5aA6f"),
                                  token0: try EthereumAddress(parsing: "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"),
                                  token1: try EthereumAddress(parsing: "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2"),
                                  initCodeHash: try Hex.decode("0x96e8ac4277198ff8b6f785478aa9a39f403cb768dd02cbee326c3e7da348845f"))
        #expect(pair.checksummed == "0xB4e16d0168e52d35CaCD2c6185b44281Ec28C9Dc")
    }
}
