import DexterMarket

/// Finds the base quantity that maximises proceeds(sell) − cost(buy) in `Double`, for screening.
///
/// Net profit is concave in size: the buy side's marginal price rises and the sell side's falls, on a book level
/// by level and on a curve smoothly. So the best size is where the marginal sell price meets the marginal buy
/// price, found by bisection on their difference; that covers book against book (the meeting point is a level
/// boundary), book against curve and curve against curve alike.
enum Sizing {
    /// `resolution` is the lot size: the search stops once the bracket is finer than a lot.
    static func bestQuantity(buy: LiquidityScreen, sell: LiquidityScreen, upperBound: Double, resolution: Double) -> Double {
        guard upperBound > 0 else { return 0 }
        if sell.marginalSellPrice(upperBound * (1 - 1e-12)) >= buy.marginalBuyPrice(upperBound * (1 - 1e-12)) {
            return upperBound
        }
        var low = 0.0
        var high = upperBound
        for _ in 0..<64 {
            let middle = (low + high) / 2
            if sell.marginalSellPrice(middle) > buy.marginalBuyPrice(middle) { low = middle } else { high = middle }
            if high - low <= max(high * 1e-12, resolution / 4) { break }
        }
        return high
    }

    /// The largest quantity whose buy cost stays within `budget` quote.
    static func quantity(affordableWith budget: Double, on buy: LiquidityScreen, upTo upperBound: Double,
                         resolution: Double) -> Double {
        if buy.buyCost(upperBound) <= budget { return upperBound }
        var low = 0.0
        var high = upperBound
        for _ in 0..<64 {
            let middle = (low + high) / 2
            if buy.buyCost(middle) <= budget { low = middle } else { high = middle }
            if high - low <= max(high * 1e-12, resolution / 4) { break }
        }
        return low
    }
}
