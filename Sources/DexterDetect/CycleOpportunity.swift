import DexterCore
import DexterMarket

/// One trade of a cycle: what goes in, what comes out, where.
public struct CycleLeg: Sendable, Hashable, Codable {
    public let venue: VenueId
    public let symbol: Symbol
    public let side: Side
    /// The asset and amount spent, and the asset and amount received (fees included).
    public let from: Asset
    public let input: FixedDecimal
    public let to: Asset
    public let output: FixedDecimal
    /// Base traded, its average price and the last price reached (the IOC limit).
    public let quantity: FixedDecimal
    public let averagePrice: FixedDecimal
    public let worstPrice: FixedDecimal
    public let fee: FixedDecimal
    public let receivedAt: Timestamp

    public init(venue: VenueId, symbol: Symbol, side: Side, from: Asset, input: FixedDecimal, to: Asset,
                output: FixedDecimal, quantity: FixedDecimal, averagePrice: FixedDecimal, worstPrice: FixedDecimal,
                fee: FixedDecimal, receivedAt: Timestamp) {
        self.venue = venue
        self.symbol = symbol
        self.side = side
        self.from = from
        self.input = input
        self.to = to
        self.output = output
        self.quantity = quantity
        self.averagePrice = averagePrice
        self.worstPrice = worstPrice
        self.fee = fee
        self.receivedAt = receivedAt
    }
}

/// A cycle of trades that ends with more of its first asset than it started with, sized exactly along every leg
/// (each book walked, each pool swapped in its own integer math, each size on its market's lot).
public struct CycleOpportunity: Sendable, Hashable, Codable, Identifiable {
    public let id: UInt64
    public let legs: [CycleLeg]
    /// The first leg's input asset: the cycle starts and ends in it.
    public var start: Asset { legs[0].from }
    public var amountIn: FixedDecimal { legs[0].input }
    public var amountOut: FixedDecimal { legs[legs.count - 1].output }
    /// amountOut − amountIn, in the start asset. Amounts a lot could not carry stay where they are, uncounted.
    public let net: FixedDecimal
    /// Gas of the on-chain legs, in USD.
    public let gasUSD: FixedDecimal
    /// Net in USD after gas.
    public let netUSD: FixedDecimal
    public let detectedAt: Timestamp
    public let expiresAt: Timestamp

    public init(id: UInt64, legs: [CycleLeg], net: FixedDecimal, gasUSD: FixedDecimal, netUSD: FixedDecimal,
                detectedAt: Timestamp, expiresAt: Timestamp) {
        precondition(legs.count >= 2 && legs.first?.from == legs.last?.to, "a cycle ends in the asset it starts with")
        self.id = id
        self.legs = legs
        self.net = net
        self.gasUSD = gasUSD
        self.netUSD = netUSD
        self.detectedAt = detectedAt
        self.expiresAt = expiresAt
    }

    /// Net over the amount put in, in basis points.
    public var netBps: FixedDecimal { amountIn.isPositive ? net * FixedDecimal(10_000) / amountIn : .zero }
    /// "USDC→ETH→USDT→USDC".
    public var path: String { (legs.map(\.from.code) + [start.code]).joined(separator: "→") }
    /// "USDC→ETH@binance→USDT@okx→USDC@curve": the path with each leg's venue.
    public var route: String {
        start.code + legs.map { "→\($0.to.code)@\($0.venue.name)" }.joined()
    }
    public func isExpired(at now: Timestamp) -> Bool { now >= expiresAt }

    func withIdentity(_ id: UInt64) -> CycleOpportunity {
        CycleOpportunity(id: id, legs: legs, net: net, gasUSD: gasUSD, netUSD: netUSD, detectedAt: detectedAt,
                         expiresAt: expiresAt)
    }
}
