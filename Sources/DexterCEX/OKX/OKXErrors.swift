import DexterCore
import DexterVenues

/// What may be done about a refused or unanswered OKX request before the same order is sent again. A resend keeps
/// the same `clOrdId`; OKX refuses a second *pending* order under it (51016) but not one after the first has ended,
/// so an order whose outcome is unknown is always looked up first.
public enum OKXRetry: Sendable, Hashable {
    /// The request itself is wrong, or the key or account may not do it: never send it again unchanged.
    case never
    /// The outcome is unknown (a timeout, a 5XX, 50004/50026/51054/51149): find the order by its `clOrdId`; only
    /// when OKX says it does not exist (51603) may it go again under the same id.
    case queryFirst
    /// The timestamp was outside OKX's 30 s window (50102; not processed): measure the clock again, then resend.
    case afterClockResync
    /// A rate limit (50011, 50061, HTTP 429): nothing more to this endpoint until its window has passed.
    case afterWindow
    /// Not executed, and may go through later (50037 expired in a queue, 51109 no offers).
    case later
}

/// An OKX error sorted into the seam's taxonomy, with what to do next.
public struct OKXFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public let failure: ExecutionFailure
    public let retry: OKXRetry

    public var description: String { "\(failure) (OKX \(failure.venueCode ?? "-"), retry: \(retry))" }
}

/// OKX's error codes (docs-v5 "Error Code": REST API public, trading and WebSocket public; the checklist in
/// docs/venues/okx.md) as typed failures. A top-level `code` and an order's `sCode` share one table. Messages are
/// OKX's own words and never hold a secret: OKX does not echo keys, secrets or passphrases.
public enum OKXErrors {
    public static func failure(code: String?, message: String?, httpStatus: Int? = nil) -> OKXFailure {
        let entry = classify(code: code.flatMap { Int($0) }, httpStatus: httpStatus)
        let failure = ExecutionFailure(code: entry.code, failureClass: entry.failureClass, reason: entry.reason,
                                       venueCode: code.flatMap { $0.isEmpty ? nil : $0 },
                                       venueMessage: (message?.isEmpty ?? true) ? nil : message)
        return OKXFailure(failure: failure, retry: entry.retry)
    }

    struct Entry: Sendable {
        let code: String
        let failureClass: ExecutionFailure.Class
        let retry: OKXRetry
        let reason: String

        init(_ code: String, _ failureClass: ExecutionFailure.Class, _ retry: OKXRetry, _ reason: String) {
            self.code = code
            self.failureClass = failureClass
            self.retry = retry
            self.reason = reason
        }
    }

    static let outcomeUnknown = Entry("outcome_unknown", .transient, .queryFirst,
                                      "OKX did not say whether the order was placed: it is looked up before any resend")
    static let unavailable = Entry("venue_unavailable", .transient, .queryFirst,
                                   "OKX is temporarily unavailable; the order is looked up before any resend")
    static let busy = Entry("venue_busy", .transient, .queryFirst, "OKX's systems are busy; the order is looked up before any resend")
    static let rateLimited = Entry("rate_limited", .transient, .afterWindow,
                                   "OKX's rate limit for this endpoint was hit: nothing is sent to it until its window has passed")
    static let clockSkew = Entry("clock_skew", .transient, .afterClockResync,
                                 "the request's timestamp was outside OKX's 30 s window: the clock offset is measured again")
    static let badRequest = Entry("bad_request", .rejected, .never, "OKX refused the request as malformed")
    static let badCredentials = Entry("bad_credentials", .rejected, .never,
                                      "OKX refused the credentials' headers (missing or malformed): check the key's configuration")
    static let badKey = Entry("bad_key", .rejected, .never, "OKX does not know this API key")
    static let badPassphrase = Entry("bad_passphrase", .rejected, .never,
                                     "OKX says the API key's passphrase is wrong (the one chosen when the key was made)")
    static let badSignature = Entry("bad_signature", .rejected, .never,
                                    "OKX says the signature is not valid (wrong API secret, or a signing bug)")
    static let wrongEnvironment = Entry("wrong_environment", .rejected, .never,
                                        "the key belongs to the other environment (demo trading and live keys are separate)")
    static let notPermitted = Entry("not_permitted", .rejected, .never, "the API key may not do this on OKX (permissions or IP allow-list)")
    static let unknownSymbol = Entry("unknown_symbol", .rejected, .never, "OKX does not know this instrument")
    static let insufficientFunds = Entry("insufficient_funds", .rejected, .never, "not enough balance on OKX for this order")
    static let badPrecision = Entry("bad_precision", .rejected, .never, "price or quantity breaks the instrument's tick or lot size")
    static let belowMinimum = Entry("below_minimum", .rejected, .never, "the order is below the instrument's minimum size")
    static let aboveMaximum = Entry("above_maximum", .rejected, .never, "the order is above the instrument's maximum size")
    static let duplicateOrder = Entry("duplicate_order", .rejected, .queryFirst,
                                      "a pending order already has this client id: it is looked up, not sent again")
    static let expired = Entry("order_expired", .transient, .later,
                               "the order reached OKX after its expTime and was not executed; it may be sent again")
    static let noLiquidity = Entry("no_liquidity", .market, .later, "OKX has no offers on this book")
    static let tooManyOpen = Entry("too_many_open_orders", .rejected, .never,
                                   "the account has too many pending orders on this instrument")
    static let unknownOrder = Entry("unknown_order", .rejected, .never, "OKX has no such order")
    static let cancelRejected = Entry("cancel_rejected", .rejected, .never,
                                      "OKX could not cancel: the order is filled, canceled or does not exist")
    static let accountMode = Entry("account_mode", .rejected, .never,
                                   "the request is not supported in the account's mode (dexter trades spot, tdMode cash)")
    static let amendRejected = Entry("amend_rejected", .rejected, .never, "OKX refused the amendment")
    static let loginRequired = Entry("login_required", .transient, .never, "the private WebSocket is not logged in yet")
    static let tooFrequent = Entry("too_frequent", .transient, .afterWindow, "too many WebSocket requests on this connection")

