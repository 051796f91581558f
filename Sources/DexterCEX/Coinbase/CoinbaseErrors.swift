import DexterCore
import DexterVenues

/// What may be done about a refused or unanswered Coinbase request before the same order is sent again. Coinbase
/// does not create a second order under a `client_order_id` it has seen ("If the ID provided is not unique, the order
/// will not be created and the order corresponding with that ID will be returned instead"), so a resend can never
/// trade twice; still, an order whose outcome is unknown is looked up first, so the desk learns what it did rather
/// than resending on a stale quote.
public enum CoinbaseRetry: Sendable, Hashable {
    /// The request itself is wrong, or the key or account may not do it: never send it again unchanged.
    case never
    /// The outcome is unknown (a timeout, a 5XX after the request left): find the order by its `client_order_id`.
    case queryFirst
    /// A rate limit (HTTP 429, `RATE_LIMIT_EXCEEDED`): nothing was done; nothing more until the stop has passed.
    case afterWindow
}

/// A Coinbase error sorted into the seam's taxonomy, with what to do next.
public struct CoinbaseFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public let failure: ExecutionFailure
    public let retry: CoinbaseRetry

    public var description: String { "\(failure) (Coinbase \(failure.venueCode ?? "-"), retry: \(retry))" }
}

/// Coinbase Advanced Trade's errors as typed failures. Coinbase answers an error with an HTTP status and
/// `{"error": "NOT_FOUND", "message": …, "error_details": …}` (gRPC-style codes: UNAUTHENTICATED 401,
/// PERMISSION_DENIED 403, NOT_FOUND 404, INVALID_ARGUMENT 400, RATE_LIMIT_EXCEEDED 429, INTERNAL 500…), and refuses an
/// order with HTTP 200 and `{"success": false, "error_response": {"error", "message", "error_details",
/// "preview_failure_reason", "new_order_failure_reason"}}` — the `NewOrderFailureReason` and
/// `PreviewFailureReason` enums of the create-order reference. The most specific of those codes decides.
///
/// Cross-checked against ccxt 4.5.90's Coinbase map (../shared/vectors/exchanges/ccxt_exception_maps.json): the same
/// class wherever ccxt has an exact code (INSUFFICIENT_FUND and PREVIEW_INSUFFICIENT_FUND InsufficientFunds,
/// INVALID_ARGUMENT and UNSUPPORTED_ORDER_CONFIGURATION BadRequest, PERMISSION_DENIED PermissionDenied,
/// rate_limit_exceeded / resource_exhausted RateLimitExceeded, 401 AuthenticationError, 5XX ExchangeNotAvailable).
/// Where ccxt falls through to a plain ExchangeError (RATE_LIMIT_EXCEEDED, UNAUTHENTICATED and NOT_FOUND by code; 403
/// and 404 as ExchangeNotAvailable by status) dexter follows the HTTP meaning instead (EXCEPTIONS.md). Coinbase's
/// messages never echo a key.
public enum CoinbaseErrors {
    /// `code`: the error's code, or the failure reasons of a refused order, most specific first.
    public static func failure(code: String?, message: String?, details: String? = nil, httpStatus: Int? = nil,
                               reasons: [String] = []) -> CoinbaseFailure {
        let codes = (reasons + [code ?? ""]).filter { !$0.isEmpty && !genericReasons.contains($0) }
        let entry = classify(codes: codes, message: message, httpStatus: httpStatus)
        let words = [message, details].compactMap { $0?.isEmpty == false ? $0 : nil }.joined(separator: ": ")
        let failure = ExecutionFailure(code: entry.code, failureClass: entry.failureClass, reason: entry.reason,
                                       venueCode: codes.first ?? code.flatMap { $0.isEmpty ? nil : $0 }
                                           ?? httpStatus.map { "HTTP \($0)" },
                                       venueMessage: words.isEmpty ? nil : words)
        return CoinbaseFailure(failure: failure, retry: entry.retry)
    }

    /// A refused order's answer (`success: false`).
    public static func failure(_ ack: CoinbaseOrderAck) -> CoinbaseFailure {
        failure(code: ack.error, message: ack.message, details: ack.errorDetails, httpStatus: 200,
                reasons: [ack.newOrderFailureReason, ack.previewFailureReason, ack.failureReason].compactMap { $0 })
    }

