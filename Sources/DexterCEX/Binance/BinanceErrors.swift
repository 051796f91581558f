import DexterCore
import DexterVenues

/// What may be done about a refused or unanswered request before the same order is sent again. Every resend uses
/// the same client order id, so an order can never be placed twice.
public enum BinanceRetry: Sendable, Hashable {
    /// The request itself is wrong, or the account may not do it: do not send it again unchanged.
    case never
    /// The outcome is unknown (a timeout, a 5XX): find the order by its client id first; only if Binance does not
    /// know it, send again with the same id.
    case queryFirst
    /// The clock is off (-1021; the request was not processed): measure the server time again, then resend.
    case afterClockResync
    /// A rate limit: stop sending anything to Binance for this many seconds (Retry-After); nil when Binance does not
    /// say (-1015: wait for the order-count interval to roll over).
    case after(seconds: Int?)
    /// The venue is busy or the book empty: the same order may go through later.
    case later
}

/// A Binance error sorted into the seam's taxonomy, with what to do next.
public struct BinanceFailure: Sendable, Hashable, CustomStringConvertible {
    public let failure: ExecutionFailure
    public let retry: BinanceRetry

    public var description: String { "\(failure) (retry: \(retry))" }
}

/// Binance's error codes (errors.md, 2025-01-09) and HTTP statuses (rest-api.md, "HTTP Return Codes") as typed
/// failures. The table holds every code errors.md lists for the endpoints the connector calls; the messages of
/// -1013, -1010, -2010 and -2011 (errors.md, "Messages for…" and "Filter failures") refine them.
public enum BinanceErrors {
    public static func failure(_ body: BinanceErrorBody, httpStatus: Int? = nil, retryAfterSeconds: Int? = nil)
        -> BinanceFailure {
        failure(code: body.code, message: body.message, httpStatus: httpStatus, retryAfterSeconds: retryAfterSeconds)
    }

    public static func failure(code: Int?, message: String?, httpStatus: Int?, retryAfterSeconds: Int? = nil)
        -> BinanceFailure {
        let entry = classify(code: code, message: message ?? "", httpStatus: httpStatus)
        let retry: BinanceRetry = switch entry.retry {
        case .after: .after(seconds: retryAfterSeconds)
        default: entry.retry
        }
        let failure = ExecutionFailure(code: entry.code, failureClass: entry.failureClass, reason: entry.reason,
                                       venueCode: code.map(String.init),
                                       venueMessage: (message?.isEmpty ?? true) ? nil : message)
        return BinanceFailure(failure: failure, retry: retry)
    }

    /// -2013 "Order does not exist.": a query's way of saying the order never arrived (GET reads memory, then the
    /// database: ask again shortly before concluding it).
    public static func meansOrderUnknown(_ body: BinanceErrorBody) -> Bool { body.code == -2013 }

    /// An `executionReport`'s reject reason (`r`) as a failure.
    public static func rejection(reason: String) -> ExecutionFailure {
        let entry: Entry = switch reason {
        case "INSUFFICIENT_BALANCES": insufficientFunds
        case "WOULD_MATCH_IMMEDIATELY", "STOP_PRICE_WOULD_TRIGGER_IMMEDIATELY": wouldTake
        case "OCO_BAD_PRICES": badRequest
        default: Entry("rejected", .rejected, .never, "Binance rejected the order")
        }
        return ExecutionFailure(code: entry.code, failureClass: entry.failureClass, reason: entry.reason,
                                venueMessage: reason == "NONE" || reason == "REJECTED" ? nil : reason)
    }

    struct Entry: Sendable {
        let code: String
        let failureClass: ExecutionFailure.Class
        let retry: BinanceRetry
        let reason: String

        init(_ code: String, _ failureClass: ExecutionFailure.Class, _ retry: BinanceRetry, _ reason: String) {
            self.code = code
            self.failureClass = failureClass
            self.retry = retry
            self.reason = reason
        }
    }

