import DexterCore
import DexterVenues
import Foundation

/// The parsers of Coinbase Advanced Trade's account messages: the create-order answer, orders (get, list), fills,
/// accounts, the fee tier, the key's permissions, the server's time, cancel results and error bodies. Coinbase writes
/// amounts as decimal strings and leaves a field that does not apply as "" or null (an average price before a fill):
/// such a field reads as nil, never as zero by accident. Times are RFC 3339.
public enum CoinbaseTrading {
    static let venue = "coinbase"

    /// BTC/USD → BTC-USD.
    public static func productId(_ symbol: Symbol) -> String { symbol.base.code + "-" + symbol.quote.code }

    /// A spot product id's symbol: BTC-USD → BTC/USD.
    public static func symbol(_ productId: String) -> Symbol? {
        let parts = productId.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return Symbol(base: Asset(String(parts[0])), quote: Asset(String(parts[1])))
    }
}

/// `POST /orders`'s answer: `success` with Coinbase's order id, or the reasons it was refused.
public struct CoinbaseOrderAck: Sendable, Hashable {
    public let success: Bool
    public let orderId: String?
    public let clientOrderId: String?
    public let failureReason: String?
    /// `error_response`: its code, words, details and the two detailed reasons.
    public let error: String?
    public let message: String?
    public let errorDetails: String?
    public let previewFailureReason: String?
    public let newOrderFailureReason: String?
}

/// An order as `GET /orders/historical/{id}` and `/orders/historical/batch` describe it.
public struct CoinbaseOrder: Sendable, Hashable {
    public let orderId: String
    public let productId: String
    public let clientOrderId: String
    public let side: Side
    /// PENDING, OPEN, FILLED, CANCELLED, EXPIRED, FAILED, QUEUED, CANCEL_QUEUED, UNKNOWN_ORDER_STATUS.
    public let status: String
    /// IMMEDIATE_OR_CANCEL for dexter's orders.
    public let timeInForce: String
    public let createdTime: Timestamp
    public let lastFillTime: Timestamp?
    public let filledSize: FixedDecimal
    /// Quote value filled, before fees.
    public let filledValue: FixedDecimal?
    public let averageFilledPrice: FixedDecimal?
    public let totalFees: FixedDecimal?
    public let numberOfFills: Int?
    public let rejectReason: String?
    public let rejectMessage: String?
    public let cancelMessage: String?
    /// The order's size in base (`order_configuration`), where it has one.
    public let baseSize: FixedDecimal?

    public var isDone: Bool { CoinbaseOrderStatus.isDone(status) }
    public var isImmediate: Bool { timeInForce == "IMMEDIATE_OR_CANCEL" || timeInForce == "FILL_OR_KILL" }
    /// dexter's client order id for it: the decoded `client_order_id`, or Coinbase's order id without one.
    public var dexterClientOrderId: String { clientOrderId.isEmpty ? orderId : CoinbaseClientOrderId.decode(clientOrderId) }
    var time: Timestamp { lastFillTime ?? createdTime }
}

/// The lifecycle words Coinbase uses, shared by REST and the user channel.
enum CoinbaseOrderStatus {
    static func isDone(_ status: String) -> Bool { ["FILLED", "CANCELLED", "EXPIRED", "FAILED"].contains(status) }
}

/// One trade of the account (`GET /orders/historical/fills`): its own `trade_id`, price, size and the commission,
/// which spot charges in the quote currency.
public struct CoinbaseFill: Sendable, Hashable {
    public let entryId: String
    public let tradeId: String
    public let orderId: String
    public let productId: String
    public let price: FixedDecimal
    public let size: FixedDecimal
    public let commission: FixedDecimal
    public let sizeInQuote: Bool
    public let side: Side?
    public let liquidity: String?
    public let time: Timestamp

    /// Base quantity and quote notional, exact: `size` is in base unless `size_in_quote` (then notional = size; the
    /// parser refused a quotient out of range).
    public var quantity: FixedDecimal { sizeInQuote ? Self.quotient(size, price) ?? .zero : size }

    /// `a / b` truncated at 18 digits, or nil where `/` would trap (b zero, or a quotient past FixedDecimal's range).
    static func quotient(_ a: FixedDecimal, _ b: FixedDecimal) -> FixedDecimal? {
        guard !b.isZero else { return nil }
        let wide = a.raw.magnitude.multipliedFullWidth(by: UInt128(FixedDecimal.pow10(18)))
        guard wide.high < b.raw.magnitude,
              let magnitude = Int128(exactly: b.raw.magnitude.dividingFullWidth(wide).quotient) else { return nil }
        return FixedDecimal(raw: (a.isNegative != b.isNegative) ? -magnitude : magnitude)
    }
    public var notional: FixedDecimal { sizeInQuote ? size : price * size }
}

