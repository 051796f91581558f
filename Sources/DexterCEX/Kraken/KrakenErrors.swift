import DexterCore
import DexterVenues

/// What may be done about a refused or unanswered Kraken request before the same order is sent again. Kraken checks a
/// `cl_ord_id` for uniqueness among *open* orders only, so a resend after the first order ended would trade twice: an
/// order whose outcome is unknown is always looked up first.
public enum KrakenRetry: Sendable, Hashable {
    /// The request itself is wrong, or the key or account may not do it: never send it again unchanged.
    case never
    /// The outcome is unknown (a timeout, `EService:Unavailable` / `Busy` / `Deadline elapsed`, a 5XX after the
    /// request left): find the order by its `cl_ord_id`; only when Kraken has none may it go again.
    case queryFirst
    /// `EAPI:Invalid nonce`: refused before anything was done; sent once more with a fresh nonce.
    case freshNonce
    /// A rate limit (`EAPI:Rate limit exceeded`, `EOrder:Rate limit exceeded`, `EService:Throttled`): nothing is
    /// done, and nothing more is sent until the counter has decayed.
    case afterDecay
}

/// A Kraken error sorted into the seam's taxonomy, with what to do next.
public struct KrakenFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public let failure: ExecutionFailure
    public let retry: KrakenRetry

    public var description: String { "\(failure) (Kraken \(failure.venueCode ?? "-"), retry: \(retry))" }
}

/// Kraken's error strings (docs.kraken.com "Spot REST API errors" and each endpoint's; the WebSocket v2 answers carry
/// the same strings in `error`) as typed failures. Kraken answers HTTP 200 with `{"error": ["EOrder:…"]}`; the
/// string is both the code and the words (`EGeneral:Invalid arguments:volume minimum not met`). Matching is by the
/// category and message prefix, so Kraken's suffixes (`:price`, `: [timestamp]`) keep their class. Cross-checked
/// against ccxt 4.5.90's Kraken map (../shared/vectors/exchanges/ccxt_exception_maps.json), which maps
/// `EService:*` to ExchangeNotAvailable (retryable) — dexter's "unknown outcome": the order may have been placed.
public enum KrakenErrors {
    public static func failure(_ message: String?, httpStatus: Int? = nil) -> KrakenFailure {
        let entry = classify(message, httpStatus: httpStatus)
        let text = message.flatMap { $0.isEmpty ? nil : $0 }
        let failure = ExecutionFailure(code: entry.code, failureClass: entry.failureClass, reason: entry.reason,
                                       venueCode: text ?? httpStatus.map { "HTTP \($0)" }, venueMessage: text)
        return KrakenFailure(failure: failure, retry: entry.retry)
    }

    struct Entry: Sendable {
        let code: String
        let failureClass: ExecutionFailure.Class
        let retry: KrakenRetry
        let reason: String

        init(_ code: String, _ failureClass: ExecutionFailure.Class, _ retry: KrakenRetry, _ reason: String) {
            self.code = code
            self.failureClass = failureClass
            self.retry = retry
            self.reason = reason
        }
    }

    static let outcomeUnknown = Entry("outcome_unknown", .transient, .queryFirst,
                                      "Kraken did not say whether the order was placed: it is looked up before any resend")
    static let unavailable = Entry("venue_unavailable", .transient, .queryFirst,
                                   "Kraken is temporarily unavailable; the order is looked up before any resend")
    static let busy = Entry("venue_busy", .transient, .queryFirst, "Kraken's systems are busy; the order is looked up before any resend")
    static let rateLimited = Entry("rate_limited", .transient, .afterDecay,
                                   "Kraken's API call counter is full: nothing is sent until it has decayed")
    static let orderRateLimited = Entry("rate_limited", .transient, .afterDecay,
                                        "Kraken's trading counter for this pair is full: no order goes until it has decayed")
    static let badNonce = Entry("bad_nonce", .transient, .freshNonce,
                                "Kraken refused the request's nonce (not above the key's last): sent once more with a fresh one")
    static let badKey = Entry("bad_key", .rejected, .never, "Kraken does not know this API key")
    static let badSignature = Entry("bad_signature", .rejected, .never,
                                    "Kraken says the signature is not valid (wrong API secret, or a signing bug)")
    static let notPermitted = Entry("not_permitted", .rejected, .never,
                                    "the API key may not do this on Kraken (its permissions, or the account's)")
    static let badRequest = Entry("bad_request", .rejected, .never, "Kraken refused the request's arguments")
    static let unknownSymbol = Entry("unknown_symbol", .rejected, .never, "Kraken does not know this pair")
    static let insufficientFunds = Entry("insufficient_funds", .rejected, .never, "not enough balance on Kraken for this order")
    static let belowMinimum = Entry("below_minimum", .rejected, .never, "the order is below the pair's minimum volume or cost")
    static let badPrecision = Entry("bad_precision", .rejected, .never, "price or volume breaks the pair's decimals or tick")
    static let tooManyOpen = Entry("too_many_open_orders", .rejected, .never, "the account has too many open orders")
    static let marketClosed = Entry("market_restricted", .market, .never,
                                    "the pair is not fully trading (cancel-only, post-only, limit-only or halted)")
    static let postOnlyWouldTake = Entry("would_take", .market, .never, "a post-only order that would have taken liquidity")
    static let unknownOrder = Entry("unknown_order", .rejected, .never, "Kraken has no such open order")
    static let duplicateOrder = Entry("duplicate_order", .rejected, .queryFirst,
                                      "an open order already has this client id: it is looked up, not sent again")
    static let locked = Entry("account_locked", .rejected, .never, "the Kraken account is locked or suspended")

