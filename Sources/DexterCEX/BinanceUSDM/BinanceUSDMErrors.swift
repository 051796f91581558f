import DexterCore
import DexterVenues

/// Binance USDⓈ-M futures' error codes (docs/venues/binance-usdm.md, "Error codes, typed", from the USDⓈ-M
/// error-code page) as the same typed failures spot's are: a seam class, dexter's code, what may be done next.
/// Futures share spot's envelope and most of its 10xx/11xx codes, but not its -20xx messages nor its -4xxx
/// range; every code of the checklist's table is here, and anything else a 4XX answers is refused, never resent.
public enum BinanceUSDMErrors {
    public static func failure(code: Int?, message: String?, httpStatus: Int?, retryAfterSeconds: Int? = nil)
        -> BinanceFailure {
        let entry = classify(code: code, httpStatus: httpStatus)
        let retry: BinanceRetry = switch entry.retry {
        case .after: .after(seconds: retryAfterSeconds)
        default: entry.retry
        }
        let failure = ExecutionFailure(code: entry.code, failureClass: entry.failureClass, reason: entry.reason,
                                       venueCode: code.map(String.init),
                                       venueMessage: (message?.isEmpty ?? true) ? nil : message)
        return BinanceFailure(failure: failure, retry: retry)
    }

    typealias Entry = BinanceErrors.Entry

    static let reduceOnlyRejected = Entry("reduce_only_rejected", .rejected, .never,
                                          "a reduce-only order would not reduce the position (already flat or smaller)")
    static let insufficientMargin = Entry("insufficient_margin", .rejected, .never,
                                          "not enough margin on Binance USDⓈ-M for this order (reduce the size or add margin)")
    static let maxPosition = Entry("max_position", .rejected, .never,
                                   "the position would exceed what the symbol's leverage allows (-2027/-2028)")
    static let positionSideMismatch = Entry("position_side_mismatch", .rejected, .never,
                                            "the order's position side does not match the account's mode (dexter needs one-way mode)")
    static let badClientOrderId = Entry("bad_client_order_id", .rejected, .never, "Binance says the client order id is not valid")
    static let duplicateOrder = Entry("duplicate_order", .rejected, .never,
                                      "an open order already has this client id: it is queried, not sent again")
    static let notChanged = Entry("no_change_needed", .rejected, .never, "the setting already had that value")
    static let settingLocked = Entry("setting_locked", .rejected, .never,
                                     "the margin type or position mode cannot change with open orders or a position")
    static let outsideBand = Entry("price_out_of_band", .market, .never,
                                   "the price is outside the symbol's PERCENT_PRICE band around the mark price")
    static let notFilled = Entry("not_filled", .market, .never,
                                 "a fill-or-kill could not fill, or a post-only order would have taken")
    static let overloaded = Entry("venue_busy", .transient, .later,
                                  "Binance is overloaded and did not execute the request: it may be sent later")

    static let table: [Int: Entry] = {
        var table: [Int: Entry] = [
            -1000: BinanceErrors.outcomeUnknown, -1001: BinanceErrors.venueBusy, -1002: BinanceErrors.notPermitted,
            -1003: BinanceErrors.rateLimited, -1006: BinanceErrors.outcomeUnknown, -1007: BinanceErrors.outcomeUnknown,
            -1008: overloaded, -1014: BinanceErrors.badRequest, -1015: BinanceErrors.rateLimited,
            -1016: BinanceErrors.unavailable, -1020: BinanceErrors.badRequest, -1021: BinanceErrors.clockSkew,
            -1022: BinanceErrors.badSignature, -1111: BinanceErrors.badPrecision, -1121: BinanceErrors.unknownSymbol,
            -1125: Entry("listen_key_invalid", .rejected, .never, "the user data stream's listenKey does not exist"),
            -2010: Entry("order_rejected", .rejected, .never, "Binance's matching engine rejected the order"),
            -2011: BinanceErrors.unknownOrder, -2013: BinanceErrors.unknownOrder,
            -2014: BinanceErrors.notPermitted, -2015: BinanceErrors.notPermitted,
            -2019: insufficientMargin, -2020: notFilled, -2021: BinanceErrors.wouldTake, -2022: reduceOnlyRejected,
            -2027: maxPosition, -2028: maxPosition,
            -4003: BinanceErrors.badPrecision, -4005: BinanceErrors.badPrecision, -4014: BinanceErrors.badPrecision,
            -4023: BinanceErrors.badPrecision, -4015: badClientOrderId, -4016: outsideBand, -4024: outsideBand,
            -4131: outsideBand, -4025: BinanceErrors.filterFailure, -4028: BinanceErrors.badRequest,
            -4046: notChanged, -4059: notChanged, -4047: settingLocked, -4048: settingLocked, -4067: settingLocked,
            -4068: settingLocked, -4061: positionSideMismatch, -4116: duplicateOrder,
            -4164: BinanceErrors.belowMinimum, -5021: notFilled, -5022: notFilled,
        ]
        // 11xx: the request is malformed (parameters, their combinations); none is worth sending again unchanged.
        for code in -1131 ... -1100 where table[code] == nil && code != -1125 { table[code] = BinanceErrors.badRequest }
        return table
    }()

    static func classify(code: Int?, httpStatus: Int?) -> Entry {
        if httpStatus == 418 { return BinanceErrors.ipBanned }
        if let code, let entry = table[code] { return entry }
        switch httpStatus {
        case 429?: return BinanceErrors.rateLimited
        case 403?: return BinanceErrors.wafBlocked
        case 401?: return BinanceErrors.notPermitted
        case 408?: return BinanceErrors.outcomeUnknown
        case let status? where status >= 500: return BinanceErrors.outcomeUnknown
        default: break
        }
        // A code the table does not list: refused, not resent; no code at all (a cut answer): unknown.
        return code == nil && httpStatus.map({ $0 < 400 }) ?? true ? BinanceErrors.outcomeUnknown
            : Entry("rejected", .rejected, .never, "Binance USDⓈ-M refused the request")
    }
}