/// One page of a listing, with Coinbase's cursor for the next (empty: the last).
public struct CoinbasePage<Element: Sendable>: Sendable {
    public let items: [Element]
    public let cursor: String
    public let hasNext: Bool
}

/// One currency's account: what may be used and what orders hold.
public struct CoinbaseAccount: Sendable, Hashable {
    public let currency: Asset
    public let available: FixedDecimal
    public let hold: FixedDecimal
}

/// `GET /transaction_summary`'s fee tier: rates as fractions (0.006 is 0.6 %).
public struct CoinbaseFeeTier: Sendable, Hashable {
    public let pricingTier: String
    public let takerRate: FixedDecimal?
    public let makerRate: FixedDecimal?
}

/// `GET /key_permissions`.
public struct CoinbaseKeyPermissions: Sendable, Hashable {
    public let canView: Bool
    public let canTrade: Bool
    public let canTransfer: Bool
    public let portfolioId: String
}

/// One result of `POST /orders/batch_cancel`.
public struct CoinbaseCancelResult: Sendable, Hashable {
    public let orderId: String
    public let success: Bool
    public let failureReason: String?
}

/// An error answer's body: `{"error", "message", "error_details"}`.
public struct CoinbaseErrorEnvelope: Sendable, Hashable {
    public let error: String?
    public let message: String?
    public let details: String?
}

extension CoinbaseTrading {
    /// A whole message whose top level is an object, each key handed to `field`.
    static func object(_ bytes: some ContiguousBytes, message: String,
                       _ field: (inout WireReader, WireKey) throws(WireParseError) -> Void) throws(WireParseError) {
        try WireReader.read(bytes, venue: venue, message: message) { reader throws(WireParseError) in
            try reader.openObject()
            var first = true
            while let key = try reader.nextKey(&first) { try field(&reader, key) }
        }
    }

    public static func errorEnvelope(_ bytes: some ContiguousBytes) throws(WireParseError) -> CoinbaseErrorEnvelope {
        var error: String?, message: String?, details: String?
        try object(bytes, message: "error answer") { (reader, key) throws(WireParseError) in
            switch key {
            case "error": error = try reader.okxTextOrNil("error")
            case "message": message = try reader.okxTextOrNil("message")
            case "error_details": details = try reader.okxTextOrNil("error_details")
            default: try reader.skipValue(key)
            }
        }
        return CoinbaseErrorEnvelope(error: error, message: message, details: details)
    }

    public static func orderAck(_ bytes: some ContiguousBytes) throws(WireParseError) -> CoinbaseOrderAck {
        var success: Bool?, orderId: String?, clientOrderId: String?, failureReason: String?
        var error: String?, message: String?, details: String?, preview: String?, newOrder: String?
        try object(bytes, message: "create order answer") { (reader, key) throws(WireParseError) in
            switch key {
            case "success": success = try reader.bool("success")
            case "order_id": orderId = try reader.okxTextOrNil("order_id") ?? orderId
            case "failure_reason": failureReason = try reader.okxTextOrNil("failure_reason")
            case "success_response":
                reader.scanner.skipWhitespace()
                if reader.null() { break }
                try reader.openObject("success_response")
                var first = true
                while let field = try reader.nextKey(&first) {
                    switch field {
                    case "order_id": orderId = try reader.okxTextOrNil("order_id") ?? orderId
                    case "client_order_id": clientOrderId = try reader.okxTextOrNil("client_order_id")
                    default: try reader.skipValue(field)
                    }
                }
            case "error_response":
                reader.scanner.skipWhitespace()
                if reader.null() { break }
                try reader.openObject("error_response")
                var first = true
                while let field = try reader.nextKey(&first) {
                    switch field {
                    case "error": error = try reader.okxTextOrNil("error")
                    case "message": message = try reader.okxTextOrNil("message")
                    case "error_details": details = try reader.okxTextOrNil("error_details")
                    case "preview_failure_reason": preview = try reader.okxTextOrNil("preview_failure_reason")
                    case "new_order_failure_reason": newOrder = try reader.okxTextOrNil("new_order_failure_reason")
                    default: try reader.skipValue(field)
                    }
                }
            default: try reader.skipValue(key)
            }
        }
        guard let success else {
            throw WireParseError(venue: venue, message: "create order answer", field: "success", offset: 0, problem: "missing")
        }
        if success, orderId == nil {
            throw WireParseError(venue: venue, message: "create order answer", field: "order_id", offset: 0,
                                 problem: "an accepted order needs its order_id")
        }
        return CoinbaseOrderAck(success: success, orderId: orderId, clientOrderId: clientOrderId, failureReason: failureReason,
                                error: error, message: message, errorDetails: details, previewFailureReason: preview,
                                newOrderFailureReason: newOrder)
    }