    static let outcomeUnknown = Entry("outcome_unknown", .transient, .queryFirst,
                                      "Binance did not say whether the order was placed: it is looked up before any resend")
    static let venueBusy = Entry("venue_busy", .transient, .queryFirst,
                                 "Binance was busy or lost the request internally; it is looked up, then sent again")
    static let rateLimited = Entry("rate_limited", .transient, .after(seconds: nil),
                                   "Binance's rate limit was hit: nothing is sent to Binance until it has passed")
    static let ipBanned = Entry("ip_banned", .transient, .after(seconds: nil),
                                "Binance banned this IP for sending after a rate limit: nothing is sent until the ban ends")
    static let clockSkew = Entry("clock_skew", .transient, .afterClockResync,
                                 "the request's timestamp was outside Binance's recvWindow: the clock offset is measured again")
    static let badSignature = Entry("bad_signature", .rejected, .never,
                                    "Binance says the signature is not valid (wrong API secret, or a signing bug)")
    static let notPermitted = Entry("not_permitted", .rejected, .never,
                                    "the API key, its IP allow-list or the account may not do this on Binance")
    static let badRequest = Entry("bad_request", .rejected, .never, "Binance refused the request as malformed")
    static let badPrecision = Entry("bad_precision", .rejected, .never,
                                    "price or quantity breaks the symbol's tick, step or precision")
    static let belowMinimum = Entry("below_minimum", .rejected, .never, "the order is below the symbol's minimum notional")
    static let filterFailure = Entry("filter_failure", .rejected, .never, "the order breaks one of the symbol's filters")
    static let unknownSymbol = Entry("unknown_symbol", .rejected, .never, "Binance does not know this symbol")
    static let insufficientFunds = Entry("insufficient_funds", .rejected, .never,
                                         "not enough balance on Binance for this order")
    static let duplicateOrder = Entry("duplicate_order", .rejected, .never,
                                      "an open order already has this client id: it is queried, not sent again")
    static let marketClosed = Entry("market_closed", .rejected, .never, "the symbol is not trading on Binance now")
    static let wouldTake = Entry("would_take", .market, .never, "the order would have traded immediately at a moved price")
    static let unknownOrder = Entry("unknown_order", .rejected, .never,
                                    "Binance holds no open order by this id (filled, canceled, expired or never placed)")
    static let cancelRejected = Entry("cancel_rejected", .rejected, .never, "Binance refused to cancel the order")
    static let noLiquidity = Entry("no_liquidity", .transient, .later, "the Binance book has no orders for this symbol")
    static let wafBlocked = Entry("waf_blocked", .transient, .later, "Binance's web application firewall refused the request")
    static let unavailable = Entry("venue_unavailable", .rejected, .never, "Binance no longer offers this service")

    static let table: [Int: Entry] = {
        var table: [Int: Entry] = [
            -1000: outcomeUnknown, -1001: venueBusy, -1002: notPermitted, -1003: rateLimited, -1006: outcomeUnknown,
            -1007: outcomeUnknown, -1008: venueBusy, -1013: filterFailure, -1014: badRequest, -1015: rateLimited,
            -1016: unavailable, -1020: badRequest, -1021: clockSkew, -1022: badSignature,
            -1111: badPrecision, -1112: noLiquidity, -1121: unknownSymbol,
            -1125: Entry("listen_key_invalid", .rejected, .never, "the user data stream's listenKey does not exist"),
            -2010: Entry("order_rejected", .rejected, .never, "Binance's matching engine rejected the order"),
            -2011: cancelRejected, -2013: unknownOrder, -2014: notPermitted, -2015: notPermitted,
            -2016: badRequest, -2021: badRequest, -2022: badRequest,
            -2026: Entry("order_archived", .rejected, .never, "the order ended over 90 days ago and was archived"),
            -4056: notPermitted,
        ]
        // 11xx: the request is malformed (parameters, tags, combinations); none is worth sending again unchanged.
        for code in [-1100, -1101, -1102, -1103, -1104, -1105, -1106, -1108, -1114, -1115, -1116, -1117, -1118,
                     -1119, -1120, -1122, -1127, -1128, -1130, -1134, -1135, -1139, -1145, -1151, -1152, -1153, -1155,
                     -1158, -1160, -1161, -1165, -1166, -1168, -1169, -1170, -1171, -1172, -1173, -1174, -1175, -1176,
                     -1177, -1178, -1179, -1180, -1182, -1183, -1184, -1185, -1186, -1187, -1188, -1189, -1190, -1191,
                     -1194, -1196, -1197, -1198, -1199] {
            table[code] = badRequest
        }
        table[-1181] = rateLimited
        return table
    }()

