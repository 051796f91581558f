import BigInt
import DexterCore
import DexterCrypto
@testable import DexterEVM
import DexterMarket
import DexterVenues
import Foundation
import Testing
import TestServers

/// LIVE sells routed through an aggregator's transaction on the local node: the local 1inch / 0x server (local-chain
/// mode, its book the V2 pair's reserves) builds a real swap through the node's V2 router, which pays what the pair
/// pays, so the aggregator is taken; what the desk books equals the wallet's balance changes to the wei. An
/// aggregator that is down leaves the sell to the direct pool, and the Orders panel's route says why.
@Suite(.serialized) struct EVMLiveAggregatorTests {
    typealias Live = EVMLiveVenueTests

    /// The V2 venue's feed with `aggregators`, and the LIVE venue on it.
    func desk(_ scene: SwapSendScene, aggregators: [AggregatorFeed]) async throws -> EVMLiveVenueTests.Desk {
        let chain = EVMChainSettings(chain: "local", chainId: UInt64(scene.node.chainId), gasToken: "ETH",
                                     rpcURLs: [scene.node.rpcURL], confirmations: 1, pollInterval: .milliseconds(50),
                                     tokens: ["ETH": scene.weth, "USDC": scene.usdc])
        let v2 = DexDeployment(protocolKind: .uniswapV2,
                               factory: try EthereumAddress(parsing: scene.deployments.contract("UniswapV2Factory")),
                               router: scene.v2Router, feeBps: 30)
        let venue = VenueSpec(id: "v2", kind: .dex(chain: "local"), takerFee: .zero, stalenessBound: .seconds(30))
        let feed = try EVMMarketFeed(chain: chain, pools: [
            .init(venue: venue, dexName: "v2", deployment: v2, symbol: Live.pair, feePips: nil, gasUnits: 110_000),
        ], aggregators: aggregators)
        let journalPath = NSTemporaryDirectory() + "dexter-evm-agg-\(UUID().uuidString).jsonl"
        let live = try EVMLiveVenue(feed: feed, key: scene.trader, journal: try EVMOrderJournal(path: journalPath),
                                    patience: SwapExecutor.Patience(confirmations: 1, polls: 20,
                                                                    pause: { try? await Task.sleep(for: .milliseconds(20)) }))
        _ = try await live.instruments()
        let inbox = VenueInbox()
        try await live.connect(inbox)
        return EVMLiveVenueTests.Desk(scene: scene, feed: feed, venue: live, inbox: inbox, journalPath: journalPath)
    }

    static func feed(_ client: any AggregatorSwapSource, _ scene: SwapSendScene) -> AggregatorFeed {
        AggregatorFeed(client: client, refreshInterval: .seconds(1), stalenessBound: .seconds(60), weight: 1,
                       quoteSize: .one, execution: AggregatorSwapTests.localRouter(scene))
    }

