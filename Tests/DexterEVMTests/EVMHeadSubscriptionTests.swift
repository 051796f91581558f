import BigInt
import DexterCore
import DexterEVM
import DexterMarket
import DexterVenues
import Testing
import TestServers

/// New heads pushed through the WebSocket front of Tests/Servers/evm_ws (geth's `eth_subscribe("newHeads")`) wake the
/// feed at once; each failure of the subscription falls back to polling, says so, and misses no block.
@Suite(.serialized) struct EVMHeadSubscriptionTests {
    /// The poll interval is an hour: only the subscription can bring the swap's blocks to the desk.
    @Test func aNewBlockReachesTheFeedThroughTheSubscriptionNotThePoll() async throws {
        let scene = try await UniswapScene.start()
        defer { scene.node.stop() }
        let front = try LocalEVMHeads(nodeURL: scene.node.rpcURL)
        defer { front.stop() }
        let feed = try FeedScene.feed(scene, pollInterval: .seconds(3600),
                                      heads: HeadSubscriptionSettings(url: front.wsURL, silence: .seconds(600)))
        _ = try await feed.instruments()
        let before = try #require(feed.market(FeedScene.v3Key)?.mid)
        let inbox = VenueInbox()
        try await feed.subscribe([FeedScene.v3Key, FeedScene.v2Key], into: inbox)
        #expect(try await FeedScene.eventually { feed.headSource.isSubscribed }, "\(feed.headSource)")
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
        #expect(feed.headsPushed >= 2, "the approval's and the swap's blocks were pushed")
        #expect(feed.headFallbacks == 0 && feed.headSource.isSubscribed, "\(feed.headSource)")
        #expect(try await FeedScene.followedEqualsFresh(feed))
    }

    /// Each fault of the front ends the subscription (a refused connect: from the start): the feed says why, polls
    /// (every 100 ms here) and follows the swaps made meanwhile to the state a fresh read gives; once the fault is
    /// cleared it subscribes again (after its backoff) and follows by pushed heads.
    @Test(arguments: ["drop", "silence", "malformed", "malformed-json", "refuse"])
    func aFailedSubscriptionFallsBackToPollingAndMissesNothing(fault: String) async throws {
        let scene = try await UniswapScene.start()
        defer { scene.node.stop() }
        let front = try LocalEVMHeads(nodeURL: scene.node.rpcURL)
        defer { front.stop() }
        // A quiet test chain mines only when a test sends: the silence bound is short only where silence is the fault.
        let silence: Duration = fault == "silence" ? .seconds(1) : .seconds(600)
        // A provider's key sits in the path: never in a reason or a log.
        let feed = try FeedScene.feed(scene, pollInterval: .milliseconds(100),
                                      heads: HeadSubscriptionSettings(url: front.wsURL + "/v3/SECRET-KEY", silence: silence))
        _ = try await feed.instruments()
        if fault == "refuse" { try await front.control("/control/fault", ["type": "refuse"]) }
        let inbox = VenueInbox()
        try await feed.subscribe([FeedScene.v3Key, FeedScene.v2Key], into: inbox)
        if fault != "refuse" {
            #expect(try await FeedScene.eventually { feed.headSource.isSubscribed }, "\(feed.headSource)")
            if fault == "malformed-json" {
                try await front.control("/control/fault", ["type": "malformed", "shape": "json"])
            } else {
                try await front.control("/control/fault", ["type": fault])
            }
        }
        let moves = ChainMoves(scene: scene)
        try await moves.swapV3(usdcIn: BigUInt(600_000) * BigUInt(10).power(6), fee: 500)
        try await moves.swapV2(usdcIn: BigUInt(50_000) * BigUInt(10).power(6))
        #expect(try await FeedScene.eventually { feed.headFallbacks >= 1 }, "never fell back: \(feed.headSource)")
        #expect(try await FeedScene.eventually { try await FeedScene.followedEqualsFresh(feed) },
                "the followed pools never caught up with the chain after \(fault)")
        let failure = feed.lastHeadFailure ?? ""
        switch fault {
        case "silence": #expect(failure.contains("no new head"), "\(failure)")
        case "malformed", "malformed-json": #expect(failure.contains("malformed"), "\(failure)")
        default: #expect(!failure.isEmpty)
        }
        #expect(failure.hasPrefix(redactedURL(front.wsURL)), "the failure names the endpoint: \(failure)")
        #expect(!failure.contains("SECRET") && !"\(feed.headSource)".contains("SECRET"), "\(failure)")
        try await front.control("/control/fault", ["type": "clear"])
        #expect(try await FeedScene.eventually { feed.headSource.isSubscribed }, "not subscribed again: \(feed.headSource)")
        let pushed = feed.headsPushed
        try await moves.swapV3(usdcIn: BigUInt(100_000) * BigUInt(10).power(6), fee: 500)
        #expect(try await FeedScene.eventually { try await FeedScene.followedEqualsFresh(feed) })
        // A poll may apply the block before its pushed head arrives (the full suite saw it once): wait for the push.
        #expect(try await FeedScene.eventually { feed.headsPushed > pushed }, "the heads after the fault was cleared were pushed")
    }
}
