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
    /// For each market, the markets of the same underlying in the other instrument (spot for a linear perpetual, the
    /// linear perpetuals for a spot pair): the basis routes an update to it re-prices.
    public private(set) var basisPeers: [[Int]] = []
    /// Markets by underlying (`Symbol.underlying`): a spot pair with the linear perpetuals that track it.
    public private(set) var indicesByUnderlying: [Symbol: [Int]] = [:]
    public private(set) var gas: [ChainId: GasQuote] = [:]
    /// Each perpetual's next funding, as its venue last said (kept apart from `markets`, which the hot path copies).
    public private(set) var funding: [MarketKey: FundingQuote] = [:]
    /// Prices from sources that are not markets (aggregators' quotes), by symbol and source: reference sources only.
    public private(set) var indications: [Symbol: [VenueId: PriceIndication]] = [:]
    /// The newest receive time of any quote: "now" for judging staleness where no clock is given.
    public private(set) var newestQuoteTime: Timestamp = .zero

    public init() {}

    public init(markets: [Market], gas: [GasQuote]) {
        for market in markets { add(market) }
        for quote in gas { self.gas[quote.chain] = quote }
    }

    public mutating func add(_ market: Market) {
        precondition(indexByKey[market.key] == nil, "market \(market.key) added twice")
        newestQuoteTime = max(newestQuoteTime, market.receivedAt)
        indexByKey[market.key] = markets.count
        let index = markets.count
        let existing = indicesBySymbol[market.key.symbol, default: []]
        for peer in existing { peers[peer].append(index) }
        peers.append(existing)
        indicesBySymbol[market.key.symbol, default: []].append(index)
        let underlying = market.key.symbol.underlying
        let basis = (indicesByUnderlying[underlying] ?? []).filter { markets[$0].key.symbol != market.key.symbol }
        for peer in basis { basisPeers[peer].append(index) }
        basisPeers.append(basis)
        indicesByUnderlying[underlying, default: []].append(index)
        markets.append(market)
    }

    public subscript(key: MarketKey) -> Market? { indexByKey[key].map { markets[$0] } }

    /// Applies an event; returns the index of the market it touched (nil for gas, an indication, or an unknown market).
    @discardableResult
    public mutating func apply(_ event: MarketEvent) -> Int? {
        switch event {
        case .liquidity(let key, let liquidity, let venueTime, let receivedAt):
            guard let index = indexByKey[key] else { return nil }
            markets[index].update(liquidity, venueTime: venueTime, receivedAt: receivedAt)
            newestQuoteTime = max(newestQuoteTime, receivedAt)
            return index
        case .gas(let quote):
            gas[quote.chain] = quote
            return nil
        case .funding(let quote):
            guard let index = indexByKey[quote.market] else { return nil }
            funding[quote.market] = quote
            return index
        case .gasUnits(let key, let units):
            guard let index = indexByKey[key] else { return nil }
            markets[index].gasUnits = units
            return index
        case .indication(let indication):
            indications[indication.symbol, default: [:]][indication.source] = indication
            newestQuoteTime = max(newestQuoteTime, indication.receivedAt)
            return nil
        }
    }

    /// Replaces the liquidity of the market at `index`, for a feed that already knows where its market lives.
    public mutating func update(_ index: Int, liquidity: Liquidity, venueTime: Timestamp, receivedAt: Timestamp) {
        markets[index].update(liquidity, venueTime: venueTime, receivedAt: receivedAt)
        newestQuoteTime = max(newestQuoteTime, receivedAt)
    }

    public var symbols: [Symbol] { indicesBySymbol.keys.sorted() }
    public var venues: [VenueSpec] {
        var seen = Set<VenueId>()
        return markets.compactMap { seen.insert($0.venue.id).inserted ? $0.venue : nil }
    }
}