    /// Kraken's strings, longest prefix first where one is the start of another.
    static let table: [(prefix: String, entry: Entry)] = [
        ("EAPI:Invalid nonce", badNonce), ("EAPI:Invalid key", badKey), ("EAPI:Invalid signature", badSignature),
        ("EAPI:Rate limit exceeded", rateLimited), ("EAPI:Feature disabled", notPermitted),
        ("EAPI:Bad request", badRequest), ("EAPI:Invalid session", badKey),
        ("EGeneral:Permission denied", notPermitted), ("EGeneral:Temporary lockout", rateLimited),
        ("EGeneral:Too many requests", rateLimited), ("EGeneral:Internal error", outcomeUnknown),
        ("EGeneral:Invalid arguments:volume minimum not met", belowMinimum),
        ("EGeneral:Invalid arguments:cost minimum not met", belowMinimum),
        ("EGeneral:Invalid arguments:price", badPrecision), ("EGeneral:Invalid arguments:volume", badPrecision),
        ("EGeneral:Invalid arguments:Invalid pair", unknownSymbol), ("EGeneral:Invalid arguments", badRequest),
        ("EGeneral:Unknown method", badRequest),
        ("EOrder:Insufficient funds", insufficientFunds), ("EOrder:Insufficient margin", insufficientFunds),
        ("EOrder:Order minimum not met", belowMinimum), ("EOrder:Cost minimum not met", belowMinimum),
        ("EOrder:Tick size check failed", badPrecision), ("EOrder:Invalid price", badPrecision),
        ("EOrder:Rate limit exceeded", orderRateLimited), ("EOrder:Orders limit exceeded", tooManyOpen),
        ("EOrder:Positions limit exceeded", tooManyOpen), ("EOrder:Unknown order", unknownOrder),
        ("EOrder:Unknown position", unknownOrder), ("EOrder:Post only order", postOnlyWouldTake),
        ("EOrder:Trading agreement required", notPermitted), ("EOrder:Reduce only", badRequest),
        ("EOrder:Duplicate", duplicateOrder), ("EOrder:Invalid order", badRequest),
        ("EOrder:Cannot open position", notPermitted), ("EOrder:Scheduled orders limit exceeded", tooManyOpen),
        ("EQuery:Unknown asset pair", unknownSymbol), ("EQuery:Invalid asset pair", unknownSymbol),
        ("EQuery:Unknown asset", unknownSymbol),
        ("EService:Unavailable", unavailable), ("EService:Busy", busy), ("EService:Deadline elapsed", outcomeUnknown),
        ("EService:Market in cancel_only mode", marketClosed), ("EService:Market in post_only mode", marketClosed),
        ("EService:Market in limit_only mode", marketClosed), ("EService:Throttled", rateLimited), ("EService: Throttled", rateLimited),
        ("EDatabase:Internal error", outcomeUnknown), ("ETrade:Locked", locked), ("ETrade:User Locked", locked),
        ("EAccount:Invalid permissions", notPermitted), ("ESession:Invalid session", badKey),
    ]

    static func classify(_ message: String?, httpStatus: Int?) -> Entry {
        if let message, !message.isEmpty {
            let lowered = message.lowercased()
            if let found = table.first(where: { lowered.hasPrefix($0.prefix.lowercased()) }) { return found.entry }
        }
        switch httpStatus {
        case 429?: return rateLimited
        case 401?: return badKey
        case 403?: return notPermitted
        case 408?: return outcomeUnknown
        case let status? where status >= 500: return outcomeUnknown
        default: break
        }
        // No words and no status that says: nothing is known of the outcome.
        guard let message, !message.isEmpty else { return outcomeUnknown }
        // A string the table does not list: refused, and not sent again unchanged.
        return Entry("rejected", .rejected, .never, "Kraken refused the request")
    }
}
