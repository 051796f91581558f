import BigInt
import DexterCore
import DexterCrypto
import DexterEVM
import DexterMarket
import DexterVenues
import Foundation
import Testing

/// The chain as the desk sees it: one feed for the local node's ETH/USDC on Uniswap V3 (0.05 %) and on our V2 pair,
/// each the right way up (WETH is token1 of both), each quoting what the chain's own quoter and router say, and a
/// swap made on the chain reaching the desk as the pool after it.
@Suite(.serialized) struct EVMMarketFeedTests {
    static let pair = Symbol(base: "ETH", quote: "USDC")

    func feed(_ scene: UniswapScene, urls: [String]? = nil, v2FeeBps: Int = 30) throws -> EVMMarketFeed {
        let chain = EVMChainSettings(chain: "local", chainId: UInt64(scene.node.chainId), gasToken: "ETH",
                                     rpcURLs: urls ?? [scene.node.rpcURL], confirmations: 0, pollInterval: .milliseconds(50),
                                     tokens: ["ETH": scene.weth.address, "USDC": scene.usdc.address])
        func venue(_ name: String) -> VenueSpec {
            VenueSpec(id: VenueId(name), kind: .dex(chain: "local"), takerFee: .zero, stalenessBound: .seconds(30))
        }
        let v3 = DexDeployment(protocolKind: .uniswapV3, factory: scene.uniswapV3.factory,
                               router: try scene.address(try scene.deployments.contract("SwapRouter")), quoter: scene.quoter,
                               initCodeHash: UniswapV3Deployment.uniswapPoolInitCodeHash)
        let v2 = DexDeployment(protocolKind: .uniswapV2, factory: scene.ourV2.factory, router: scene.router, feeBps: v2FeeBps)
        return try EVMMarketFeed(chain: chain, pools: [
            .init(venue: venue("uni-v3"), dexName: "uniswap-v3", deployment: v3, symbol: Self.pair, feePips: 500, gasUnits: 130_000),
            .init(venue: venue("v2"), dexName: "v2", deployment: v2, symbol: Self.pair, feePips: nil, gasUnits: 110_000),
        ])
    }

    /// USDC (6 decimals) as the desk counts it.
    static func usdc(_ units: BigUInt) -> FixedDecimal { FixedDecimal(units: Int128(units), decimals: 6) }

    func quoterSells(_ scene: UniswapScene, weth: BigUInt) async throws -> BigUInt {
        let call = try ContractCall(scene.quoter, "quoteExactInputSingle", [(
            .tuple([.address, .address, .uint(bits: 256), .uint(bits: 24), .uint(bits: 160)]),
            .tuple([.address(scene.weth.address), .address(scene.usdc.address), .uint(weth), .uint(500), .uint(0)]))],
            returns: [.uint(bits: 256), .uint(bits: 160), .uint(bits: 32), .uint(bits: 256)])
        guard case .uint(let out) = try await scene.client.read([call], at: scene.client.blockNumber())[0][0] else {
            throw SceneError(description: "quoteExactInputSingle")
        }
        return out
    }

    func quoterBuys(_ scene: UniswapScene, weth: BigUInt) async throws -> BigUInt {
        let call = try ContractCall(scene.quoter, "quoteExactOutputSingle", [(
            .tuple([.address, .address, .uint(bits: 256), .uint(bits: 24), .uint(bits: 160)]),
            .tuple([.address(scene.usdc.address), .address(scene.weth.address), .uint(weth), .uint(500), .uint(0)]))],
            returns: [.uint(bits: 256), .uint(bits: 160), .uint(bits: 32), .uint(bits: 256)])
        guard case .uint(let paid) = try await scene.client.read([call], at: scene.client.blockNumber())[0][0] else {
            throw SceneError(description: "quoteExactOutputSingle")
        }
        return paid
    }

    func routerSells(_ scene: UniswapScene, weth: BigUInt) async throws -> BigUInt {
        let call = try ContractCall(scene.router, "getAmountsOut", [
            (.uint(bits: 256), .uint(weth)),
            (.array(.address, count: nil), .array([.address(scene.weth.address), .address(scene.usdc.address)]))],
            returns: [.array(.uint(bits: 256), count: nil)])
        guard case .array(let amounts) = try await scene.client.read([call], at: scene.client.blockNumber())[0][0],
              case .uint(let out) = amounts.last else { throw SceneError(description: "getAmountsOut") }
        return out
    }

