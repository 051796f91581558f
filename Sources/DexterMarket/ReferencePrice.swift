import DexterCore
import Foundation

/// One market's say in a reference price.
public struct PriceSource: Sendable, Hashable {
    public let venue: VenueId
    public let symbol: Symbol
    /// The market's mid, in the reference's quote asset (inverted for an inverse market).
    public let price: Double
    public let age: Duration
    public let isStale: Bool
    /// Top-of-book depth both sides, in the quote asset (a pool counts what a 1 % move would trade).
    public let depth: Double
    /// 1 when just received, falling to 0 at the venue's staleness bound.
    public let freshness: Double
}

/// What an asset is worth in another, from every market that prices it, and how far to trust it.
///
/// Sources past their venue's staleness bound are left out while fresh ones exist; with three or more, any that
/// sits further from the median than five median absolute deviations (and at least 0.5 %) is dropped as an
/// outlier and named. The value is the median of the rest. Confidence (0–1) multiplies four scores: how many
/// sources agree, how closely, how fresh they are, and how deep. Stablecoins with no market are taken at the
/// dollar peg with a low confidence; a stablecoin that does trade is valued at what it trades at.
public struct ReferencePrice: Sendable, Hashable {
    public enum Method: Sendable, Hashable, CustomStringConvertible {
        case direct, inverse
        /// Through a stablecoin: asset → bridge → quote.
        case bridged(Asset)
        /// Both are dollar stablecoins and no market prices one in the other.
        case peg

        public var description: String {
            switch self {
            case .direct: return "direct"
            case .inverse: return "inverse"
            case .bridged(let bridge): return "via \(bridge)"
            case .peg: return "peg"
            }
        }
    }

    public let asset: Asset
    public let quote: Asset
    public let value: Double
    public let method: Method
    public let sources: [PriceSource]
    public let outliers: [PriceSource]
    /// Sources left out for being stale (all are used, and freshness is zero, when none is fresh).
    public let staleSources: Int
    public let agreement: Double
    public let freshness: Double
    public let depth: Double
    public let confidence: Double

    /// Confidence given to a peg taken with no market to confirm it.
    public static let pegConfidence = 0.25
}

extension MarketState {
    /// Stablecoins taken at their dollar peg when no market prices them. A market that does price one (USDT/USDC
    /// at 0.97) always wins: a depegged coin is valued at what it trades at, never at the peg.
    public static let dollarPegs: Set<Asset> = ["USD", "USDC", "USDT", "DAI", "FDUSD", "BUSD", "TUSD"]

    /// The reference price of `asset` in `quote`: directly, inverted, through one stablecoin, or at the peg.
    /// Staleness is judged at `now` (default: the newest quote in the state).
    public func reference(of asset: Asset, in quote: Asset, at now: Timestamp? = nil) -> ReferencePrice? {
        if asset == quote {
            return ReferencePrice(asset: asset, quote: quote, value: 1, method: .direct, sources: [], outliers: [],
                                  staleSources: 0, agreement: 1, freshness: 1, depth: .infinity, confidence: 1)
        }
        let now = now ?? newestQuoteTime
        if let found = aggregate(asset, quote, now: now) { return found }
        for bridge: Asset in ["USDT", "USDC", "USD"] where bridge != asset && bridge != quote {
            guard let first = aggregate(asset, bridge, now: now) else { continue }
            guard let second = aggregate(bridge, quote, now: now) ?? peg(bridge, quote) else { continue }
            return ReferencePrice(
                asset: asset, quote: quote, value: first.value * second.value, method: .bridged(bridge),
                sources: first.sources, outliers: first.outliers + second.outliers,
                staleSources: first.staleSources + second.staleSources,
                // A peg is assumed, not quoted: it has no age, so the bridge is as fresh as its market leg.
                agreement: first.agreement * second.agreement,
                freshness: second.method == .peg ? first.freshness : min(first.freshness, second.freshness),
                depth: first.depth, confidence: first.confidence * second.confidence)
        }
        return peg(asset, quote)
    }

