import DexterCore

/// Why an order failed, as its venue says it: a class that decides what to do about it, dexter's code for the log,
/// the venue's own code where it has one (Binance `-2010`, a chain's revert selector), and a sentence for the
/// trader. Venues produce these typed; the engine never parses prose. Sending again (with the same client order id,
/// so it can never fill twice) helps only a transient one.
public struct ExecutionFailure: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Class: String, Sendable, Hashable, Codable, CaseIterable {
        /// Network, timeout, rate limit, venue busy: the same order may go through on a later try.
        case transient
        /// The venue refused the order itself: funds, minimum, precision, permissions.
        case rejected
        /// The chain refused the transaction: nonce, fee, revert, deadline or blockhash.
        case chain
        /// The market moved: the price is beyond the bound, or the quote is stale.
        case market
    }

    public let code: String
    public let failureClass: Class
    public let reason: String
    /// The venue's own error code, verbatim, where it gave one.
    public let venueCode: String?
    /// The venue's own words, verbatim (never a secret: venues do not echo keys).
    public let venueMessage: String?

    public var isRetryable: Bool { failureClass == .transient }
    public var description: String { "[\(code)] \(reason)" }

    public init(code: String, failureClass: Class, reason: String, venueCode: String? = nil, venueMessage: String? = nil) {
        self.code = code
        self.failureClass = failureClass
        self.reason = reason
        self.venueCode = venueCode
        self.venueMessage = venueMessage
    }

    /// The venue's words when it gave any, else dexter's sentence: what the ledger and the Orders panel show.
    public var detail: String { venueMessage ?? reason }
}

/// Sorts a venue's own words (an HTTP status, an exchange error code, a node's message) into the taxonomy.
public enum FailureClassifier {
    public static func classify(message: String, httpStatus: Int? = nil, venueCode: Int? = nil) -> ExecutionFailure {
        let text = message.lowercased()
        func failure(_ code: String, _ failureClass: ExecutionFailure.Class, _ reason: String) -> ExecutionFailure {
            ExecutionFailure(code: code, failureClass: failureClass, reason: reason, venueCode: venueCode.map(String.init),
                             venueMessage: message.isEmpty ? nil : message)
        }
        // Exchange codes first (Binance's documented ones), then HTTP status, then the words.
        switch venueCode {
        case -1003, -1015: return failure("rate_limited", .transient, "the venue's rate limit was hit; waiting before trying again")
        case -1001, -1007: return failure("venue_busy", .transient, "the venue timed out internally; the order may be retried")
        case -2010, -2019: return failure("insufficient_funds", .rejected, "not enough balance on the venue for this order")
        case -1013, -1111: return failure("bad_precision", .rejected, "price or quantity breaks the venue's tick, lot or minimum")
        case -2015: return failure("not_permitted", .rejected, "the API key may not trade (permissions or IP allow-list)")
        default: break
        }
        switch httpStatus {
        case 429, 418: return failure("rate_limited", .transient, "the venue's rate limit was hit; waiting before trying again")
        case 500, 502, 503, 504: return failure("venue_unavailable", .transient, "the venue answered with a server error")
        case 401, 403: return failure("not_permitted", .rejected, "the venue refused the credentials")
        default: break
        }
        let table: [(words: [String], code: String, failureClass: ExecutionFailure.Class, reason: String)] = [
            (["timed out", "timeout"], "timeout", .transient, "no answer from the venue in time"),
            (["connection reset", "connection refused", "network", "disconnected"], "network", .transient,
             "the connection to the venue failed"),
            (["rate limit", "too many requests"], "rate_limited", .transient, "the venue's rate limit was hit; waiting before trying again"),
            (["nonce too low"], "nonce_too_low", .chain, "the wallet's nonce was already used: another transaction went first"),
            (["replacement transaction underpriced", "underpriced"], "replacement_underpriced", .chain,
             "a transaction with this nonce is pending with a higher fee"),
            (["blockhash not found", "blockhash expired"], "blockhash_expired", .chain, "the recent blockhash expired before it landed"),
            (["stale"], "stale_quote", .market, "the quote was older than its venue's bound"),
            (["deadline", "transaction too old"], "deadline_expired", .chain, "the swap's deadline passed before it was mined"),
            (["reverted", "revert"], "reverted", .chain, "the swap reverted on chain (gas was still spent)"),
            (["insufficient", "balance"], "insufficient_funds", .rejected, "not enough balance for this order"),
            (["minimum notional", "min notional", "below minimum"], "below_minimum", .rejected, "the order is below the venue's minimum"),
            (["precision", "lot size", "tick size"], "bad_precision", .rejected, "price or quantity breaks the venue's tick or lot"),
            (["no liquidity at limit", "would immediately", "slippage", "price moved"], "price_moved", .market,
             "the price moved beyond the approved bound before the order arrived"),
        ]
        for entry in table where entry.words.contains(where: { text.contains($0) }) {
            return failure(entry.code, entry.failureClass, entry.reason)
        }
        return failure("rejected", .rejected, "the venue refused the order: \(message)")
    }
}
