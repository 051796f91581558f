/// A concentrated pool's liquidity as constant-product segments between its initialized ticks, in human units,
/// for screening: within a segment base = L (1/s − 1/s′) and quote = L (s′ − s), s the square root of the price.
/// The fee is on the input, so a buy pays quote / γ and a sell trades γ · base.
public struct RangeLadder: Sendable, Hashable {
    public struct Segment: Sendable, Hashable {
        /// √price where the segment starts (the current price for the first) and where it ends.
        public let from: Double
        public let to: Double
        public let liquidity: Double
        /// Base the segment holds between its two prices.
        public let base: Double

        public init(from: Double, to: Double, liquidity: Double) {
            self.from = from
            self.to = to
            self.liquidity = liquidity
            self.base = liquidity * abs(1 / from - 1 / to)
        }
    }

    public let sqrtPrice: Double
    /// Segments a buyer walks (price rising), then those a seller walks (price falling), nearest first.
    public let up: [Segment]
    public let down: [Segment]
    public let gamma: Double
    public let maxBaseOut: Double
    public let maxBaseIn: Double

    public init(sqrtPrice: Double, up: [Segment], down: [Segment], gamma: Double) {
        self.sqrtPrice = sqrtPrice
        self.up = up
        self.down = down
        self.gamma = gamma
        self.maxBaseOut = up.reduce(0) { $0 + $1.base } * 0.999
        self.maxBaseIn = down.reduce(0) { $0 + $1.base } / gamma * 0.999
    }

    public var spotPrice: Double { sqrtPrice * sqrtPrice }

    /// Walks `base` through `segments`: the quote it moves and the √price where it stops (nil past the last one).
    @inlinable func walk(_ segments: [Segment], base: Double, rising: Bool) -> (quote: Double, sqrtPrice: Double)? {
        var left = base
        var quote = 0.0
        var at = sqrtPrice
        for segment in segments {
            if left >= segment.base {
                left -= segment.base
                quote += segment.liquidity * abs(segment.to - segment.from)
                at = segment.to
                continue
            }
            // 1/s′ = 1/s ∓ left / L
            let inverse = rising ? 1 / segment.from - left / segment.liquidity : 1 / segment.from + left / segment.liquidity
            let end = 1 / inverse
            quote += segment.liquidity * abs(end - segment.from)
            return (quote, end)
        }
        return left <= 0 ? (quote, at) : nil
    }

    @inlinable public func buyCost(_ q: Double) -> Double {
        guard q < maxBaseOut, let walked = walk(up, base: q, rising: true) else { return .infinity }
        return walked.quote / gamma
    }

    @inlinable public func sellProceeds(_ q: Double) -> Double {
        guard q <= maxBaseIn, let walked = walk(down, base: q * gamma, rising: false) else { return 0 }
        return walked.quote
    }

    @inlinable public func marginalBuyPrice(_ q: Double) -> Double {
        guard q < maxBaseOut, let walked = walk(up, base: q, rising: true) else { return .infinity }
        return walked.sqrtPrice * walked.sqrtPrice / gamma
    }

    @inlinable public func marginalSellPrice(_ q: Double) -> Double {
        guard q <= maxBaseIn, let walked = walk(down, base: q * gamma, rising: false) else { return 0 }
        return gamma * walked.sqrtPrice * walked.sqrtPrice
    }
}
