import DexterCore

/// Everything the desk knows about the market now. Markets live in one array and are addressed by index on
/// the hot path; a key lookup is only needed at the edges.
public struct MarketState: Sendable {
    public private(set) var markets: [Market] = []
    public private(set) var indexByKey: [MarketKey: Int] = [:]
    /// Markets quoting each symbol, for cross-venue detection.
    public private(set) var indicesBySymbol: [Symbol: [Int]] = [:]
    /// For each market, the other markets quoting its symbol: the routes an update to it re-prices, without
    /// hashing the symbol on the hot path.
    public private(set) var peers: [[Int]] = []
    public private(set) var gas: [ChainId: GasQuote] = [:]

    public init() {}

    public init(markets: [Market], gas: [GasQuote]) {
        for market in markets { add(market) }
        for quote in gas { self.gas[quote.chain] = quote }
    }

    public mutating func add(_ market: Market) {
        precondition(indexByKey[market.key] == nil, "market \(market.key) added twice")
        indexByKey[market.key] = markets.count
        let index = markets.count
        let existing = indicesBySymbol[market.key.symbol, default: []]
        for peer in existing { peers[peer].append(index) }
        peers.append(existing)
        indicesBySymbol[market.key.symbol, default: []].append(index)
        markets.append(market)
    }

    public subscript(key: MarketKey) -> Market? { indexByKey[key].map { markets[$0] } }

    /// Applies an event; returns the index of the market it touched (nil for gas, or an unknown market).
    @discardableResult
    public mutating func apply(_ event: MarketEvent) -> Int? {
        switch event {
        case .liquidity(let key, let liquidity, let venueTime, let receivedAt):
            guard let index = indexByKey[key] else { return nil }
            markets[index].update(liquidity, venueTime: venueTime, receivedAt: receivedAt)
            return index
        case .gas(let quote):
            gas[quote.chain] = quote
            return nil
        }
    }

    /// Replaces the liquidity of the market at `index`, for a feed that already knows where its market lives.
    public mutating func update(_ index: Int, liquidity: Liquidity, venueTime: Timestamp, receivedAt: Timestamp) {
        markets[index].update(liquidity, venueTime: venueTime, receivedAt: receivedAt)
    }

    public var symbols: [Symbol] { indicesBySymbol.keys.sorted() }
    public var venues: [VenueSpec] {
        var seen = Set<VenueId>()
        return markets.compactMap { seen.insert($0.venue.id).inserted ? $0.venue : nil }
    }
}

// MARK: - Reference prices

extension MarketState {
    /// Stablecoins taken at their dollar peg when no market prices them. A market that does price one (USDT/USDC
    /// at 0.97) always wins: a depegged coin is valued at what it trades at, never at the peg.
    public static let dollarPegs: Set<Asset> = ["USD", "USDC", "USDT", "DAI", "FDUSD", "BUSD", "TUSD"]

    /// The median mid of `base` in `quote` across venues, directly, inverted, or through one stablecoin hop, with
    /// the dollar peg as the last resort between stablecoins. Used to value gas and P&L, never to size a trade.
    public func referencePrice(of base: Asset, in quote: Asset) -> Double? {
        if base == quote { return 1 }
        if let market = marketPrice(of: base, in: quote) { return market }
        for bridge: Asset in ["USDT", "USDC", "USD"] where bridge != base && bridge != quote {
            guard let first = marketPrice(of: base, in: bridge) else { continue }
            if let second = marketPrice(of: bridge, in: quote) ?? pegRatio(bridge, quote) { return first * second }
        }
        return pegRatio(base, quote)
    }

    func marketPrice(of base: Asset, in quote: Asset) -> Double? {
        if let direct = medianMid(base: base, quote: quote) { return direct }
        if let inverse = medianMid(base: quote, quote: base), inverse > 0 { return 1 / inverse }
        return nil
    }

    func pegRatio(_ base: Asset, _ quote: Asset) -> Double? {
        Self.dollarPegs.contains(base) && Self.dollarPegs.contains(quote) ? 1 : nil
    }

    func medianMid(base: Asset, quote: Asset) -> Double? {
        guard let indices = indicesBySymbol[Symbol(base: base, quote: quote)] else { return nil }
        var mids = indices.compactMap { markets[$0].mid }
        guard !mids.isEmpty else { return nil }
        mids.sort()
        return mids.count % 2 == 1 ? mids[mids.count / 2] : (mids[mids.count / 2 - 1] + mids[mids.count / 2]) / 2
    }

    /// Value in USD, taking USDC as the dollar: the numeraire every P&L figure is reported in.
    public func usdValue(of asset: Asset) -> Double? { referencePrice(of: asset, in: "USDC") }
}
