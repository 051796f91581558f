import DexterCEX
import DexterCore
import DexterVenues
import Foundation
import SharedTestData
import Testing

/// Binance's error codes as typed failures, checked against errors.md's own advice and cross-checked with ccxt's
/// Binance map (`../shared/vectors/exchanges/ccxt_exception_maps.json`, generated from ccxt 4.5.90, MIT).
@Suite struct BinanceErrorTests {
    static func failure(_ code: Int?, _ message: String = "", http: Int? = 400, retryAfter: Int? = nil) -> BinanceFailure {
        BinanceErrors.failure(code: code, message: message, httpStatus: http, retryAfterSeconds: retryAfter)
    }

    @Test func documentedAdvice() {
        #expect(Self.failure(-1007, "Timeout waiting for response from backend server.").retry == .queryFirst)
        #expect(Self.failure(-1006).retry == .queryFirst && Self.failure(-1001).retry == .queryFirst)
        #expect(Self.failure(-1021).retry == .afterClockResync && Self.failure(-1021).failure.code == "clock_skew")
        #expect(Self.failure(-1003, http: 429, retryAfter: 17).retry == .after(seconds: 17))
        #expect(Self.failure(-1003, http: 418, retryAfter: 120).failure.code == "ip_banned")
        #expect(Self.failure(-1015).retry == .after(seconds: nil))
        #expect(Self.failure(nil, http: 503).retry == .queryFirst, "5XX: status unknown")
        #expect(Self.failure(-1022).failure.code == "bad_signature" && Self.failure(-1022).retry == .never)
        #expect(Self.failure(-1013, "Filter failure: LOT_SIZE").failure.code == "bad_precision")
        #expect(Self.failure(-1013, "Filter failure: NOTIONAL").failure.code == "below_minimum")
        #expect(Self.failure(-1013, "Filter failure: MAX_NUM_ORDERS").failure.code == "filter_failure")
        #expect(Self.failure(-2010, "Account has insufficient balance for requested action.").failure.code == "insufficient_funds")
        #expect(Self.failure(-2010, "Duplicate order sent.").failure.code == "duplicate_order")
        #expect(Self.failure(-2010, "Market is closed.").failure.code == "market_closed")
        #expect(Self.failure(-2010, "Order would immediately match and take.").failure.failureClass == .market)
        #expect(Self.failure(-2011, "Unknown order sent.").failure.code == "unknown_order")
        #expect(Self.failure(-2013, "Order does not exist.").failure.code == "unknown_order")
        #expect(BinanceErrors.meansOrderUnknown(BinanceErrorBody(code: -2013, message: "Order does not exist.")))
        #expect(Self.failure(-2015).failure.code == "not_permitted" && Self.failure(-2014).failure.code == "not_permitted")
        for code in -1130 ... -1100 { #expect(Self.failure(code).retry == .never || code == -1112, "\(code)") }
        let failure = Self.failure(-1121, "Invalid symbol.").failure
        #expect(failure.venueCode == "-1121" && failure.venueMessage == "Invalid symbol." && !failure.isRetryable)
        // A retry never changes the client order id: only transient failures may be retried at all.
        for code in [-1000, -1001, -1003, -1006, -1007, -1008, -1015, -1021] {
            #expect(Self.failure(code).failure.isRetryable && Self.failure(code).retry != .never, "\(code)")
        }
    }

    /// ccxt's classes, sorted by what a desk does about them.
    enum Spirit { case retryable, insufficientFunds, orderNotFound, wouldTake, marketClosed, clock, timeout, rateLimit, refused }

    static func spirit(ofCCXT name: String) -> Spirit {
        switch name {
        case "InsufficientFunds": .insufficientFunds
        case "OrderNotFound": .orderNotFound
        case "OrderImmediatelyFillable": .wouldTake
        case "MarketClosed": .marketClosed
        case "InvalidNonce": .clock
        case "RequestTimeout": .timeout
        case "RateLimitExceeded", "DDoSProtection": .rateLimit
        case "OperationFailed", "NetworkError", "ExchangeNotAvailable", "OnMaintenance": .retryable
        default: .refused  // ExchangeError and its subclasses: AuthenticationError, BadRequest, InvalidOrder…
        }
    }

    static func agrees(_ spirit: Spirit, _ ours: BinanceFailure) -> Bool {
        switch spirit {
        case .insufficientFunds: ours.failure.code == "insufficient_funds"
        case .orderNotFound: ours.failure.code == "unknown_order"
        case .wouldTake: ours.failure.code == "would_take"
        case .marketClosed: ours.failure.code == "market_closed"
        case .clock: ours.retry == .afterClockResync
        case .timeout: ours.retry == .queryFirst
        case .rateLimit: ours.failure.code == "rate_limited" || ours.failure.code == "ip_banned"
        case .retryable: ours.failure.isRetryable
        case .refused: !ours.failure.isRetryable
        }
    }

    /// Where ours differs on purpose, and why.
    static let disagreements: [String: String] = [
        // HTTP statuses ccxt calls ExchangeNotAvailable: Binance says every 4XX is the sender's fault, so it is
        // refused, not resent unchanged (rest-api.md, "HTTP Return Codes").
        "400": "4XX", "404": "4XX", "405": "4XX", "409": "4XX: a cancelReplace partly succeeded", "410": "4XX: gone",
        "451": "4XX: the venue refuses this region",
        // 407 / 511 (proxy and network authentication) are not Binance answers.
        "407": "proxy", "511": "network",
    ]

    @Test func ccxtBinanceMapAgrees() throws {
        struct File: Decodable {
            struct Maps: Decodable { let binance: Venue }
            struct Venue: Decodable { let exact: [String: String]; let httpExceptions: [String: String] }
            let maps: Maps
        }
        let binance = try JSONDecoder().decode(File.self, from: try Shared.data("vectors/exchanges/ccxt_exception_maps.json")).maps.binance
        var checked = 0
        for (key, ccxtClass) in binance.exact.sorted(by: { $0.key < $1.key }) {
            // Keys are codes ("-2010") or messages ("Market is closed.").
            let ours = if let code = Int(key) { Self.failure(code) } else { Self.failure(-2010, key) }
            // ccxt's one Binance map also holds futures and wallet codes (-4xxx, -2xxxx) that spot never sends: for
            // those ours need only refuse rather than resend, which is what ccxt's class for each of them says too.
            if let code = Int(key), code <= -3000 {
                #expect(!ours.failure.isRetryable && Self.spirit(ofCCXT: ccxtClass) != .retryable, "\(key)")
            } else {
                #expect(Self.agrees(Self.spirit(ofCCXT: ccxtClass), ours), "\(key): ccxt \(ccxtClass), ours \(ours)")
            }
            checked += 1
        }
        for (status, ccxtClass) in binance.httpExceptions where Self.disagreements[status] == nil {
            let ours = Self.failure(nil, http: Int(status)!)
            #expect(Self.agrees(Self.spirit(ofCCXT: ccxtClass), ours), "HTTP \(status): ccxt \(ccxtClass), ours \(ours)")
            checked += 1
        }
        #expect(checked > 150)
    }
}
