import DexterCore
import DexterVenues
import Foundation

/// Order statuses (enums.md). PENDING_CANCEL is documented as unused.
public enum BinanceOrderStatus: String, Sendable, Hashable {
    case new = "NEW", pendingNew = "PENDING_NEW", partiallyFilled = "PARTIALLY_FILLED", filled = "FILLED"
    case canceled = "CANCELED", pendingCancel = "PENDING_CANCEL", rejected = "REJECTED", expired = "EXPIRED"
    case expiredInMatch = "EXPIRED_IN_MATCH"

    /// Whether the order can still trade.
    public var isOpen: Bool { self == .new || self == .pendingNew || self == .partiallyFilled || self == .pendingCancel }
}

/// One trade in a FULL placement answer.
public struct BinanceOrderFill: Sendable, Hashable {
    public let tradeId: Int64
    public let price: FixedDecimal
    public let quantity: FixedDecimal
    public let commission: FixedDecimal
    public let commissionAsset: String
}

/// An order as the REST API (and the WebSocket API's `result`) describes it: `POST /api/v3/order` in ACK, RESULT or
/// FULL form, `GET /api/v3/order`, `DELETE /api/v3/order`, each element of `GET /api/v3/openOrders`.
public struct BinanceOrder: Sendable, Hashable {
    public let symbol: String
    public let orderId: Int64
    /// The id this answer is about: the order's own, or on a cancel the cancel request's (`newClientOrderId`).
    public let clientOrderId: String
    /// On a cancel: the canceled order's client id.
    public let origClientOrderId: String?
    public let transactTime: Timestamp?
    public let updateTime: Timestamp?
    public let price: FixedDecimal?
    public let originalQuantity: FixedDecimal?
    public let executedQuantity: FixedDecimal?
    /// Σ price × quantity of the fills so far, as Binance sums them (its spelling: `cummulativeQuoteQty`).
    public let cumulativeQuoteQuantity: FixedDecimal?
    /// Nil in an ACK, which says only that the order was taken.
    public let status: BinanceOrderStatus?
    public let timeInForce: String?
    public let type: String?
    public let side: Side?
    public let fills: [BinanceOrderFill]

    /// dexter's client order id: on a cancel answer, the canceled order's.
    public var dexterClientOrderId: String {
        if let origClientOrderId, !origClientOrderId.isEmpty { return origClientOrderId }
        return clientOrderId
    }

    var time: Timestamp { updateTime ?? transactTime ?? .zero }
}

extension BinanceTrading {
    public static func order(_ bytes: some ContiguousBytes) throws(WireParseError) -> BinanceOrder {
        try WireReader.read(bytes, venue: venue, message: "order response") { reader throws(WireParseError) in
            try order(&reader)
        }
    }

    /// `GET /api/v3/openOrders`: an array of orders.
    public static func orders(_ bytes: some ContiguousBytes) throws(WireParseError) -> [BinanceOrder] {
        try WireReader.read(bytes, venue: venue, message: "order list") { reader throws(WireParseError) in
            reader.scanner.skipWhitespace()
            try reader.openArray("orders")
            var orders: [BinanceOrder] = []
            var first = true
            while try reader.nextElement(&first, "orders") { orders.append(try order(&reader)) }
            return orders
        }
    }

