import DexterCore
import DexterVenues

/// A refusal from Bybit: its `retCode` (HTTP 200 for every documented refusal), or an HTTP status without one (401,
/// 403 "access too frequent", 5XX). A struct around the code rather than a closed enum: Bybit's table grows.
public struct BybitError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Bybit's `retCode`; nil for a bare HTTP failure.
    public let retCode: Int?
    public let message: String
    public let httpStatus: Int
    /// What was asked ("order/create BTCUSDT"), for the log.
    public let request: String

    public init(retCode: Int?, message: String, httpStatus: Int = 200, request: String) {
        self.retCode = retCode
        self.message = message
        self.httpStatus = httpStatus
        self.request = request
    }

    public var description: String {
        "Bybit \(request): " + (retCode.map { "retCode \($0)" } ?? "HTTP \(httpStatus)") + " \(message)"
    }

    /// The order may or may not exist (10000 server timeout, 10016 service error, a 5XX): query by `orderLinkId`
    /// before anything is sent again.
    public var outcomeUnknown: Bool { retCode == 10000 || retCode == 10016 || (retCode == nil && httpStatus >= 500) }
    /// The request time was outside the window (10002): resync the clock and retry once.
    public var clockOutOfWindow: Bool { retCode == 10002 }
    /// 110072: an order with this `orderLinkId` exists already: query it, never send another.
    public var orderExists: Bool { retCode == 110072 }
    /// 110001: cancel of an order that is unknown or finished.
    public var orderNotFound: Bool { retCode == 110001 }
    /// 10006 (the UID's per-endpoint limit: wait for X-Bapi-Limit-Reset-Timestamp), 10018, or HTTP 403 (the IP's
    /// limit or ban: at least 10 minutes).
    public var rateLimited: Bool { retCode == 10006 || retCode == 10018 || httpStatus == 403 }

    /// The refusal in dexter's taxonomy, Bybit's code and words kept.
    public var failure: ExecutionFailure {
        let (code, failureClass, reason) = Self.classify(retCode: retCode, httpStatus: httpStatus, outcomeUnknown: outcomeUnknown,
                                                         rateLimited: rateLimited)
        return ExecutionFailure(code: code, failureClass: failureClass, reason: reason, venueCode: retCode.map(String.init),
                                venueMessage: message.isEmpty ? nil : message)
    }

    static func classify(retCode: Int?, httpStatus: Int, outcomeUnknown: Bool, rateLimited: Bool)
        -> (String, ExecutionFailure.Class, String) {
        if rateLimited { return ("rate_limited", .transient, "Bybit's rate limit was hit; waiting before trying again") }
        if outcomeUnknown { return ("venue_unavailable", .transient, "Bybit answered with a server error; the order is queried first") }
        switch retCode {
        case 10002: return ("clock_skew", .transient, "the request time was outside Bybit's window; the clock is resynced")
        case 10003, 10004, 10005, 10010:
            return ("not_permitted", .rejected, "Bybit refused the key (invalid, bad signature, no permission or IP not bound)")
        case 10001: return ("bad_request", .rejected, "Bybit refused a parameter of the request")
        case 110003: return ("price_out_of_range", .market, "the price is beyond Bybit's allowed range")
        case 110004, 110007, 110012, 110044, 110045: return ("insufficient_funds", .rejected, "not enough available balance on Bybit")
        case 110017: return ("reduce_only_refused", .rejected, "the reduce-only order has nothing to reduce")
        case 110020: return ("too_many_orders", .rejected, "more than 500 active orders on Bybit")
        case 110072: return ("duplicate_client_id", .rejected, "an order with this orderLinkId exists already")
        case 110094: return ("below_minimum", .rejected, "the order is below the contract's minimum notional")
        case 110001: return ("order_not_found", .rejected, "Bybit does not know the order (or it is finished)")
        default: break
        }
        if retCode == nil, httpStatus == 401 { return ("not_permitted", .rejected, "Bybit refused the request's credentials") }
        return ("venue_refused", .rejected, "Bybit refused the request")
    }
}