    /// `{"order": {...}}`.
    public static func order(_ bytes: some ContiguousBytes) throws(WireParseError) -> CoinbaseOrder {
        var found: CoinbaseOrder?
        try object(bytes, message: "order") { (reader, key) throws(WireParseError) in
            switch key {
            case "order": found = try order(&reader)
            default: try reader.skipValue(key)
            }
        }
        guard let found else { throw WireParseError(venue: venue, message: "order", field: "order", offset: 0, problem: "missing") }
        return found
    }

    /// `{"orders": [...], "has_next", "cursor"}`.
    public static func orders(_ bytes: some ContiguousBytes) throws(WireParseError) -> CoinbasePage<CoinbaseOrder> {
        try page(bytes, message: "orders", list: "orders") { reader throws(WireParseError) in try order(&reader) }
    }

    /// `{"fills": [...], "cursor"}`.
    public static func fills(_ bytes: some ContiguousBytes) throws(WireParseError) -> CoinbasePage<CoinbaseFill> {
        try page(bytes, message: "fills", list: "fills") { reader throws(WireParseError) in try fill(&reader) }
    }

    /// `{"accounts": [...], "has_next", "cursor", "size"}`.
    public static func accounts(_ bytes: some ContiguousBytes) throws(WireParseError) -> CoinbasePage<CoinbaseAccount> {
        try page(bytes, message: "accounts", list: "accounts") { reader throws(WireParseError) in try account(&reader) }
    }