    static func order(_ reader: inout WireReader) throws(WireParseError) -> BinanceOrder {
        try reader.openObject()
        var symbol: String?, orderId: Int64?, clientOrderId: String?, origClientOrderId: String?
        var transactTime: Timestamp?, updateTime: Timestamp?, price: FixedDecimal?, originalQuantity: FixedDecimal?
        var executed: FixedDecimal?, cumulativeQuote: FixedDecimal?, status: BinanceOrderStatus?
        var timeInForce: String?, type: String?, side: Side?, fills: [BinanceOrderFill] = []
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "symbol": symbol = try reader.string("symbol")
            case "orderId": orderId = try reader.integer("orderId")
            case "clientOrderId": clientOrderId = try reader.string("clientOrderId")
            case "origClientOrderId": origClientOrderId = try reader.string("origClientOrderId")
            case "transactTime": transactTime = try reader.milliseconds("transactTime")
            case "updateTime": updateTime = try reader.milliseconds("updateTime")
            case "price": price = try reader.amount("price")
            case "origQty": originalQuantity = try reader.amount("origQty")
            case "executedQty": executed = try reader.amount("executedQty")
            case "cummulativeQuoteQty": cumulativeQuote = try reader.amount("cummulativeQuoteQty")
            case "status": status = try orderStatus(&reader, "status")
            case "timeInForce": timeInForce = try reader.string("timeInForce")
            case "type": type = try reader.string("type")
            case "side": side = try self.side(&reader, "side")
            case "fills": fills = try orderFills(&reader)
            default: try reader.skipValue(key)
            }
        }
        guard let symbol else { throw reader.missing("symbol") }
        guard let orderId else { throw reader.missing("orderId") }
        guard let clientOrderId else { throw reader.missing("clientOrderId") }
        return BinanceOrder(symbol: symbol, orderId: orderId, clientOrderId: clientOrderId,
                            origClientOrderId: origClientOrderId, transactTime: transactTime, updateTime: updateTime,
                            price: price, originalQuantity: originalQuantity, executedQuantity: executed,
                            cumulativeQuoteQuantity: cumulativeQuote, status: status, timeInForce: timeInForce, type: type,
                            side: side, fills: fills)
    }

    static func orderFills(_ reader: inout WireReader) throws(WireParseError) -> [BinanceOrderFill] {
        try reader.openArray("fills")
        var fills: [BinanceOrderFill] = []
        // Σ commission + commission × price: the most the fee summed in the quote asset (`executionReport`) reaches.
        var feeBound = FixedDecimal.zero
        var first = true
        while try reader.nextElement(&first, "fills") {
            try reader.openObject("fills")
            var tradeId: Int64?, price: FixedDecimal?, quantity: FixedDecimal?, commission: FixedDecimal?
            var commissionAsset: String?
            var firstKey = true
            while let key = try reader.nextKey(&firstKey) {
                switch key {
                case "tradeId": tradeId = try reader.integer("tradeId")
                case "price": price = try reader.amount("price")
                case "qty": quantity = try reader.amount("qty")
                case "commission": commission = try reader.amount("commission")
                case "commissionAsset": commissionAsset = try reader.string("commissionAsset")
                default: try reader.skipValue(key)
                }
            }
            guard let tradeId else { throw reader.missing("tradeId") }
            guard let price else { throw reader.missing("price") }
            guard let quantity, quantity.isPositive else { throw reader.failure("qty", "a fill needs a positive qty") }
            guard let commission else { throw reader.missing("commission") }
            guard let commissionAsset else { throw reader.missing("commissionAsset") }
            // What the seam computes from the fills must not trap: each notional, and the fees summed.
            guard price.multipliedIfInRange(by: quantity) != nil, let value = commission.multipliedIfInRange(by: price),
                  let bound = feeBound.addingIfInRange(commission)?.addingIfInRange(value) else {
                throw reader.failure("fills", "a fill's price × qty or commission is out of range")
            }
            feeBound = bound
            fills.append(BinanceOrderFill(tradeId: tradeId, price: price, quantity: quantity, commission: commission,
                                          commissionAsset: commissionAsset))
        }
        return fills
    }

    static func orderStatus(_ reader: inout WireReader, _ field: StaticString) throws(WireParseError) -> BinanceOrderStatus {
        let text = try reader.string(field)
        guard let status = BinanceOrderStatus(rawValue: text) else {
            throw reader.failure("\(field)", "unknown order status \"\(text)\"")
        }
        return status
    }

    static func side(_ reader: inout WireReader, _ field: StaticString) throws(WireParseError) -> Side {
        switch try reader.string(field) {
        case "BUY": return .buy
        case "SELL": return .sell
        case let other: throw reader.failure("\(field)", "unknown side \"\(other)\"")
        }
    }
}

// MARK: - Into the venue seam

extension BinanceOrder {
    /// What a placement or cancel answer says happened, as the seam's updates: accepted under Binance's order id, each
    /// trade of a FULL answer, then how it ended. A RESULT answer carries no trade ids: its fills come on the user
    /// data stream (`executionReport`), so none are made up here.
    public func orderUpdates(venue: VenueId) -> [OrderUpdate] {
        let id = dexterClientOrderId
        func update(_ kind: OrderUpdate.Kind) -> OrderUpdate {
            OrderUpdate(clientOrderId: id, venue: venue, kind: kind, at: time)
        }
        if status == .rejected {
            return [update(.rejected(BinanceErrors.rejection(reason: "REJECTED")))]
        }
        var updates = [update(.accepted(venueOrderId: String(orderId)))]
        for fill in fills {
            updates.append(update(.fill(Fill(tradeId: String(fill.tradeId), quantity: fill.quantity,
                                             notional: fill.price * fill.quantity, fee: fill.commission,
                                             feeAsset: Asset(fill.commissionAsset)))))
        }
        switch status {
        case .canceled: updates.append(update(.canceled(reason: nil)))
        case .expired: updates.append(update(.expired(reason: "nothing (left) to fill within the limit")))
        case .expiredInMatch: updates.append(update(.expired(reason: "expired by self-trade prevention")))
        default: break
        }
        return updates
    }

    /// The order's outcome so far, as a query by client id answers it; nil for an ACK, which does not say.
    /// `fee` is the commission in the quote asset, `baseFee` in the base asset (a buy's, on Binance); one in a third
    /// asset (BNB) is in neither — the fills carry it.
    public func executionReport(symbol: Symbol, venue: VenueId) -> ExecutionReport? {
        guard let status, let side else { return nil }
        let executed = executedQuantity ?? .zero
        let reportStatus: ExecutionReport.Status
        var reason: String?
        switch status {
        case .new, .pendingNew, .partiallyFilled, .pendingCancel: reportStatus = .working
        case .filled: reportStatus = .filled
        case .canceled: reportStatus = executed.isPositive ? .partiallyFilled : .canceled
        case .expired, .expiredInMatch:
            reportStatus = executed.isPositive ? .partiallyFilled : .expired
            if !executed.isPositive { reason = "nothing to fill within the limit" }
        case .rejected: reportStatus = .rejected; reason = "rejected by Binance"
        }
        var fee = FixedDecimal.zero, baseFee = FixedDecimal.zero
        for fill in fills {
            if Asset(fill.commissionAsset) == symbol.quote { fee += fill.commission }
            if Asset(fill.commissionAsset) == symbol.base { baseFee += fill.commission }
        }
        return ExecutionReport(clientOrderId: dexterClientOrderId, venue: venue, symbol: symbol, side: side,
                               status: reportStatus, reason: reason, filledQuantity: executed,
                               notional: cumulativeQuoteQuantity ?? .zero, fee: fee, gas: .zero, gasToken: nil,
                               executedAt: time,
                               failure: status == .rejected ? BinanceErrors.rejection(reason: "REJECTED") : nil,
                               baseFee: baseFee)
    }
}
