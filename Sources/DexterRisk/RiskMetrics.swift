import Foundation

/// Value at risk and expected shortfall of return series, in PerformanceAnalytics' conventions (its test vectors
/// are ours): single-series results are returns (a loss is negative); the component VaR of a portfolio is a
/// positive loss. Univariate parametric measures use population moments; the portfolio uses the sample covariance;
/// the historical quantile is R's type 7 (linear interpolation).
public enum RiskMetrics {
    /// Tail probability for a confidence: 0.95 → 0.05.
    static func tail(_ confidence: Double) -> Double {
        precondition(confidence > 0.5 && confidence < 1, "confidence between 0.5 and 1")
        return 1 - confidence
    }

    public static func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }

    /// The k-th central moment, dividing by n.
    public static func centralMoment(_ values: [Double], _ k: Double) -> Double {
        let center = mean(values)
        return values.reduce(0) { $0 + pow($1 - center, k) } / Double(values.count)
    }

    public static func skewness(_ values: [Double]) -> Double {
        centralMoment(values, 3) / pow(centralMoment(values, 2), 1.5)
    }

    public static func excessKurtosis(_ values: [Double]) -> Double {
        centralMoment(values, 4) / pow(centralMoment(values, 2), 2) - 3
    }

    /// Quantile type 7: h = (n − 1)p, linear between the order statistics around it.
    public static func quantile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        let h = Double(sorted.count - 1) * p
        let low = Int(h.rounded(.down))
        let high = min(low + 1, sorted.count - 1)
        return sorted[low] + (h - Double(low)) * (sorted[high] - sorted[low])
    }

    /// mean + z·σ (σ from the population variance).
    public static func gaussianVaR(_ returns: [Double], confidence: Double) -> Double {
        mean(returns) + Normal.quantile(tail(confidence)) * centralMoment(returns, 2).squareRoot()
    }

    /// Cornish–Fisher: the normal quantile corrected for skewness and excess kurtosis.
    public static func modifiedVaR(_ returns: [Double], confidence: Double) -> Double {
        let z = Normal.quantile(tail(confidence))
        let skew = skewness(returns), kurtosis = excessKurtosis(returns)
        let h = z + (z * z - 1) * skew / 6 + (z * z * z - 3 * z) * kurtosis / 24 - (2 * z * z * z - 5 * z) * skew * skew / 36
        return mean(returns) + h * centralMoment(returns, 2).squareRoot()
    }

    public static func historicalVaR(_ returns: [Double], confidence: Double) -> Double {
        quantile(returns, tail(confidence))
    }

    /// mean − φ(z)·σ / α.
    public static func gaussianES(_ returns: [Double], confidence: Double) -> Double {
        let alpha = tail(confidence)
        return mean(returns) - Normal.density(Normal.quantile(alpha)) * centralMoment(returns, 2).squareRoot() / alpha
    }

    /// The mean of the returns strictly below the historical VaR.
    public static func historicalES(_ returns: [Double], confidence: Double) -> Double {
        let threshold = historicalVaR(returns, confidence: confidence)
        let tail = returns.filter { $0 < threshold }
        return tail.isEmpty ? threshold : mean(tail)
    }

    /// Sample covariance matrix (dividing by n − 1) of equally long series.
    /// No series (every held price stood still) has no matrix.
    public static func covariance(_ series: [[Double]]) -> [[Double]] {
        guard let first = series.first, first.count > 1 else { return series.map { _ in series.map { _ in 0 } } }
        let means = series.map(mean)
        let n = Double(first.count)
        return series.indices.map { i in
            series.indices.map { j in
                zip(series[i], series[j]).reduce(0) { $0 + ($1.0 - means[i]) * ($1.1 - means[j]) } / (n - 1)
            }
        }
    }

    public static func correlation(_ series: [[Double]]) -> [[Double]] {
        let sigma = covariance(series)
        return sigma.indices.map { i in sigma.indices.map { j in sigma[i][j] / (sigma[i][i] * sigma[j][j]).squareRoot() } }
    }

    /// Gaussian VaR of a portfolio as a positive loss, and each position's contribution (they sum to it).
    public static func componentGaussianVaR(_ series: [[Double]], weights: [Double], confidence: Double)
        -> (total: Double, contributions: [Double]) {
        let z = Normal.quantile(tail(confidence))
        let means = series.map(mean)
        let sigma = covariance(series)
        let sigmaW = sigma.map { row in zip(row, weights).reduce(0) { $0 + $1.0 * $1.1 } }
        let deviation = zip(weights, sigmaW).reduce(0) { $0 + $1.0 * $1.1 }.squareRoot()
        let total = -zip(weights, means).reduce(0) { $0 + $1.0 * $1.1 } - z * deviation
        let contributions = weights.indices.map { i in weights[i] * (-means[i] - z * sigmaW[i] / deviation) }
        return (total, contributions)
    }

    /// RiskMetrics EWMA variance: σ²ₜ = λσ²ₜ₋₁ + (1 − λ)r²ₜ₋₁, seeded with the first squared return; returns σ.
    public static func ewmaVolatility(_ returns: [Double], lambda: Double = 0.94) -> Double {
        guard let first = returns.first else { return 0 }
        var variance = first * first
        for value in returns.dropFirst() { variance = lambda * variance + (1 - lambda) * value * value }
        return variance.squareRoot()
    }
}

/// The standard normal distribution.
public enum Normal {
    public static func density(_ x: Double) -> Double { exp(-x * x / 2) / (2 * Double.pi).squareRoot() }

    public static func cdf(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

    /// The inverse CDF: Acklam's rational approximation, then one Halley step on erfc to full precision.
    public static func quantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1, "a probability strictly between 0 and 1")
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
                 -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
                 -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
                 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        var x: Double
        if p < low {
            let q = (-2 * log(p)).squareRoot()
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else if p <= 1 - low {
            let q = p - 0.5, r = q * q
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        } else {
            let q = (-2 * log(1 - p)).squareRoot()
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        let error = cdf(x) - p
        let u = error * (2 * Double.pi).squareRoot() * exp(x * x / 2)
        x -= u / (1 + x * u / 2)
        return x
    }
}