    /// Reasons that say nothing: the next code decides.
    static let genericReasons: Set<String> = ["UNKNOWN_FAILURE_REASON", "UNKNOWN_PREVIEW_FAILURE_REASON",
                                              "UNKNOWN_CANCEL_FAILURE_REASON", "PREVIEW_UNKNOWN_FAILURE_REASON"]

    struct Entry: Sendable {
        let code: String
        let failureClass: ExecutionFailure.Class
        let retry: CoinbaseRetry
        let reason: String

        init(_ code: String, _ failureClass: ExecutionFailure.Class, _ retry: CoinbaseRetry, _ reason: String) {
            self.code = code
            self.failureClass = failureClass
            self.retry = retry
            self.reason = reason
        }
    }

    static let outcomeUnknown = Entry("outcome_unknown", .transient, .queryFirst,
                                      "Coinbase did not say whether the order was placed: it is looked up by its client id")
    static let unavailable = Entry("venue_unavailable", .transient, .queryFirst,
                                   "Coinbase is temporarily unavailable; the order is looked up by its client id")
    static let rateLimited = Entry("rate_limited", .transient, .afterWindow,
                                   "Coinbase's rate limit was hit: nothing is sent until its stop has passed")
    static let badCredentials = Entry("bad_credentials", .rejected, .never,
                                      "Coinbase refused the key (unknown key name, wrong private key, or an expired JWT)")
    static let notPermitted = Entry("not_permitted", .rejected, .never,
                                    "the API key may not do this on Coinbase (its permissions, or the portfolio's)")
    static let badRequest = Entry("bad_request", .rejected, .never, "Coinbase refused the request's arguments")
    static let unknownSymbol = Entry("unknown_symbol", .rejected, .never, "Coinbase does not trade this product")
    static let insufficientFunds = Entry("insufficient_funds", .rejected, .never, "not enough balance on Coinbase for this order")
    static let badPrecision = Entry("bad_precision", .rejected, .never,
                                    "price or size breaks the product's quote or base increment")
    static let belowMinimum = Entry("below_minimum", .rejected, .never, "the order is below the product's minimum size")
    static let aboveMaximum = Entry("above_maximum", .rejected, .never, "the order is above the product's maximum size")
    static let disabled = Entry("market_restricted", .market, .never,
                                "the product is not taking orders (order entry disabled, cancel-only or limit-only)")
    static let wouldTake = Entry("would_take", .market, .never, "a post-only order that would have taken liquidity")
    static let unknownOrder = Entry("unknown_order", .rejected, .never, "Coinbase has no such order")
    static let cancelRejected = Entry("cancel_rejected", .rejected, .never,
                                      "Coinbase could not cancel: the order is done, or not known to it")

