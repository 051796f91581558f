import DexterCore

/// When held inventory is closed: an asset whose reference price falls this far below what the desk paid for it
/// (its FIFO cost) is sold down across every account that holds it. Assets without a stop are never closed.
public struct StopLossLimits: Sendable, Hashable {
    /// Per asset, the fall below average cost that closes it, in percent ("12" = 12 %).
    public var percentBelowCost: [Asset: FixedDecimal]
    /// The worst price a closing order accepts, in basis points under the price it was quoted at.
    public var maxSlippageBps: Int

    public init(percentBelowCost: [Asset: FixedDecimal] = [:], maxSlippageBps: Int = 100) {
        self.percentBelowCost = percentBelowCost
        self.maxSlippageBps = maxSlippageBps
    }

    /// How one holding stands against its stop; nil when the asset has no stop or nothing is held at a cost.
    public func reading(asset: Asset, quantity: FixedDecimal, costUSD: FixedDecimal, markUSD: Double) -> StopLossReading? {
        guard let limit = percentBelowCost[asset], quantity.isPositive, costUSD.isPositive, markUSD > 0 else { return nil }
        let averageCost = costUSD / quantity
        let fall = (averageCost.doubleValue - markUSD) / averageCost.doubleValue * 100
        return StopLossReading(asset: asset, quantity: quantity, averageCostUSD: averageCost, markUSD: markUSD,
                               fallPercent: fall, limitPercent: limit)
    }

    /// The lowest price a closing sell accepts, given the price it is quoted at now.
    public func worstSellPrice(quotedAt price: FixedDecimal) -> FixedDecimal {
        price * (.one - FixedDecimal(maxSlippageBps) / FixedDecimal(10_000))
    }
}

/// One asset's inventory against its stop.
public struct StopLossReading: Sendable, Hashable, CustomStringConvertible {
    public let asset: Asset
    public let quantity: FixedDecimal
    public let averageCostUSD: FixedDecimal
    public let markUSD: Double
    /// How far the mark is under the average cost, in percent (negative when above it).
    public let fallPercent: Double
    public let limitPercent: FixedDecimal

    /// Past the stop: at or beyond the limit's fall.
    public var isTriggered: Bool { fallPercent >= limitPercent.doubleValue }

    /// Used share of the stop, for a gauge: 0 at cost or above, 1 at the stop.
    public var usage: LimitUsage {
        LimitUsage(name: "stop \(asset)", used: FixedDecimal(approximating: max(0, fallPercent)).rounded(digits: 4),
                   limit: limitPercent, unit: "%")
    }

    public var description: String {
        "\(asset) at $\(String(format: "%.2f", markUSD)) is \(String(format: "%.2f", fallPercent)) % below its average cost "
            + "$\(averageCostUSD.formatted(digits: 2)), past its \(limitPercent) % stop"
    }
}
