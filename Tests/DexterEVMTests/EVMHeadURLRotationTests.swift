import BigInt
import DexterCore
import DexterEVM
import DexterMarket
import DexterVenues
import Testing
import TestServers

/// Several WebSocket URLs for one chain (`ws_urls`): a URL that does not answer is passed over for the next at once,
/// and the feed follows by pushed heads from the one that works.
@Suite(.serialized) struct EVMHeadURLRotationTests {
    /// The first URL is a front that was stopped (nothing listens there); the second is alive. The poll interval is an
    /// hour: only the second URL's subscription can bring the swap's block to the desk.
    @Test func aDeadFirstURLIsPassedForTheSecond() async throws {
        let scene = try await UniswapScene.start()
        defer { scene.node.stop() }
        let dead = try LocalEVMHeads(nodeURL: scene.node.rpcURL)
        let deadURL = dead.wsURL + "/v3/SECRET-KEY"
        dead.stop()
        let front = try LocalEVMHeads(nodeURL: scene.node.rpcURL)
        defer { front.stop() }
        let feed = try FeedScene.feed(scene, pollInterval: .seconds(3600),
                                      heads: HeadSubscriptionSettings(urls: [deadURL, front.wsURL], silence: .seconds(600)))
        _ = try await feed.instruments()
        let before = try #require(feed.market(FeedScene.v3Key)?.mid)
        let inbox = VenueInbox()
        try await feed.subscribe([FeedScene.v3Key, FeedScene.v2Key], into: inbox)
        #expect(try await FeedScene.eventually { feed.headSource.isSubscribed }, "\(feed.headSource)")
        #expect(feed.headSource == .subscribed(endpoint: redactedURL(front.wsURL)), "the second URL: \(feed.headSource)")
        // The first URL's failure was told, naming it — without its key.
        let failure = feed.lastHeadFailure ?? ""
        #expect(feed.headFallbacks >= 1 && failure.hasPrefix(redactedURL(deadURL)), "\(failure)")
        #expect(!failure.contains("SECRET"), "\(failure)")
        try await ChainMoves(scene: scene).swapV3(usdcIn: BigUInt(600_000) * BigUInt(10).power(6), fee: 500)
        var moved = false
        #expect(try await FeedScene.eventually {
            for case .liquidity(let key, let liquidity, _, _) in inbox.drain().market where key == FeedScene.v3Key {
                let market = try #require(feed.market(key))
                let mid = Market(venue: market.venue, instrument: market.instrument, liquidity: liquidity).mid ?? 0
                if mid > before * 1.01 { moved = true }
            }
            return moved
        }, "the swap never reached the inbox")
        #expect(feed.headsPushed >= 1 && feed.headSource.isSubscribed, "\(feed.headSource)")
        #expect(try await FeedScene.followedEqualsFresh(feed))
    }

    /// `dexter venues check`'s question: with a dead URL first, the answer is the working second one, not the failure.
    @Test func theCheckAnswersWithTheURLThatWorks() async throws {
        let scene = try await UniswapScene.start()
        defer { scene.node.stop() }
        let dead = try LocalEVMHeads(nodeURL: scene.node.rpcURL)
        let deadURL = dead.wsURL
        dead.stop()
        let front = try LocalEVMHeads(nodeURL: scene.node.rpcURL)
        defer { front.stop() }
        let feed = try FeedScene.feed(scene, pollInterval: .seconds(3600),
                                      heads: HeadSubscriptionSettings(urls: [deadURL, front.wsURL], silence: .seconds(600)))
        _ = try await feed.instruments()
        let source = await feed.checkHeadSubscription(patience: .seconds(60))
        #expect(source == .subscribed(endpoint: redactedURL(front.wsURL)), "\(String(describing: source))")
    }
}
