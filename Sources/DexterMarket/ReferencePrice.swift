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
    /// Its say in the weighted median: 1 for a market, the configured weight for an indication.
    public var weight: Double = 1
    /// An indication (an aggregator's quote), not a market: `venue` names its source ("1inch@ethereum").
    public var isIndication = false
}

/// What an asset is worth in another, from every market that prices it, and how far to trust it.
///
/// The sources are the markets that price the pair and the indications (aggregators' quotes, `PriceIndication`)
/// for it. Each has a weight: 1 for a market, the configured weight for an indication. Sources past their staleness
/// bound (a market's venue's, an indication's own) are left out while fresh ones exist; with three or more, any that
/// sits further from the weighted median than five weighted median absolute deviations (and at least 0.5 %) is
/// dropped as an outlier and named. The value is the weighted median of the rest: the price at which the weights
/// below and above balance (the mean of the two middle prices when they balance exactly, so equal weights give the
/// ordinary median). A weight is a say in the center, not a share of an average: one source, however heavy, moves
/// the value only as far as the next source's price. Confidence (0–1) multiplies four scores: how many sources
/// agree, how closely, how fresh they are, and how deep (an indication counts the size it was quoted at).
/// Stablecoins with no market are taken at the dollar peg with a low confidence; a stablecoin that does trade is
/// valued at what it trades at.
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
            for indication in (indications[symbol] ?? [:]).values.sorted(by: { $0.source < $1.source }) {
                let price = indication.price
                guard price > 0, price.isFinite else { continue }
                let age = indication.age(at: now)
                let bound = max(indication.stalenessBound.secondsDouble, 1e-9)
                // Depth: the size it was quoted at, in the reference's quote asset.
                all.append(PriceSource(venue: indication.source, symbol: symbol, price: inverted ? 1 / price : price,
                                       age: age, isStale: indication.isStale(at: now),
                                       depth: inverted ? indication.baseAmount.doubleValue
                                           : indication.quoteAmount.doubleValue,
                                       freshness: min(1, max(0, 1 - age.secondsDouble / bound)),
                                       weight: indication.weight, isIndication: true))
            }
            if !all.isEmpty {
                method = inverted ? .inverse : .direct
                break
            }
        }
        guard !all.isEmpty else { return nil }
        let fresh = all.filter { !$0.isStale }
        let considered = fresh.isEmpty ? all : fresh
        let center = Self.weightedMedian(considered.map { ($0.price, $0.weight) })
        var kept = considered
        var outliers: [PriceSource] = []
        if considered.count >= 3 {
            let deviation = Self.weightedMedian(considered.map { (abs($0.price - center), $0.weight) })
            let tolerance = max(0.005 * center, 5 * deviation)
            kept = considered.filter { abs($0.price - center) <= tolerance }
            outliers = considered.filter { abs($0.price - center) > tolerance }
        }
        let value = Self.weightedMedian(kept.map { ($0.price, $0.weight) })
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

    /// The price where the weights below and above balance; the mean of the two middle prices when they balance
    /// exactly (so equal weights give the ordinary median).
    static func weightedMedian(_ values: [(value: Double, weight: Double)]) -> Double {
        let sorted = values.filter { $0.weight > 0 }.sorted { $0.value < $1.value }
        guard !sorted.isEmpty else { return .nan }
        let total = sorted.reduce(0.0) { $0 + $1.weight }
        let half = total / 2
        var below = 0.0
        for (index, entry) in sorted.enumerated() {
            below += entry.weight
            if abs(below - half) <= 1e-12 * total, index + 1 < sorted.count {
                return (entry.value + sorted[index + 1].value) / 2
            }
            if below > half { return entry.value }
        }
        return sorted[sorted.count - 1].value
    }
}
