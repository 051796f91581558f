import DexterCore
import DexterEngine
import Testing

/// Every failure class, its code and its retry decision.
@Suite struct ExecutionFailureTests {
    @Test func everyKnownFailureLandsInItsClass() {
        let cases: [(message: String, http: Int?, code: Int?, expected: String, failureClass: ExecutionFailure.Class)] = [
            ("Too many requests", 429, nil, "rate_limited", .transient),
            ("", nil, -1003, "rate_limited", .transient),
            ("Internal error", 503, nil, "venue_unavailable", .transient),
            ("request timed out after 5000 ms", nil, nil, "timeout", .transient),
            ("connection reset by peer", nil, nil, "network", .transient),
            ("Account has insufficient balance for requested action.", nil, -2010, "insufficient_funds", .rejected),
            ("Filter failure: LOT_SIZE", nil, -1013, "bad_precision", .rejected),
            ("below minimum notional 10", nil, nil, "below_minimum", .rejected),
            ("Invalid API-key, IP, or permissions for action.", 401, nil, "not_permitted", .rejected),
            ("nonce too low: next nonce 12, tx nonce 11", nil, nil, "nonce_too_low", .chain),
            ("replacement transaction underpriced", nil, nil, "replacement_underpriced", .chain),
            ("swap reverted: would pay 3010 > max 3005", nil, nil, "reverted", .chain),
            ("Transaction too old: deadline passed", nil, nil, "deadline_expired", .chain),
            ("Blockhash not found", nil, nil, "blockhash_expired", .chain),
            ("no liquidity at limit 3001.5", nil, nil, "price_moved", .market),
            ("quote is stale (expired 12:00:01)", nil, nil, "stale_quote", .market),
            ("something nobody has seen", nil, nil, "rejected", .rejected),
        ]
        for entry in cases {
            let failure = FailureClassifier.classify(message: entry.message, httpStatus: entry.http, venueCode: entry.code)
            #expect(failure.code == entry.expected, "\(entry.message)")
            #expect(failure.failureClass == entry.failureClass, "\(entry.message)")
            #expect(failure.isRetryable == (entry.failureClass == .transient), "only transient failures are retried")
            #expect(!failure.reason.isEmpty)
        }
    }

    @Test func backoffIsCappedExponentialWithJitterAndOnlyForTransientFailures() {
        let policy = RetryPolicy(maxAttempts: 5, base: .milliseconds(100), cap: .milliseconds(500))
        var random = SeededGenerator(seed: 9)
        let timeout = FailureClassifier.classify(message: "timed out")
        for attempt in 1...4 {
            let ceiling = min(500, 100 * (1 << (attempt - 1)))
            for _ in 0..<200 {
                let delay = policy.delay(after: timeout, attempt: attempt, random: &random)
                #expect(delay != nil && delay! >= .zero && delay! <= .milliseconds(Int64(ceiling)), "attempt \(attempt)")
            }
        }
        #expect(policy.delay(after: timeout, attempt: 5, random: &random) == nil, "no sixth attempt")
        let spread = Set((0..<50).compactMap { _ in policy.delay(after: timeout, attempt: 3, random: &random) })
        #expect(spread.count > 40, "jittered, not fixed")
        for message in ["insufficient balance", "swap reverted: x", "no liquidity at limit 1"] {
            #expect(policy.delay(after: FailureClassifier.classify(message: message), attempt: 1, random: &random) == nil, "\(message)")
        }
    }
}

import DexterMarket
import DexterVenues

/// A retry sends the same client order id again; the venue must not place it twice.
///
/// This stays on the simulated market: what it tests is the simulator's own venue (`SimulatedMarket.submit`), which
/// must refuse a repeated client order id as a real venue does. It hunts no opportunity — the order's limit is far
/// through the book, so it fills at whatever the seeded market quotes.
@Suite struct IdempotentOrderTests {
    @Test func aRepeatedClientOrderIdIsPlacedOnce() {
        let config = twoVenueConfig()
        let start = Timestamp(nanoseconds: 1_764_000_000_000_000_000)
        var market = SimulatedMarket(universe: config.universe, start: start)
        _ = market.advance(to: start.adding(.seconds(1)))
        let order = OrderRequest(clientOrderId: "r-a1-1", venue: "alpha", symbol: Symbol(base: "ETH", quote: "USDT"), side: .buy,
                               quantity: FixedDecimal("0.5")!, limitPrice: FixedDecimal(1_000_000), submittedAt: start.adding(.seconds(1)))
        market.submit(order)
        market.submit(order)
        let reports = market.advance(to: start.adding(.seconds(2))).compactMap { event -> ExecutionReport? in
            if case .execution(let report) = event { return report }
            return nil
        }
        #expect(reports.map(\.clientOrderId) == ["r-a1-1"])
        #expect(reports.first?.status == .filled)
    }
}
