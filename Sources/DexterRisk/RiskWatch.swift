import DexterCore
import Foundation

/// The desk's risk as the Risk panel shows it: 1-day VaR and expected shortfall at 95 % and 99 %, historical and
/// parametric, EWMA volatility per asset and the correlation of what is held.
public struct RiskFigures: Sendable {
    public struct Pair: Sendable, Hashable {
        public let historical: Double
        public let parametric: Double
    }

    /// Positive losses in USD over one day.
    public let var95: Pair
    public let var99: Pair
    public let es95: Pair
    public let es99: Pair
    /// One-day EWMA volatility per held asset (0.031 = 3.1 %), largest first.
    public let volatility: [(asset: Asset, daily: Double)]
    /// Correlation of each pair of held, volatile assets.
    public let correlation: [(Asset, Asset, Double)]
    public let samples: Int
    public let intervalSeconds: Double
}

/// Samples reference prices at a fixed interval and turns them into risk figures. Returns over the interval are
/// scaled to a day by √(day / interval): the square-root-of-time rule, which assumes independent returns; with the
/// simulator's minutes of history it is the only honest way to speak of a day.
public struct RiskWatch: Sendable {
    public let interval: Duration
    public let capacity: Int
    public static let minimumSamples = 30
    private var prices: [Asset: [Double]] = [:]
    private var times: [Timestamp] = []

    /// Five-second samples for an hour by default: per-second mids carry more quote noise than price moves, and √t
    /// would scale that noise to a day.
    public init(interval: Duration = .seconds(5), capacity: Int = 720) {
        self.interval = interval
        self.capacity = capacity
    }

    /// Whether an interval has passed since the last sample.
    public func isDue(at now: Timestamp) -> Bool { times.last.map { now.duration(since: $0) >= interval } ?? true }

    /// Takes a sample if an interval has passed since the last; `price` gives an asset's USD price.
    public mutating func sample(at now: Timestamp, assets: [Asset], price: (Asset) -> Double?) {
        guard isDue(at: now) else { return }
        times.append(now)
        for asset in assets {
            guard let value = price(asset), value > 0 else { continue }
            var series = prices[asset] ?? []
            // An asset first seen late is back-filled flat, so every series lines up with the clock.
            if series.count < times.count - 1 { series += Array(repeating: value, count: times.count - 1 - series.count) }
            series.append(value)
            prices[asset] = series
        }
        if times.count > capacity {
            times.removeFirst()
            for key in Array(prices.keys) {
                let excess = max(0, (prices[key]?.count ?? 0) - capacity)
                prices[key]?.removeFirst(excess)
            }
        }
    }

    public var sampleCount: Int { times.count }

    /// Returns per asset over the kept samples (equal length for assets present throughout).
    public func returns(_ asset: Asset) -> [Double] {
        guard let series = prices[asset], series.count >= 2 else { return [] }
        return zip(series.dropFirst(), series).map { $0 / $1 - 1 }
    }

    /// One-day volatility of an asset from EWMA of its interval returns.
    public func dailyVolatility(_ asset: Asset) -> Double? {
        let series = returns(asset)
        guard series.count >= Self.minimumSamples - 1 else { return nil }
        return RiskMetrics.ewmaVolatility(series) * dayScale
    }

    var dayScale: Double { (86_400 / interval.secondsDouble).squareRoot() }

    /// The figures for holdings worth `positions` USD per asset; nil until enough samples are in.
    public func figures(positions: [Asset: Double]) -> RiskFigures? {
        let held = positions.filter { $0.value != 0 && returns($0.key).count >= Self.minimumSamples - 1 }
            .sorted { $0.key < $1.key }
        guard !held.isEmpty else { return nil }
        let length = held.map { returns($0.key).count }.min() ?? 0
        let series = held.map { Array(returns($0.key).suffix(length)) }
        let weights = held.map(\.value)
        // The portfolio's P&L per interval, in USD.
        let pnl = (0..<length).map { t in zip(weights, series).reduce(0) { $0 + $1.0 * $1.1[t] } }
        func historical(_ confidence: Double) -> (Double, Double) {
            (-RiskMetrics.historicalVaR(pnl, confidence: confidence) * dayScale,
             -RiskMetrics.historicalES(pnl, confidence: confidence) * dayScale)
        }
        let sigma = RiskMetrics.covariance(series)
        let sigmaW = sigma.map { row in zip(row, weights).reduce(0) { $0 + $1.0 * $1.1 } }
        let deviation = max(0, zip(weights, sigmaW).reduce(0) { $0 + $1.0 * $1.1 }).squareRoot() * dayScale
        func parametric(_ confidence: Double) -> (Double, Double) {
            let alpha = 1 - confidence
            let z = Normal.quantile(alpha)
            return (-z * deviation, Normal.density(z) / alpha * deviation)
        }
        let (h95, hes95) = historical(0.95), (h99, hes99) = historical(0.99)
        let (p95, pes95) = parametric(0.95), (p99, pes99) = parametric(0.99)
        let volatile = held.indices.filter { RiskMetrics.centralMoment(series[$0], 2) > 1e-16 }
        let correlation = RiskMetrics.correlation(volatile.map { series[$0] })
        var pairs: [(Asset, Asset, Double)] = []
        for i in volatile.indices {
            for j in volatile.indices where j > i {
                pairs.append((held[volatile[i]].key, held[volatile[j]].key, correlation[i][j]))
            }
        }
        let vols = held.compactMap { entry in dailyVolatility(entry.key).map { (entry.key, $0) } }.sorted { $0.1 > $1.1 }
        return RiskFigures(var95: .init(historical: h95, parametric: p95), var99: .init(historical: h99, parametric: p99),
                           es95: .init(historical: hes95, parametric: pes95), es99: .init(historical: hes99, parametric: pes99),
                           volatility: vols.map { (asset: $0.0, daily: $0.1) }, correlation: pairs, samples: times.count,
                           intervalSeconds: interval.secondsDouble)
    }
}
