extension EVMMarketFeed {
    /// How the feed learns of new heads now: pushed by a live subscription, or polled (and why).
    public var headSource: HeadSource {
        headSubscription?.source ?? .polling(reason: "\(chain.chain) has no ws_url")
    }

    /// Heads the subscription pushed so far (each one woke the feed).
    public var headsPushed: Int { headSubscription?.headsPushed ?? 0 }

    /// Times the subscription failed and the feed fell back to polling.
    public var headFallbacks: Int { headSubscription?.failures ?? 0 }

    /// Why the subscription last failed (the URL redacted).
    public var lastHeadFailure: String? { headSubscription?.lastFailure }

    /// What the follower should do next: follow a pushed head, poll (the subscription just failed or was just made,
    /// or it is not live at the end of `poll_ms`), or nothing (a live subscription pushed nothing within `poll_ms`).
    func nextStep() async -> (poll: Bool, pushed: BlockHeader?) {
        guard let headSubscription else {
            try? await Task.sleep(for: chain.pollInterval)
            return (true, nil)
        }
        switch await headSubscription.signal.next(within: chain.pollInterval) {
        case .head(let header): return (true, header)
        case .poll: return (true, nil)
        case nil: return (!headSubscription.source.isSubscribed, nil)
        }
    }

    /// Runs `follow` with the subscription kept beside it, and ended with it.
    func followingHeads(_ follow: () async -> Void) async {
        guard let headSubscription else { return await follow() }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await headSubscription.run() }
            await follow()
            group.cancelAll()
        }
    }
}

extension EVMMarketFeed {
    /// Subscribes once to new heads and says how it went within `patience` (for `dexter venues check`); nil when the
    /// chain has no ws_url. The subscription is ended after.
    public func checkHeadSubscription(patience: Duration = .seconds(5)) async -> HeadSource? {
        guard let headSubscription else { return nil }
        let run = Task { await headSubscription.run() }
        defer { run.cancel() }
        let deadline = ContinuousClock.now + patience
        while ContinuousClock.now < deadline {
            let source = headSubscription.source
            // With several URLs a failure moves on to the next: only the last word (subscribed, or the patience
            // spent) tells.
            let onlyURLFailed = headSubscription.failures > 0 && headSubscription.endpoints.count == 1
            if source.isSubscribed || onlyURLFailed { return source }
            try? await Task.sleep(for: .milliseconds(50))
        }
        if headSubscription.failures > 0 { return headSubscription.source }
        return .polling(reason: "no answer to eth_subscribe within \(patience)")
    }
}
