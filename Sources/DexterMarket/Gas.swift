import DexterCore

/// A chain's current gas price. `price` is in billionths of the gas token per gas unit: gwei on an EVM chain,
/// lamports on Solana.
public struct GasQuote: Sendable, Hashable {
    public let chain: ChainId
    public let token: Asset
    public var price: FixedDecimal
    public var updatedAt: Timestamp

    public init(chain: ChainId, token: Asset, price: FixedDecimal, updatedAt: Timestamp) {
        self.chain = chain
        self.token = token
        self.price = price
        self.updatedAt = updatedAt
    }

    /// Gas token spent by `units` of gas.
    public func cost(units: Int) -> FixedDecimal {
        price * FixedDecimal(units) / FixedDecimal(1_000_000_000)
    }
}

/// Something a venue adapter reports; the market state applies them in order.
public enum MarketEvent: Sendable {
    case liquidity(MarketKey, Liquidity, venueTime: Timestamp, receivedAt: Timestamp)
    case gas(GasQuote)
    /// A perpetual's next funding and mark price.
    case funding(FundingQuote)
    /// A pool's gas units for one swap, measured again on its chain (`eth_estimateGas` of the router's calldata):
    /// the gas line of every route through it from now on.
    case gasUnits(MarketKey, Int)
    /// A price from a source that is not a market (an aggregator's quote): a reference price source only.
    case indication(PriceIndication)
}