    static let table: [Int: Entry] = [
        // REST, public (HTTP 400 / 401 / 429 / 5XX)
        50000: badRequest, 50001: unavailable, 50002: badRequest, 50004: outcomeUnknown, 50005: unavailable,
        50006: badRequest, 50011: rateLimited, 50013: busy, 50014: badRequest, 50015: badRequest, 50016: badRequest,
        50024: badRequest, 50025: badRequest, 50026: outcomeUnknown, 50027: notPermitted, 50037: expired,
        50061: rateLimited, 50100: notPermitted, 50101: wrongEnvironment, 50102: clockSkew, 50103: badCredentials,
        50104: badCredentials, 50105: badPassphrase, 50106: badCredentials, 50107: badCredentials, 50110: notPermitted,
        50111: badKey, 50112: badCredentials, 50113: badSignature, 50114: badCredentials, 50120: notPermitted,
        // Trading (an order's sCode, or the top-level code)
        51000: badRequest, 51001: unknownSymbol, 51003: badRequest, 51005: aboveMaximum, 51008: insufficientFunds,
        51010: accountMode, 51016: duplicateOrder, 51020: belowMinimum, 51054: outcomeUnknown, 51109: noLiquidity,
        51111: badRequest, 51121: badPrecision, 51149: outcomeUnknown, 51174: tooManyOpen, 51202: aboveMaximum,
        51204: badRequest, 51400: cancelRejected, 51401: cancelRejected, 51402: cancelRejected,
        51500: amendRejected, 51502: insufficientFunds, 51503: amendRejected, 51511: amendRejected,
        51603: unknownOrder,
        // WebSocket (login and requests)
        60004: clockSkew, 60005: badKey, 60006: clockSkew, 60007: badSignature, 60009: badCredentials,
        60011: loginRequired, 60012: badRequest, 60013: badRequest, 60014: tooFrequent, 60018: badRequest,
        60019: badRequest, 60024: badPassphrase, 60027: badCredentials, 60031: badCredentials, 60032: badKey,
    ]

    static func classify(code: Int?, httpStatus: Int?) -> Entry {
        if let code, let entry = table[code] { return entry }
        switch httpStatus {
        case 429?: return rateLimited
        case 401?: return badCredentials
        case 403?: return notPermitted
        case 408?: return outcomeUnknown
        case let status? where status >= 500: return outcomeUnknown
        default: break
        }
        // No code at all, and no status that says: nothing is known of the outcome.
        guard let code else { return outcomeUnknown }
        // A code the table does not list: refused, and not sent again unchanged.
        return Entry("rejected", .rejected, .never, "OKX refused the request (code \(code))")
    }
}