    static func classify(code: Int?, message: String, httpStatus: Int?) -> Entry {
        if httpStatus == 418 { return ipBanned }
        if let code {
            switch code {
            case -1013: return filterMessage(message)
            case -1010, -2010: return matchingEngineMessage(message, unknown: code == -1010 ? outcomeUnknown : table[-2010]!)
            // "Unknown order sent." is -2011's usual message: the order is not open (filled, canceled, expired or
            // never placed) — query it for its final state.
            case -2011: return matchingEngineMessage(message, unknown: unknownOrder)
            default: if let entry = table[code] { return entry }
            }
        }
        switch httpStatus {
        case 429?: return rateLimited
        case 403?: return wafBlocked
        case 401?: return notPermitted
        case 408?: return outcomeUnknown
        case let status? where status >= 500: return outcomeUnknown
        case let status? where status >= 400: return code == nil ? badRequest : Entry("rejected", .rejected, .never, "Binance refused the request")
        default: break
        }
        // A code errors.md does not list for spot (a futures or wallet code): refused, not resent.
        return code == nil ? outcomeUnknown : Entry("rejected", .rejected, .never, "Binance refused the request")
    }

    /// errors.md, "Filter failures".
    static func filterMessage(_ message: String) -> Entry {
        guard message.hasPrefix("Filter failure: ") else { return matchingEngineMessage(message, unknown: badRequest) }
        switch message.dropFirst("Filter failure: ".count) {
        case "PRICE_FILTER", "LOT_SIZE", "MARKET_LOT_SIZE": return badPrecision
        case "MIN_NOTIONAL", "NOTIONAL": return belowMinimum
        case "PERCENT_PRICE", "PERCENT_PRICE_BY_SIDE":
            return Entry("price_out_of_band", .market, .never, "the price is too far from Binance's average price")
        default: return filterFailure
        }
    }

    /// errors.md, "Messages for -1010 ERROR_MSG_RECEIVED, -2010 NEW_ORDER_REJECTED, and -2011 CANCEL_REJECTED".
    static func matchingEngineMessage(_ message: String, unknown: Entry) -> Entry {
        let sentence = message.hasSuffix(".") ? String(message.dropLast()) : message
        switch sentence {
        case "Account has insufficient balance for requested action": return insufficientFunds
        case "Duplicate order sent": return duplicateOrder
        case "Market is closed": return marketClosed
        case "Unknown order sent": return unknownOrder
        case "Order would immediately match and take", "Order would trigger immediately",
             "Stop price would trigger immediately": return wouldTake
        case "Too many requests. Please try again later", "Too many new orders": return rateLimited
        case "System abnormality": return venueBusy
        case "System is under maintenance":
            return Entry("maintenance", .transient, .later, "Binance is under maintenance")
        case "Price * QTY is zero or less": return belowMinimum
        case "This action is disabled on this account", "This account may not place or cancel orders",
             "This symbol is not permitted for this account", "This symbol is restricted for this account",
             "Rest API trading is not enabled", "WebSocket API trading is not enabled":
            return notPermitted
        case "Order was not canceled due to cancel restrictions": return cancelRejected
        default:
            if sentence.hasSuffix("are not supported for this symbol") || sentence.hasSuffix("is not supported for this symbol")
                || sentence.hasPrefix("Unsupported order combination") || sentence.hasPrefix("Cancel order is invalid")
                || sentence.hasPrefix("IcebergQty exceeds QTY") || sentence.hasPrefix("The relationship of the prices")
                || sentence.hasPrefix("Quote order qty market orders are not support") {
                return badRequest
            }
            if sentence.hasPrefix("Order book liquidity is less than") { return noLiquidity }
            return unknown
        }
    }
}
