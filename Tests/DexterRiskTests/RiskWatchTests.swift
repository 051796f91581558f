import DexterCore
import DexterRisk
import Foundation
import Testing

/// The desk's VaR from sampled prices: the same numbers as the metrics applied by hand to the portfolio's returns.
@Suite struct RiskWatchTests {
    /// A desk holding only what does not move (a quiet stablecoin pair): no VaR, no correlation, and no crash.
    @Test func pricesThatStandStillGiveZeroRisk() throws {
        var watch = RiskWatch(interval: .seconds(1), capacity: 500)
        for second in 0..<60 {
            watch.sample(at: Timestamp(nanoseconds: Int64(second) * 1_000_000_000), assets: ["USDT", "USDC"]) { _ in 1 }
        }
        let figures = try #require(watch.figures(positions: ["USDT": 50_000, "USDC": 20_000]))
        #expect(figures.var99.historical == 0 && figures.var99.parametric == 0)
        #expect(figures.correlation.isEmpty)
        #expect(RiskMetrics.covariance([]).isEmpty && RiskMetrics.correlation([]).isEmpty)
    }

    @Test func figuresFollowFromTheSampledReturns() throws {
        var watch = RiskWatch(interval: .seconds(1), capacity: 500)
        var random = SeededGenerator(seed: 3)
        var eth = 3000.0, btc = 60000.0
        var ethPrices: [Double] = [], btcPrices: [Double] = []
        for second in 0..<200 {
            let shock = random.gaussian()
            eth *= 1 + 0.0004 * shock + 0.0002 * random.gaussian()
            btc *= 1 + 0.0003 * shock + 0.0002 * random.gaussian()
            ethPrices.append(eth)
            btcPrices.append(btc)
            let (e, b) = (eth, btc)
            watch.sample(at: Timestamp(nanoseconds: Int64(second) * 1_000_000_000), assets: ["ETH", "BTC", "USDC"]) { asset in
                asset == "ETH" ? e : asset == "BTC" ? b : 1
            }
            // A second sample within the interval is ignored.
            watch.sample(at: Timestamp(nanoseconds: Int64(second) * 1_000_000_000 + 500_000_000), assets: ["ETH"]) { _ in 1 }
        }
        #expect(watch.sampleCount == 200)
        let positions: [Asset: Double] = ["ETH": 300_000, "BTC": 600_000, "USDC": 100_000]
        let figures = try #require(watch.figures(positions: positions))
        // By hand: interval returns, the portfolio's P&L per second, scaled to a day by √86400.
        func returns(_ prices: [Double]) -> [Double] { zip(prices.dropFirst(), prices).map { $0 / $1 - 1 } }
        let e = returns(ethPrices), b = returns(btcPrices)
        let pnl = zip(e, b).map { 300_000 * $0 + 600_000 * $1 }
        let scale = 86_400.0.squareRoot()
        #expect(abs(figures.var95.historical - -RiskMetrics.historicalVaR(pnl, confidence: 0.95) * scale) < 1e-6)
        #expect(abs(figures.es99.historical - -RiskMetrics.historicalES(pnl, confidence: 0.99) * scale) < 1e-6)
        let sigma = RiskMetrics.covariance([b, e])
        let weights = [600_000.0, 300_000.0]  // sorted by asset: BTC, ETH (USDC does not move)
        var variance = 0.0
        for i in 0..<2 { for j in 0..<2 { variance += weights[i] * weights[j] * sigma[i][j] } }
        #expect(abs(figures.var99.parametric - 2.3263478740408408 * variance.squareRoot() * scale) < 1e-4)
        // ES exceeds VaR; 99 % exceeds 95 %.
        #expect(figures.es95.parametric > figures.var95.parametric && figures.var99.parametric > figures.var95.parametric)
        // The common shock correlates the two; the stablecoin is left out of the correlation.
        #expect(figures.correlation.count == 1 && figures.correlation[0].2 > 0.5)
        #expect(figures.volatility.map(\.asset).contains("ETH"))
        #expect(abs((watch.dailyVolatility("ETH") ?? 0) - RiskMetrics.ewmaVolatility(e) * scale) < 1e-12)
    }

    @Test func tooFewSamplesGiveNoFigures() {
        var watch = RiskWatch()
        for second in 0..<10 {
            watch.sample(at: Timestamp(nanoseconds: Int64(second) * 1_000_000_000), assets: ["ETH"]) { _ in 3000 + Double(second) }
        }
        #expect(watch.figures(positions: ["ETH": 1000]) == nil)
    }
}