    /// Codes (errors and failure reasons) to entries.
    static let table: [String: Entry] = [
        // Error codes (HTTP answers and error_response.error)
        "UNAUTHENTICATED": badCredentials, "unauthorized": badCredentials, "authentication_error": badCredentials,
        "invalid_token": badCredentials, "expired_token": badCredentials, "revoked_token": badCredentials,
        "invalid_authentication_method": badCredentials,
        "PERMISSION_DENIED": notPermitted, "invalid_scope": notPermitted, "identity_verification_required": notPermitted,
        "jumio_verification_required": notPermitted, "jumio_face_match_verification_required": notPermitted,
        "personal_details_required": notPermitted, "two_factor_required": notPermitted, "unverified_email": notPermitted,
        "INVALID_ARGUMENT": badRequest, "invalid_request": badRequest, "param_required": badRequest,
        "validation_error": badRequest,
        "NOT_FOUND": unknownOrder, "not_found": unknownOrder,
        "RATE_LIMIT_EXCEEDED": rateLimited, "rate_limit_exceeded": rateLimited, "resource_exhausted": rateLimited,
        "RESOURCE_EXHAUSTED": rateLimited,
        "INTERNAL": outcomeUnknown, "internal_server_error": outcomeUnknown, "UNKNOWN": outcomeUnknown,
        "UNAVAILABLE": unavailable, "DEADLINE_EXCEEDED": outcomeUnknown,
        // NewOrderFailureReason
        "UNSUPPORTED_ORDER_CONFIGURATION": badRequest, "INVALID_SIDE": badRequest, "INVALID_PRODUCT_ID": unknownSymbol,
        "INVALID_SIZE_PRECISION": badPrecision, "INVALID_PRICE_PRECISION": badPrecision,
        "INSUFFICIENT_FUND": insufficientFunds, "INSUFFICIENT_FUNDS": insufficientFunds,
        "INVALID_LEDGER_BALANCE": insufficientFunds, "ORDER_ENTRY_DISABLED": disabled, "INELIGIBLE_PAIR": disabled,
        "INVALID_LIMIT_PRICE_POST_ONLY": wouldTake, "INVALID_LIMIT_PRICE": badPrecision, "INVALID_NO_LIQUIDITY": disabled,
        "INVALID_REQUEST": badRequest, "COMMANDER_REJECTS_NEW_ORDER": badRequest,
        "INSUFFICIENT_FUNDS_FOR_FUTURES": insufficientFunds,
        // PreviewFailureReason
        "PREVIEW_INSUFFICIENT_FUND": insufficientFunds, "PREVIEW_INSUFFICIENT_FUNDS_FOR_FUTURES": insufficientFunds,
        "PREVIEW_INVALID_SIZE_PRECISION": badPrecision, "PREVIEW_INVALID_PRICE_PRECISION": badPrecision,
        "PREVIEW_INVALID_LIMIT_PRICE": badPrecision, "PREVIEW_INVALID_BASE_SIZE_TOO_SMALL": belowMinimum,
        "PREVIEW_INVALID_QUOTE_SIZE_TOO_SMALL": belowMinimum, "PREVIEW_INVALID_BASE_SIZE_TOO_LARGE": aboveMaximum,
        "PREVIEW_INVALID_QUOTE_SIZE_TOO_LARGE": aboveMaximum, "PREVIEW_INVALID_PRODUCT_ID": unknownSymbol,
        "PREVIEW_INVALID_SIDE": badRequest, "PREVIEW_INVALID_ORDER_CONFIG": badRequest,
        "PREVIEW_ORDER_ENTRY_DISABLED": disabled, "PREVIEW_INELIGIBLE_PAIR": disabled,
        "PREVIEW_INVALID_LIMIT_PRICE_POST_ONLY": wouldTake, "PREVIEW_STOP_PRICE_ABOVE_LAST_TRADE_PRICE": badRequest,
        "PREVIEW_STOP_PRICE_BELOW_LAST_TRADE_PRICE": badRequest, "PREVIEW_INVALID_NO_LIQUIDITY": disabled,
        // CancelOrderFailureReason
        "UNKNOWN_CANCEL_ORDER": cancelRejected, "COMMANDER_REJECTED_CANCEL_ORDER": cancelRejected,
        "DUPLICATE_CANCEL_REQUEST": cancelRejected, "INVALID_CANCEL_REQUEST": cancelRejected,
    ]

    /// Words where no code says it (ccxt's "broad" map; Coinbase's own sentences).
    static let words: [(text: String, entry: Entry)] = [
        ("insufficient balance", insufficientFunds), ("request timestamp expired", badCredentials),
        ("order with this orderid was not found", unknownOrder), ("too many requests", rateLimited),
    ]

    static func classify(codes: [String], message: String?, httpStatus: Int?) -> Entry {
        for code in codes {
            if let entry = table[code] ?? table[code.uppercased()] { return entry }
        }
        if let text = message?.lowercased(), let found = words.first(where: { text.contains($0.text) }) { return found.entry }
        switch httpStatus {
        case 429?: return rateLimited
        case 401?, 407?, 511?: return badCredentials
        case 403?: return notPermitted
        case 404?: return unknownOrder
        case 408?: return outcomeUnknown
        case 400?: return codes.isEmpty ? badRequest : Entry("rejected", .rejected, .never, "Coinbase refused the request")
        case let status? where status >= 500: return status == 503 ? unavailable : outcomeUnknown
        default: break
        }
        // Nothing that says: an order refused with a code the table does not list is refused, not sent again
        // unchanged; no code and no status at all leaves the outcome unknown.
        return codes.isEmpty && httpStatus == nil ? outcomeUnknown
            : Entry("rejected", .rejected, .never, "Coinbase refused the order")
    }
}
