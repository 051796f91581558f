import BigInt
import DexterCore
import DexterCrypto
import DexterEVM
import DexterMarket
import DexterVenues
import Testing

/// Gas units from `eth_estimateGas` of the router's own calldata, sent from the configured address, instead of the
/// configured default; an estimate that reverts keeps the default and says why.
@Suite(.serialized) struct EVMGasEstimateTests {
    /// The deployer holds both tokens and has approved both routers: each pool's units are the larger of the node's
    /// estimates of a small swap each way (built here from RouterCalls, not through the feed), plus 10 %.
    @Test func estimatedGasUnitsReplaceTheDefaultAndEqualTheNodesEstimate() async throws {
        let scene = try await UniswapScene.start()
        defer { scene.node.stop() }
        let moves = ChainMoves(scene: scene)
        let swapRouter = try scene.deployments.contract("SwapRouter")
        let v2Router = try scene.deployments.contract("UniswapV2Router")
        try await moves.wrap(BigUInt(10).power(18))
        for token in [scene.weth, scene.usdc] {
            try await moves.approve(token, swapRouter)
            try await moves.approve(token, v2Router)
        }
        let from = try scene.address(scene.deployments.deployer)
        let feed = try FeedScene.feed(scene, pollInterval: .seconds(3600),
                                      gasEstimate: GasEstimateSettings(from: from, everyBlocks: 50, marginPercent: 10))
        let instruments = try await feed.instruments()
        let block = try #require(try await scene.node.call("eth_getBlockByNumber", ["latest", false]) as? [String: Any])
        let deadline = try Quantity.parse(try #require(block["timestamp"] as? String)) + 120
        let (weth, usdc) = (scene.weth.address, scene.usdc.address)
        let (ethIn, usdcIn) = (BigUInt(10).power(16), BigUInt(10).power(7))

        func nodeEstimate(_ router: String, _ data: [UInt8]) async throws -> Int {
            let answer = try await scene.node.call("eth_estimateGas", [[
                "from": from.checksummed, "to": router, "data": HexData.format(data)], "latest"])
            return Int(try Quantity.parse(try #require(answer as? String)))
        }
        let v3Each = [
            try await nodeEstimate(swapRouter, try SwapRouterV3.ExactInputSingle(
                tokenIn: weth, tokenOut: usdc, fee: 500, recipient: from, deadline: deadline, amountIn: ethIn,
                amountOutMinimum: 0).calldata()),
            try await nodeEstimate(swapRouter, try SwapRouterV3.ExactInputSingle(
                tokenIn: usdc, tokenOut: weth, fee: 500, recipient: from, deadline: deadline, amountIn: usdcIn,
                amountOutMinimum: 0).calldata()),
        ]
        let v2Each = [
            try await nodeEstimate(v2Router, try RouterV2.swapExactTokensForTokens(
                amountIn: ethIn, amountOutMin: 0, path: [weth, usdc], to: from, deadline: deadline)),
            try await nodeEstimate(v2Router, try RouterV2.swapExactTokensForTokens(
                amountIn: usdcIn, amountOutMin: 0, path: [usdc, weth], to: from, deadline: deadline)),
        ]
        let number = try Quantity.parse(try #require(block["number"] as? String))
        for (key, each) in [(FeedScene.v3Key, v3Each), (FeedScene.v2Key, v2Each)] {
            let expected = (each.max()! * 110 + 99) / 100
            let (units, source) = try #require(feed.gasUnits(key))
            #expect(source == .estimated(each: each, block: UInt64(number), marginPercent: 10), "\(key): \(source)")
            #expect(units == expected, "\(key)")
            #expect(instruments.first { $0.market.key == key }?.market.gasUnits == expected, "\(key): the instrument's")
            #expect(units != (key == FeedScene.v3Key ? 130_000 : 110_000))
        }
    }

    /// An address with no tokens and no allowance: the router's transferFrom reverts, the configured units stand,
    /// and the reason names the address and what it lacks.
    @Test func anEstimateThatRevertsKeepsTheConfiguredUnitsAndSaysWhy() async throws {
        let scene = try await UniswapScene.start()
        defer { scene.node.stop() }
        let stranger = try EthereumAddress(parsing: "0x000000000000000000000000000000000000dEaD")
        let feed = try FeedScene.feed(scene, pollInterval: .seconds(3600),
                                      gasEstimate: GasEstimateSettings(from: stranger))
        let instruments = try await feed.instruments()
        for (key, configured) in [(FeedScene.v3Key, 130_000), (FeedScene.v2Key, 110_000)] {
            let (units, source) = try #require(feed.gasUnits(key))
            #expect(units == configured && instruments.first { $0.market.key == key }?.market.gasUnits == configured)
            guard case .configured(let why?) = source else {
                Issue.record("\(key): \(source)")
                continue
            }
            #expect(why.contains("reverted") && why.contains(stranger.checksummed), "\(why)")
        }
    }

    /// Without estimate_from nothing is asked: the configured units, said to be.
    @Test func withoutAnAddressTheUnitsAreTheConfiguredOnes() async throws {
        let scene = try await UniswapScene.start()
        defer { scene.node.stop() }
        let feed = try FeedScene.feed(scene, pollInterval: .seconds(3600))
        _ = try await feed.instruments()
        let (units, source) = try #require(feed.gasUnits(FeedScene.v3Key))
        #expect(units == 130_000 && source == .configured(why: nil))
    }
}

extension EVMGasEstimateTests {
    /// Estimated again every block here: the V3 swap reverts until the wallet approves SwapRouter (the deploy left it
    /// approving only the V2 router, whose estimate stands from the start); from the first estimate that does not,
    /// the feed posts the pool's new units to the desk (and keeps them).
    @Test func unitsMeasuredAgainReachTheDesk() async throws {
        let scene = try await UniswapScene.start()
        defer { scene.node.stop() }
        let moves = ChainMoves(scene: scene)
        try await moves.wrap(BigUInt(10).power(18))
        let from = try scene.address(scene.deployments.deployer)
        let feed = try FeedScene.feed(scene, pollInterval: .milliseconds(100),
                                      gasEstimate: GasEstimateSettings(from: from, everyBlocks: 1))
        _ = try await feed.instruments()
        guard case .configured(let why?) = feed.gasUnits(FeedScene.v3Key)?.source else {
            Issue.record("estimated before any allowance: \(String(describing: feed.gasUnits(FeedScene.v3Key)))")
            return
        }
        #expect(why.contains("reverted"))
        let inbox = VenueInbox()
        try await feed.subscribe([FeedScene.v3Key, FeedScene.v2Key], into: inbox)
        for token in [scene.weth, scene.usdc] {
            try await moves.approve(token, try scene.deployments.contract("SwapRouter"))
            try await moves.approve(token, try scene.deployments.contract("UniswapV2Router"))
        }
        var posted: [MarketKey: Int] = [:]
        #expect(try await FeedScene.eventually {
            for case .gasUnits(let key, let units) in inbox.drain().market { posted[key] = units }
            guard let units = posted[FeedScene.v3Key], case .estimated = feed.gasUnits(FeedScene.v3Key)?.source else {
                return false
            }
            return feed.gasUnits(FeedScene.v3Key)?.units == units
        }, "posted \(posted); held \(String(describing: feed.gasUnits(FeedScene.v3Key)))")
        #expect(feed.market(FeedScene.v3Key)?.gasUnits == posted[FeedScene.v3Key])
        guard case .estimated = feed.gasUnits(FeedScene.v2Key)?.source else {
            Issue.record("v2: \(String(describing: feed.gasUnits(FeedScene.v2Key)))")
            return
        }
        #expect(posted[FeedScene.v2Key] == nil, "units that did not change are not posted again")
    }
}