    /// `{"results": [{"success", "failure_reason", "order_id"}]}`.
    public static func cancelResults(_ bytes: some ContiguousBytes) throws(WireParseError) -> [CoinbaseCancelResult] {
        try page(bytes, message: "cancel answer", list: "results") { reader throws(WireParseError) in
            try reader.openObject("results")
            var orderId: String?, success = false, reason: String?
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "order_id": orderId = try reader.okxTextOrNil("order_id")
                case "success": success = try reader.bool("success")
                case "failure_reason": reason = try reader.okxTextOrNil("failure_reason")
                default: try reader.skipValue(key)
                }
            }
            guard let orderId else { throw reader.missing("order_id") }
            return CoinbaseCancelResult(orderId: orderId, success: success, failureReason: reason)
        }.items
    }

    static func page<Element: Sendable>(_ bytes: some ContiguousBytes, message: String, list: StaticString,
                                        _ element: (inout WireReader) throws(WireParseError) -> Element)
        throws(WireParseError) -> CoinbasePage<Element> {
        var items: [Element] = [], cursor = "", hasNext = false, sawList = false
        let name = "\(list)"
        try object(bytes, message: message) { (reader, key) throws(WireParseError) in
            if key.text == name {
                sawList = true
                reader.scanner.skipWhitespace()
                if reader.null() { return }
                try reader.openArray(list)
                var first = true
                while try reader.nextElement(&first, list) { items.append(try element(&reader)) }
                return
            }
            switch key {
            case "cursor": cursor = try reader.okxTextOrNil("cursor") ?? ""
            case "has_next": hasNext = try reader.bool("has_next")
            default: try reader.skipValue(key)
            }
        }
        guard sawList else { throw WireParseError(venue: venue, message: message, field: name, offset: 0, problem: "missing") }
        return CoinbasePage(items: items, cursor: cursor, hasNext: hasNext)
    }

    public static func feeTier(_ bytes: some ContiguousBytes) throws(WireParseError) -> CoinbaseFeeTier {
        var tier = "", taker: FixedDecimal?, maker: FixedDecimal?, sawTier = false
        try object(bytes, message: "transaction summary") { (reader, key) throws(WireParseError) in
            switch key {
            case "fee_tier":
                sawTier = true
                try reader.openObject("fee_tier")
                var first = true
                while let field = try reader.nextKey(&first) {
                    switch field {
                    case "pricing_tier": tier = try reader.okxTextOrNil("pricing_tier") ?? ""
                    case "taker_fee_rate": taker = try reader.okxAmount("taker_fee_rate")
                    case "maker_fee_rate": maker = try reader.okxAmount("maker_fee_rate")
                    default: try reader.skipValue(field)
                    }
                }
            default: try reader.skipValue(key)
            }
        }
        guard sawTier else {
            throw WireParseError(venue: venue, message: "transaction summary", field: "fee_tier", offset: 0, problem: "missing")
        }
        return CoinbaseFeeTier(pricingTier: tier, takerRate: taker, makerRate: maker)
    }

    public static func keyPermissions(_ bytes: some ContiguousBytes) throws(WireParseError) -> CoinbaseKeyPermissions {
        var view = false, trade: Bool?, transfer = false, portfolio = ""
        try object(bytes, message: "key permissions") { (reader, key) throws(WireParseError) in
            switch key {
            case "can_view": view = try reader.bool("can_view")
            case "can_trade": trade = try reader.bool("can_trade")
            case "can_transfer": transfer = try reader.bool("can_transfer")
            case "portfolio_uuid": portfolio = try reader.okxTextOrNil("portfolio_uuid") ?? ""
            default: try reader.skipValue(key)
            }
        }
        guard let trade else {
            throw WireParseError(venue: venue, message: "key permissions", field: "can_trade", offset: 0, problem: "missing")
        }
        return CoinbaseKeyPermissions(canView: view, canTrade: trade, canTransfer: transfer, portfolioId: portfolio)
    }

    /// `GET /time`: `{"iso", "epochSeconds", "epochMillis"}`; milliseconds when given, else the ISO text.
    public static func serverTime(_ bytes: some ContiguousBytes) throws(WireParseError) -> Timestamp {
        var millis: Timestamp?, iso: Timestamp?, seconds: Timestamp?
        try object(bytes, message: "server time") { (reader, key) throws(WireParseError) in
            switch key {
            case "epochMillis": millis = try reader.okxMilliseconds("epochMillis")
            case "epochSeconds":
                let text = try reader.okxText("epochSeconds")
                guard let value = Int64(text), (0...9_000_000_000).contains(value) else {
                    throw reader.failure("epochSeconds", "\"\(text)\" is not Unix seconds in range")
                }
                seconds = Timestamp(nanoseconds: value * 1_000_000_000)
            case "iso": iso = try reader.coinbaseTime("iso")
            default: try reader.skipValue(key)
            }
        }
        guard let time = millis ?? iso ?? seconds else {
            throw WireParseError(venue: venue, message: "server time", field: "epochMillis", offset: 0, problem: "missing")
        }
        return time
    }

    // MARK: Elements

    static func order(_ reader: inout WireReader) throws(WireParseError) -> CoinbaseOrder {
        try reader.openObject("order")
        var orderId: String?, productId: String?, clientOrderId = "", side: Side?, status: String?, timeInForce = ""
        var created: Timestamp?, lastFill: Timestamp?, filled: FixedDecimal?, value: FixedDecimal?, average: FixedDecimal?
        var fees: FixedDecimal?, count: Int?, rejectReason: String?, rejectMessage: String?, cancelMessage: String?
        var baseSize: FixedDecimal?
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "order_id": orderId = try reader.okxTextOrNil("order_id")
            case "product_id": productId = try reader.okxTextOrNil("product_id")
            case "client_order_id": clientOrderId = try reader.okxTextOrNil("client_order_id") ?? ""
            case "side": side = try reader.coinbaseSide("side")
            case "status": status = try reader.okxTextOrNil("status")
            case "time_in_force": timeInForce = try reader.okxTextOrNil("time_in_force") ?? ""
            case "created_time": created = try reader.coinbaseTime("created_time")
            case "last_fill_time": lastFill = try reader.coinbaseTime("last_fill_time")
            case "filled_size": filled = try reader.okxAmount("filled_size")
            case "filled_value": value = try reader.okxAmount("filled_value")
            case "average_filled_price": average = try reader.coinbaseQuotient("average_filled_price")
            case "total_fees": fees = try reader.okxAmount("total_fees")
            case "number_of_fills":
                let text = try reader.okxTextOrNil("number_of_fills") ?? ""
                count = Int(text)
            case "reject_reason": rejectReason = try reader.okxTextOrNil("reject_reason")
            case "reject_message": rejectMessage = try reader.okxTextOrNil("reject_message")
            case "cancel_message": cancelMessage = try reader.okxTextOrNil("cancel_message")
            case "order_configuration": baseSize = try reader.coinbaseBaseSize()
            default: try reader.skipValue(key)
            }
        }
        guard let orderId, !orderId.isEmpty else { throw reader.missing("order_id") }
        guard let productId, !productId.isEmpty else { throw reader.missing("product_id") }
        guard let side else { throw reader.missing("side") }
        guard let status, !status.isEmpty else { throw reader.missing("status") }
        func meaningful(_ text: String?) -> String? {
            guard let text, !text.isEmpty, !text.hasSuffix("_UNSPECIFIED") else { return nil }
            return text
        }
        return CoinbaseOrder(orderId: orderId, productId: productId, clientOrderId: clientOrderId, side: side, status: status,
                             timeInForce: timeInForce, createdTime: created ?? .zero, lastFillTime: lastFill,
                             filledSize: filled ?? .zero, filledValue: value, averageFilledPrice: average, totalFees: fees,
                             numberOfFills: count, rejectReason: meaningful(rejectReason), rejectMessage: meaningful(rejectMessage),
                             cancelMessage: meaningful(cancelMessage), baseSize: baseSize)
    }

    static func fill(_ reader: inout WireReader) throws(WireParseError) -> CoinbaseFill {
        try reader.openObject("fills")
        var entryId = "", tradeId: String?, orderId: String?, productId = "", price: FixedDecimal?, size: FixedDecimal?
        var commission: FixedDecimal?, inQuote = false, side: Side?, liquidity: String?, time: Timestamp?
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "entry_id": entryId = try reader.okxTextOrNil("entry_id") ?? ""
            case "trade_id": tradeId = try reader.okxTextOrNil("trade_id")
            case "order_id": orderId = try reader.okxTextOrNil("order_id")
            case "product_id": productId = try reader.okxTextOrNil("product_id") ?? ""
            case "price": price = try reader.okxAmount("price")
            case "size": size = try reader.okxAmount("size")
            case "commission": commission = try reader.okxAmount("commission")
            case "size_in_quote":
                reader.scanner.skipWhitespace()
                if !reader.null() { inQuote = try reader.bool("size_in_quote") }
            case "side": side = try reader.coinbaseSide("side")
            case "liquidity_indicator": liquidity = try reader.okxTextOrNil("liquidity_indicator")
            case "trade_time": time = try reader.coinbaseTime("trade_time") ?? time
            default: try reader.skipValue(key)
            }
        }
        guard let tradeId, !tradeId.isEmpty else { throw reader.missing("trade_id") }
        guard let orderId, !orderId.isEmpty else { throw reader.missing("order_id") }
        guard let price, price.isPositive else { throw reader.failure("price", "a fill needs a positive price") }
        guard let size, size.isPositive else { throw reader.failure("size", "a fill needs a positive size") }
        guard price.multipliedIfInRange(by: size) != nil else { throw reader.failure("price", "price × size is out of range") }
        if inQuote, (CoinbaseFill.quotient(size, price) ?? .zero).isZero {
            throw reader.failure("size", "a size in quote that is no base quantity in range")
        }
        return CoinbaseFill(entryId: entryId, tradeId: tradeId, orderId: orderId, productId: productId, price: price, size: size,
                            commission: commission ?? .zero, sizeInQuote: inQuote, side: side, liquidity: liquidity,
                            time: time ?? .zero)
    }

    static func account(_ reader: inout WireReader) throws(WireParseError) -> CoinbaseAccount {
        try reader.openObject("accounts")
        var currency: String?, available: FixedDecimal?, hold: FixedDecimal?
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "currency": currency = try reader.okxTextOrNil("currency")
            case "available_balance": available = try reader.coinbaseMoney("available_balance")
            case "hold": hold = try reader.coinbaseMoney("hold")
            default: try reader.skipValue(key)
            }
        }
        guard let currency, !currency.isEmpty else { throw reader.missing("currency") }
        guard let available else { throw reader.missing("available_balance") }
        let held = hold ?? .zero
        guard available.addingIfInRange(held) != nil else { throw reader.failure("hold", "available + hold is out of range") }
        return CoinbaseAccount(currency: Asset(currency), available: available, hold: held)
    }

    /// Available plus hold per currency, what the account holds; nil where a sum leaves FixedDecimal's range.
    public static func totals(_ accounts: [CoinbaseAccount]) -> [Asset: FixedDecimal]? {
        var totals: [Asset: FixedDecimal] = [:]
        for account in accounts {
            guard let total = totals[account.currency, default: .zero].addingIfInRange(account.available)?
                .addingIfInRange(account.hold) else { return nil }
            totals[account.currency] = total
        }
        return totals
    }
}
