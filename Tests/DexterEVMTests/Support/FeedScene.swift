import BigInt
import DexterCore
import DexterCrypto
import DexterEVM
import DexterMarket
import DexterVenues
import Foundation
import Testing

/// A feed of the scene's ETH/USDC on Uniswap V3 (0.05 %) and on our V2 pair, with the chain settings a test picks
/// (poll interval, a WebSocket front, an address to estimate gas from).
enum FeedScene {
    static let pair = Symbol(base: "ETH", quote: "USDC")
    static let v3Key = MarketKey(venue: "uni-v3", symbol: pair)
    static let v2Key = MarketKey(venue: "v2", symbol: pair)

    static func feed(_ scene: UniswapScene, pollInterval: Duration, heads: HeadSubscriptionSettings? = nil,
                     gasEstimate: GasEstimateSettings? = nil) throws -> EVMMarketFeed {
        let chain = EVMChainSettings(chain: "local", chainId: UInt64(scene.node.chainId), gasToken: "ETH",
                                     rpcURLs: [scene.node.rpcURL], confirmations: 0, pollInterval: pollInterval,
                                     tokens: ["ETH": scene.weth.address, "USDC": scene.usdc.address],
                                     headSubscription: heads, gasEstimate: gasEstimate)
        func venue(_ name: String) -> VenueSpec {
            VenueSpec(id: VenueId(name), kind: .dex(chain: "local"), takerFee: .zero, stalenessBound: .seconds(30))
        }
        let v3 = DexDeployment(protocolKind: .uniswapV3, factory: scene.uniswapV3.factory,
                               router: try scene.address(try scene.deployments.contract("SwapRouter")), quoter: scene.quoter,
                               initCodeHash: UniswapV3Deployment.uniswapPoolInitCodeHash)
        let v2 = DexDeployment(protocolKind: .uniswapV2, factory: scene.ourV2.factory, router: scene.router, feeBps: 30)
        return try EVMMarketFeed(chain: chain, pools: [
            .init(venue: venue("uni-v3"), dexName: "uniswap-v3", deployment: v3, symbol: pair, feePips: 500, gasUnits: 130_000),
            .init(venue: venue("v2"), dexName: "v2", deployment: v2, symbol: pair, feePips: nil, gasUnits: 110_000),
        ])
    }

    /// Whether every pool the feed follows equals a fresh read of the chain at its newest block: V2 reserves exactly;
    /// a V3 pool's price, tick and active liquidity (the ticks held may span other bitmap words than a fresh read's).
    static func followedEqualsFresh(_ feed: EVMMarketFeed) async throws -> Bool {
        var fresh = try feed.newFollower()
        try await fresh.start()
        let read = try feed.markets(from: fresh, at: .zero)
        for key in [v3Key, v2Key] {
            guard let held = feed.market(key)?.liquidity, let now = read[key]?.market.liquidity else { return false }
            switch (held, now) {
            case (.concentrated(let a), .concentrated(let b)):
                guard a.sqrtPriceX96 == b.sqrtPriceX96, a.tick == b.tick, a.liquidity == b.liquidity else { return false }
            case (.constantProduct(let a), .constantProduct(let b)):
                guard a == b else { return false }
            default: return false
            }
        }
        return true
    }

    /// Waits (up to `seconds`, a bound for a broken build, not a measure) until `condition` holds.
    static func eventually(_ seconds: Double = 60, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }
}