    /// Sells 0.3 ETH at 2900 on the V2 venue; returns what the venue said and checks the booking against the chain.
    func sell(_ desk: EVMLiveVenueTests.Desk, _ id: String) async throws -> [OrderUpdate] {
        let before = try await desk.venue.balances(on: "v2")
        let order = Live.order(id, venue: "v2", side: .sell, quantity: "0.3", limit: "2900")
        desk.venue.submit(order)
        let told = try await Live().updates(desk.inbox, until: id, quantity: order.quantity)
        let fills = told.compactMap { if case .fill(let fill) = $0.kind { fill } else { nil } }
        #expect(fills.count == 1 && fills.first?.quantity == order.quantity, "\(id): \(told)")
        #expect((fills.first?.price ?? .zero) >= FixedDecimal(2900))
        let after = try await desk.venue.balances(on: "v2")
        let moved = Live.booked(told, side: .sell)
        for asset in ["ETH", "USDC"] as [Asset] {
            #expect(after[asset]! - before[asset]! == moved[asset] ?? .zero,
                    "\(id) \(asset): chain moved by \(after[asset]! - before[asset]!), booked \(moved[asset] ?? .zero)")
        }
        return told
    }

    @Test func aSellRoutedViaEachAggregatorLandsAndBooksWhatTheChainDid() async throws {
        let scene = try await SwapSendScene.start()
        defer { scene.node.stop() }
        let oneInchServer = try LocalOneInch(AggregatorSwapTests.localChain(scene))
        let zeroExServer = try LocalZeroEx(AggregatorSwapTests.localChain(scene))
        let chainId = UInt64(scene.node.chainId)
        let oneInch = OneInchClient(apiKey: LocalOneInch.apiKey, chainId: chainId, baseURL: oneInchServer.restURL)
        let zeroEx = ZeroExClient(apiKey: LocalZeroEx.apiKey, chainId: chainId, baseURL: zeroExServer.restURL)
        for (name, client, server, other) in [("1inch", oneInch as any AggregatorSwapSource, oneInchServer as LocalServer,
                                               zeroExServer as LocalServer),
                                              ("0x", zeroEx, zeroExServer, oneInchServer)] {
            // Only this one's book mirrors the pair; the other's is a tenth as deep, so it pays less than the pool.
            try await AggregatorSwapTests.mirror(scene, into: server)
            try await AggregatorSwapTests.mirror(scene, into: other, scaleWETH: 10)
            let desk = try await desk(scene, aggregators: [Self.feed(oneInch, scene), Self.feed(zeroEx, scene)])
            let told = try await sell(desk, "via-\(name)")
            guard case .accepted(let hash) = told.first?.kind else { Issue.record("\(told)"); continue }
            #expect(told.first?.route?.hasSuffix("via \(name)") == true, "\(told.first?.route ?? "no route")")
            // The transaction the venue named went to the aggregator's router; its Transfer logs are the fill.
            let receipt = try await scene.client.call("eth_getTransactionReceipt", [.string(hash)])
            #expect(try receipt.member("to").address() == scene.v2Router)
            // A restart finds the order through the journal and reads the same fill from the Transfer logs.
            let restarted = try EVMLiveVenue(feed: desk.feed, key: scene.trader,
                                             journal: try EVMOrderJournal(path: desk.journalPath))
            guard case .found(let report) = try await restarted.query("via-\(name)", on: "v2") else {
                Issue.record("via-\(name) unknown"); continue
            }
            let fill = told.compactMap { if case .fill(let fill) = $0.kind { fill } else { nil } }.first
            #expect(report.status == .filled && report.filledQuantity == FixedDecimal("0.3")!
                    && report.notional == fill?.notional)
        }
    }

    /// Subscribed, the chain's feed polls its aggregators for the pools' pair, the tokens' decimals as read from the
    /// pool: the indication is the server's quote of 1 ETH, exact, and the reference price counts it.
    @Test func theFeedPostsItsAggregatorsIndicationsOnceSubscribed() async throws {
        let scene = try await SwapSendScene.start()
        defer { scene.node.stop() }
        let server = try LocalZeroEx(AggregatorSwapTests.localChain(scene))
        try await AggregatorSwapTests.mirror(scene, into: server)
        let client = ZeroExClient(apiKey: LocalZeroEx.apiKey, chainId: UInt64(scene.node.chainId), baseURL: server.restURL)
        let desk = try await desk(scene, aggregators: [Self.feed(client, scene)])
        try await desk.venue.subscribe([MarketKey(venue: "v2", symbol: Live.pair)], into: desk.inbox)
        defer { desk.feed.aggregatorStatus?.stop() }
        var state = MarketState()
        #expect(try await FeedScene.eventually(30) {
            for event in desk.inbox.drain().market { state.apply(event) }
            return state.indications[Live.pair]?["0x@local"] != nil
        })
        let indication = try #require(state.indications[Live.pair]?["0x@local"])
        let quoted = try await client.price(sell: scene.weth, buy: scene.usdc, sellAmount: BigUInt(10).power(18))
        #expect(indication.baseAmount == .one)
        #expect(indication.quoteAmount == FixedDecimal(units: Int128(quoted.buyAmount), decimals: 6))
        #expect(state.reference(of: "ETH", in: "USDC")?.sources.contains { $0.venue == "0x@local" } == true)
    }

    @Test func anAggregatorDownLeavesTheSellToThePoolAndSaysSo() async throws {
        let scene = try await SwapSendScene.start()
        defer { scene.node.stop() }
        let server = try LocalOneInch(AggregatorSwapTests.localChain(scene))
        try await AggregatorSwapTests.mirror(scene, into: server)
        let client = OneInchClient(apiKey: LocalOneInch.apiKey, chainId: UInt64(scene.node.chainId),
                                   baseURL: server.restURL)
        let desk = try await desk(scene, aggregators: [Self.feed(client, scene)])
        _ = try await server.control("/control/fault", ["type": "http_error", "status": 503])
        let told = try await sell(desk, "direct")
        let route = told.first?.route ?? ""
        #expect(route.contains("direct (1inch: 1inch refused the request: HTTP 503"), "\(route)")
        guard case .accepted(let hash) = told.first?.kind else { Issue.record("\(told)"); return }
        let receipt = try await scene.client.call("eth_getTransactionReceipt", [.string(hash)])
        // The swap went through the pair by the venue's own router, whose Swap log is the fill.
        #expect(try receipt.member("logs").elements().contains {
            (try? $0.member("address").address()) == scene.v2Pair
        })
    }
}
