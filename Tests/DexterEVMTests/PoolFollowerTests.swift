import BigInt
import DexterCrypto
import DexterEVM
import Testing
import TestServers

/// Pools kept current from their logs while real transactions move them (swaps on V3 and V2, a mint and a burn
/// through the position manager): after each poll the state from logs equals a full re-read at the same block and
/// prices like QuoterV2 / getAmountsOut. A reorg made with evm_revert, and a gap, end in a full re-read.
@Suite(.serialized) struct PoolFollowerTests {
    static let weth = BigUInt(10).power(18)
    static let usdc = BigUInt(10).power(6)

    struct Watched {
        let scene: UniswapScene
        let narrow: PoolFollower.V3Watch
        let wide: PoolFollower.V3Watch
        let ours: PoolFollower.V2Watch
        let sushi: PoolFollower.V2Watch

        init(_ scene: UniswapScene) {
            self.scene = scene
            let v3 = V3PoolReader(client: scene.client, dex: scene.uniswapV3)
            narrow = .init(v3, scene.usdc, scene.weth, fee: 500)
            wide = .init(v3, scene.weth, scene.usdc, fee: 3000)
            ours = .init(V2PairReader(client: scene.client, dex: scene.ourV2), scene.usdc, scene.weth)
            sushi = .init(V2PairReader(client: scene.client, dex: scene.sushi), scene.weth, scene.usdc)
        }

        func follower(maxGap: UInt64 = 8) -> PoolFollower {
            PoolFollower(client: scene.client, v3: [narrow, wide], v2: [ours, sushi], maxGap: maxGap)
        }

        /// The follower's states equal a full re-read at its head (with the same bitmap words), and quote like the
        /// chain at that block.
        func expectCurrent(_ follower: PoolFollower, sourceLocation: SourceLocation = #_sourceLocation) async throws {
            let head = try #require(follower.head, sourceLocation: sourceLocation)
            #expect(follower.v3.count == 2 && follower.v2.count == 2, sourceLocation: sourceLocation)
            for watch in [narrow, wide] {
                let fresh = try await watch.reader.read(watch.tokens.0, watch.tokens.1, fee: watch.fee, at: head.number)
                let held = try #require(follower.v3[fresh.address], sourceLocation: sourceLocation)
                let again = try await watch.reader.read(watch.tokens.0, watch.tokens.1, fee: watch.fee, at: head.number,
                                                        words: held.words)
                #expect(held == again, "\(held.name)", sourceLocation: sourceLocation)
                #expect(held.tick == fresh.tick && held.liquidity == fresh.liquidity, sourceLocation: sourceLocation)
                _ = try await QuoteParity(client: scene.client).v3(held, quoter: scene.quoter, swaps: [
                    .init(tokenIn: scene.usdc.address, amountIn: 100_000 * PoolFollowerTests.usdc),
                    .init(tokenIn: scene.weth.address, amountIn: 30 * PoolFollowerTests.weth),
                ])
            }
            for watch in [ours, sushi] {
                let fresh = try await watch.reader.read(watch.tokens.0, watch.tokens.1, at: head.number)
                #expect(follower.v2[fresh.address] == fresh, "\(fresh.dex)", sourceLocation: sourceLocation)
            }
            let ourPair = try #require(follower.v2.values.first { $0.dex == "dexter V2" })
            _ = try await QuoteParity(client: scene.client).v2(ourPair, router: scene.router, swaps: [
                .init(tokenIn: scene.weth.address, amountIn: PoolFollowerTests.weth),
            ])
        }
    }

    @Test func swapsMintsAndBurnsAreFollowedFromLogs() async throws {
        let scene = try await UniswapScene.start()
        defer { scene.node.stop() }
        let watched = Watched(scene)
        var follower = watched.follower()
        try await follower.start()
        #expect(follower.head?.number == UInt64(scene.deployments.blockNumber))
        #expect(try await follower.poll() == .unchanged)
        let moves = ChainMoves(scene: scene)

        try await moves.swapV3(usdcIn: 600_000 * Self.usdc, fee: 500)  // crosses 196150 downward
        try await moves.swapV2(usdcIn: 25_000 * Self.usdc)
        guard case .applied(let blocks, let events) = try await follower.poll() else { Issue.record("not applied"); return }
        #expect(blocks == 40...43 && events == 2)  // two approvals and two swaps; one Swap log, one Sync log
        let narrowAddress = try scene.address(scene.deployments.pool("WETH/USDC 0.05%").address)
        #expect(follower.v3[narrowAddress]?.tick == 195898)
        try await watched.expectCurrent(follower)

        try await moves.wrap(500 * Self.weth)
        try await moves.swapV3(scene.weth, scene.usdc, amountIn: 400 * Self.weth, fee: 3000)
        #expect(try await follower.poll() == .applied(blocks: 44...46, events: 1))
        try await watched.expectCurrent(follower)

        // A new range around the price, then all of the narrow position (token 2) burnt: its two ticks clear.
        try await moves.mintUSDCWETH(fee: 500, tickLower: 195700, tickUpper: 196100, usdc: 200_000 * Self.usdc,
                                     weth: 100 * Self.weth)
        let narrowLiquidity = BigUInt(scene.deployments.v3Positions.first { $0.tokenId == 2 }!.liquidity)
        try await moves.burn(tokenId: 2, liquidity: narrowLiquidity)
        #expect(try await follower.poll() == .applied(blocks: 47...50, events: 2))
        let narrow = try #require(follower.v3[narrowAddress])
        #expect(narrow.ticks[196150] == nil && narrow.ticks[196350] == nil)
        #expect(narrow.ticks[195700] != nil && narrow.ticks[196100] != nil)
        try await watched.expectCurrent(follower)
    }

    @Test func aReorgAndAGapEndInAFullReread() async throws {
        let scene = try await UniswapScene.start()
        defer { scene.node.stop() }
        let watched = Watched(scene)
        var follower = watched.follower(maxGap: 8)
        try await follower.start()
        let moves = ChainMoves(scene: scene)
        let deployed = try await scene.node.snapshot()

        try await moves.swapV3(usdcIn: 300_000 * Self.usdc, fee: 500)
        try await moves.swapV2(usdcIn: 10_000 * Self.usdc)
        #expect(try await follower.poll() == .applied(blocks: 40...43, events: 2))

        // The node drops blocks 40…43 and builds one other block: the chain is shorter than the one applied.
        try await scene.node.revert(to: deployed)
        let reverted = try await scene.node.snapshot()
        try await moves.swapV2(usdcIn: 7_000 * Self.usdc)
        #expect(try await follower.poll() == .reread(block: 41, because: .reorg(height: 41)))
        try await watched.expectCurrent(follower)

        // Dropped again, and more blocks built than were applied: block 41 itself is no longer the one held.
        try await scene.node.revert(to: reverted)
        try await moves.swapV3(usdcIn: 5_000 * Self.usdc, fee: 3000)
        try await moves.swapV3(usdcIn: 5_000 * Self.usdc, fee: 500)
        #expect(try await follower.poll() == .reread(block: 43, because: .reorg(height: 41)))
        try await watched.expectCurrent(follower)

        for _ in 0..<9 { try await scene.node.mine() }
        #expect(try await follower.poll() == .reread(block: 52, because: .gap(blocks: 9)))
        try await watched.expectCurrent(follower)
    }
}