    /// The reference value alone. Used to value gas and P&L, never to size a trade.
    public func referencePrice(of base: Asset, in quote: Asset) -> Double? { reference(of: base, in: quote)?.value }

    /// Value in USD, taking USDC as the dollar: the numeraire every P&L figure is reported in.
    public func usdValue(of asset: Asset) -> Double? { referencePrice(of: asset, in: "USDC") }

    private func peg(_ asset: Asset, _ quote: Asset) -> ReferencePrice? {
        guard Self.dollarPegs.contains(asset) && Self.dollarPegs.contains(quote) else { return nil }
        return ReferencePrice(asset: asset, quote: quote, value: 1, method: .peg, sources: [], outliers: [],
                              staleSources: 0, agreement: 1, freshness: 0, depth: 0,
                              confidence: ReferencePrice.pegConfidence)
    }

    /// Every market quoting asset/quote (or quote/asset, inverted), aggregated.
    private func aggregate(_ asset: Asset, _ quote: Asset, now: Timestamp) -> ReferencePrice? {
        var all: [PriceSource] = []
        var method = ReferencePrice.Method.direct
        for (symbol, inverted) in [(Symbol(base: asset, quote: quote), false), (Symbol(base: quote, quote: asset), true)] {
            for index in indicesBySymbol[symbol] ?? [] {
                let market = markets[index]
                guard let mid = market.mid, mid > 0 else { continue }
                let bid = market.screen.topSellPriceBeforeFee, ask = market.screen.topBuyPriceBeforeFee
                let depth: Double
                if case .book(let book) = market.liquidity {
                    depth = (book.bids.first.map { $0.priceValue * $0.quantityValue } ?? 0)
                        + (book.asks.first.map { $0.priceValue * $0.quantityValue } ?? 0)
                } else {
                    // A pool: quote moved by taking 1 % of its base either way, roughly.
                    depth = min(market.screen.maxBuyQuantity, market.screen.maxSellQuantity) * 0.01 * (bid + ask)
                }
                let age = market.quoteAge(at: now)
                let bound = max(market.venue.stalenessBound.secondsDouble, 1e-9)
                all.append(PriceSource(venue: market.key.venue, symbol: symbol, price: inverted ? 1 / mid : mid,
                                       age: age, isStale: market.isStale(at: now),
                                       depth: inverted ? depth / mid : depth,
                                       freshness: max(0, 1 - age.secondsDouble / bound)))
            }
            if !all.isEmpty {
                method = inverted ? .inverse : .direct
                break
            }
        }
        guard !all.isEmpty else { return nil }
        let fresh = all.filter { !$0.isStale }
        let considered = fresh.isEmpty ? all : fresh
        let center = Self.median(considered.map(\.price))
        var kept = considered
        var outliers: [PriceSource] = []
        if considered.count >= 3 {
            let deviation = Self.median(considered.map { abs($0.price - center) })
            let tolerance = max(0.005 * center, 5 * deviation)
            kept = considered.filter { abs($0.price - center) <= tolerance }
            outliers = considered.filter { abs($0.price - center) > tolerance }
        }
        let value = Self.median(kept.map(\.price))
        let spread = ((kept.map(\.price).max() ?? value) - (kept.map(\.price).min() ?? value)) / value
        let agreement = 1 / (1 + spread / 0.002)
        let freshnessSum: Double = kept.reduce(0.0) { $0 + $1.freshness }
        let freshness = fresh.isEmpty ? 0 : freshnessSum / Double(kept.count)
        let depth: Double = kept.reduce(0.0) { $0 + $1.depth }
        let sourceScore = 1 - pow(0.5, Double(kept.count))
        // Depth counts toward confidence in dollars: $10k at the top of the books scores one half.
        let depthScore = Self.dollarPegs.contains(quote) ? depth / (depth + 10_000) : 1
        let confidence = sourceScore * agreement * (0.5 + 0.5 * freshness) * (0.5 + 0.5 * depthScore)
        return ReferencePrice(asset: asset, quote: quote, value: value, method: method, sources: kept,
                              outliers: outliers, staleSources: all.count - fresh.count, agreement: agreement,
                              freshness: freshness, depth: depth, confidence: confidence)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}