    @Test func poolsAreReadTheRightWayUpAndQuoteWhatTheChainQuotes() async throws {
        let scene = try await UniswapScene.start()
        defer { scene.node.stop() }
        let feed = try feed(scene)
        let instruments = try await feed.instruments()
        #expect(instruments.map(\.market.key.venue) == ["uni-v3", "v2"])
        #expect(instruments[0].poolAddress?.lowercased() == (try scene.deployments.pool("WETH/USDC 0.05%")).address.lowercased())
        #expect(instruments[1].poolAddress?.lowercased() == scene.deployments.v2Pairs["WETH/USDC"]?.address.lowercased())
        for instrument in instruments {
            let mid = try #require(instrument.market.mid)
            #expect(abs(mid - 3000) < 15, "\(instrument.market.key): ETH at \(mid) USDC, not its inverse")
        }
        let one = BigUInt(10).power(18)
        for (amount, label) in [(one / 1000, "0.001"), (one, "1"), (BigUInt(150) * one, "150")] {
            let quantity = FixedDecimal(label)!
            let v3 = try #require(feed.market(MarketKey(venue: "uni-v3", symbol: Self.pair)))
            let sold = try v3.quote(.sell, quantity: quantity)
            #expect(sold.notional - sold.fee == Self.usdc(try await quoterSells(scene, weth: amount)), "V3 sell \(label)")
            let bought = try v3.quote(.buy, quantity: quantity)
            #expect(bought.notional + bought.fee == Self.usdc(try await quoterBuys(scene, weth: amount)), "V3 buy \(label)")
            let v2 = try #require(feed.market(MarketKey(venue: "v2", symbol: Self.pair)))
            let v2Sold = try v2.quote(.sell, quantity: quantity)
            #expect(v2Sold.notional - v2Sold.fee == Self.usdc(try await routerSells(scene, weth: amount)), "V2 sell \(label)")
        }
        let gas = try await feed.currentGas()
        #expect(gas.count == 1 && gas[0].chain == "local" && gas[0].token == "ETH" && gas[0].price.isPositive)
    }

    @Test func aSwapOnTheChainReachesTheDeskAsThePoolAfterIt() async throws {
        let scene = try await UniswapScene.start()
        defer { scene.node.stop() }
        let feed = try feed(scene)
        _ = try await feed.instruments()
        let key = MarketKey(venue: "uni-v3", symbol: Self.pair)
        let before = try #require(feed.market(key)).mid ?? 0
        let inbox = VenueInbox()
        try await feed.subscribe([key, MarketKey(venue: "v2", symbol: Self.pair)], into: inbox)
        #expect(inbox.drain().connections.map(\.state) == [.live, .live])
        // 600,000 USDC buys WETH on the 0.05 % pool: ETH rises there, crossing the narrow range's upper edge.
        try await ChainMoves(scene: scene).swapV3(usdcIn: BigUInt(600_000) * BigUInt(10).power(6), fee: 500)
        var after: Double?
        let deadline = Date().addingTimeInterval(20)
        while after == nil, Date() < deadline {
            for case .liquidity(let posted, let liquidity, _, _) in inbox.drain().market where posted == key {
                let mid = Market(venue: try #require(feed.market(key)).venue, instrument: try #require(feed.market(key)).instrument,
                                 liquidity: liquidity).mid ?? 0
                if mid > before * 1.01 { after = mid }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(after != nil, "the swap never reached the inbox (ETH was \(before))")
        let v3 = try #require(feed.market(key))
        let sold = try v3.quote(.sell, quantity: FixedDecimal(1))
        #expect(sold.notional - sold.fee == Self.usdc(try await quoterSells(scene, weth: BigUInt(10).power(18))),
                "the pool after the swap quotes as the quoter does")
    }

    /// A dead first URL is passed over at connect; a chain that stops answering takes both venues down, saying why
    /// (and never the URL's path, where providers put keys).
    @Test func aDeadURLIsPassedOverAndAChainThatStopsAnsweringTakesItsVenuesDown() async throws {
        let scene = try await UniswapScene.start()
        defer { scene.node.stop() }
        let feed = try feed(scene, urls: ["http://127.0.0.1:1/v3/SECRET-KEY", scene.node.rpcURL])
        #expect(try await feed.instruments().count == 2)
        let inbox = VenueInbox()
        try await feed.subscribe([MarketKey(venue: "uni-v3", symbol: Self.pair)], into: inbox)
        #expect(inbox.drain().connections.map(\.state) == [.live, .live])
        scene.node.stop()
        var down: [(venue: VenueId, state: ConnectionState)] = []
        let deadline = Date().addingTimeInterval(30)
        while down.isEmpty, Date() < deadline {
            down = inbox.drain().connections.filter { if case .down = $0.state { true } else { false } }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(down.map(\.venue) == ["uni-v3", "v2"])
        let reason = "\(down.first?.state ?? .live)"
        #expect(reason.contains("local RPC") && !reason.contains("SECRET-KEY"), "\(reason)")
    }

    /// A V2 fork configured with the wrong fee (25 bps where the pair charges 30) quotes what the chain does not: the
    /// parity check takes that venue down with both numbers, and leaves the other live.
    @Test func aVenueWhoseQuotesDifferFromTheChainsIsDown() async throws {
        let scene = try await UniswapScene.start()
        defer { scene.node.stop() }
        let feed = try feed(scene, v2FeeBps: 25)
        _ = try await feed.instruments()
        let inbox = VenueInbox()
        try await feed.subscribe([MarketKey(venue: "v2", symbol: Self.pair)], into: inbox)
        let states = inbox.drain().connections
        #expect(states.first { $0.venue == "uni-v3" }?.state == .live)
        guard case .down(let reason) = states.first(where: { $0.venue == "v2" })?.state else {
            Issue.record("v2 is not down: \(states)")
            return
        }
        #expect(reason.contains("quote parity alert") && reason.contains("getAmountsOut"), "\(reason)")
    }
}
