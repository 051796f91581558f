import DexterCrypto

/// A chain's WebSocket endpoints for `eth_subscribe("newHeads")`: a new head wakes the feed at once instead of at its
/// next poll. The logs are still read by block hash over HTTP, so the state path is the same whichever way a head came.
public struct HeadSubscriptionSettings: Sendable, Hashable {
    /// ws:// or wss:// URLs, tried in turn: a failure of one moves to the next (`WebSocketLink`). Often carry a key:
    /// never written whole (RPCEndpoint redacts them).
    public var urls: [String]
    /// A live subscription that brings no head for this long is taken for dead: the feed polls, and the WebSocket is
    /// tried again (the next URL at once, the same after its backoff). Several block times: a quiet chain must not flap.
    public var silence: Duration

    public init(urls: [String], silence: Duration = .seconds(60)) {
        self.urls = urls
        self.silence = silence
    }

    public init(url: String, silence: Duration = .seconds(60)) {
        self.init(urls: [url], silence: silence)
    }
}

/// Gas units from `eth_estimateGas` of the router call a small exact-input swap each way would make, sent from
/// `from` at the latest block, instead of the configured figure. An estimate needs the tokens and the router's
/// allowance at that address (the trading wallet's); one that reverts keeps the configured units and says why.
public struct GasEstimateSettings: Sendable, Hashable {
    public var from: EthereumAddress
    /// Estimated again once this many blocks have passed since the last estimate.
    public var everyBlocks: UInt64
    /// Added to the larger of the two directions' estimates, in percent: the probe swaps are small and cross no
    /// tick, while a trade of the size detection sizes may cross one or two (a V3 tick crossing costs some 20-30k
    /// gas on a ~120k swap), so 10 % keeps the cost waterfall from counting the cheapest case.
    public var marginPercent: Int

    public init(from: EthereumAddress, everyBlocks: UInt64 = 50, marginPercent: Int = 10) {
        self.from = from
        self.everyBlocks = everyBlocks
        self.marginPercent = marginPercent
    }

    /// ⌈estimate × (100 + margin) / 100⌉.
    public func withMargin(_ estimate: Int) -> Int { (estimate * (100 + marginPercent) + 99) / 100 }
}
