import DexterRisk
import Foundation
import SharedTestData
import Testing

/// VaR, ES and component VaR against PerformanceAnalytics' own test (../shared/vectors/risk/edhec_var.json): EDHEC
/// rows 1–100, columns 1–3, p = 0.95, weights 0.3/0.4/0.3.
@Suite struct RiskMetricsTests {
    static func load() throws -> (columns: [[Double]], expected: [String: Double], recomputed: [String: Any]) {
        let csvURL = try Shared.url("vectors/risk/edhec.csv")
        let rows = try String(contentsOf: csvURL, encoding: .utf8).split(separator: "\n").dropFirst().prefix(100)
        let columns = (1...3).map { column in rows.map { Double($0.split(separator: ",")[column])! } }
        let jsonURL = try Shared.url("vectors/risk/edhec_var.json")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: jsonURL)) as! [String: Any]
        return (columns, json["expected_rounded_6dp"] as! [String: Double], json["recomputed"] as! [String: Any])
    }

    func rounded(_ value: Double) -> Double { (value * 1e6).rounded() / 1e6 }

    // Source: braverock/PerformanceAnalytics data/edhec.csv and tests/testthat/test-VaR_archive_baseline.R, via ../shared/vectors/risk/
    @Test func univariateMeasuresMatchTheReference() throws {
        let (columns, expected, recomputed) = try Self.load()
        let r = columns[0]
        #expect(r.count == 100)
        #expect(rounded(RiskMetrics.gaussianVaR(r, confidence: 0.95)) == expected["VaR_gaussian_col1"])
        #expect(rounded(RiskMetrics.modifiedVaR(r, confidence: 0.95)) == expected["VaR_modified_col1"])
        #expect(rounded(RiskMetrics.historicalVaR(r, confidence: 0.95)) == expected["VaR_historical_col1"])
        #expect(rounded(RiskMetrics.gaussianES(r, confidence: 0.95)) == expected["ES_gaussian_col1"])
        #expect(rounded(RiskMetrics.historicalES(r, confidence: 0.95)) == expected["ES_historical_col1"])
        // And to full precision against the recomputation written down with the vectors.
        #expect(abs(RiskMetrics.gaussianVaR(r, confidence: 0.95) - (recomputed["VaR_gaussian_col1"] as! Double)) < 1e-14)
        #expect(abs(RiskMetrics.modifiedVaR(r, confidence: 0.95) - (recomputed["VaR_modified_col1"] as! Double)) < 1e-14)
        #expect(abs(RiskMetrics.skewness(r) - (recomputed["col1_skew_population"] as! Double)) < 1e-12)
    }

    // Source: braverock/PerformanceAnalytics data/edhec.csv and tests/testthat/test-VaR_archive_baseline.R, via ../shared/vectors/risk/
    @Test func componentVaRMatchesAndSumsToTheTotal() throws {
        let (columns, expected, recomputed) = try Self.load()
        let (total, contributions) = RiskMetrics.componentGaussianVaR(columns, weights: [0.3, 0.4, 0.3], confidence: 0.95)
        #expect(rounded(total) == expected["VaR_component_gaussian_portfolio"])
        let reference = recomputed["component_contribution"] as! [Double]
        for (mine, theirs) in zip(contributions, reference) { #expect(abs(mine - theirs) < 1e-14) }
        #expect(abs(contributions.reduce(0, +) - total) < 1e-15)
    }

    @Test func normalQuantileIsExactEnough() {
        #expect(abs(Normal.quantile(0.05) - -1.6448536269514729) < 1e-15)
        #expect(abs(Normal.quantile(0.01) - -2.3263478740408408) < 1e-15)
        #expect(abs(Normal.quantile(0.975) - 1.959963984540054) < 1e-15)
    }

    /// EWMA: a constant return gives that volatility; a shock raises it by (1 − λ) of its square.
    @Test func ewmaVolatilityFollowsTheRecursion() {
        #expect(abs(RiskMetrics.ewmaVolatility(Array(repeating: 0.01, count: 50)) - 0.01) < 1e-15)
        let shocked = RiskMetrics.ewmaVolatility([0.01, 0.05])
        #expect(abs(shocked * shocked - (0.94 * 0.0001 + 0.06 * 0.0025)) < 1e-15)
        // Correlation of a series with itself is one; with its negative, minus one.
        let a = [0.01, -0.02, 0.03, 0.0, -0.01]
        let correlation = RiskMetrics.correlation([a, a.map { -$0 }])
        #expect(abs(correlation[0][0] - 1) < 1e-12 && abs(correlation[0][1] + 1) < 1e-12)
    }
}
