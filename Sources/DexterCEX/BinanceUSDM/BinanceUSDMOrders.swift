import DexterCore
import DexterVenues
import Foundation

/// The parsers of Binance USDⓈ-M's trading messages (orders, trades, user data, account), and its symbols: a linear
/// USDT-margined perpetual `BTCUSDT` is dexter's `BTC/USDT:USDT`.
public enum BinanceUSDMTrading {
    static let venue = "binance-usdm"

    /// `BTC/USDT:USDT` → `BTCUSDT`.
    public static func venueName(_ symbol: Symbol) -> String { symbol.base.code + symbol.quote.code }

    /// `BTCUSDT` → `BTC/USDT:USDT`: one of `known` by its venue name, else a name ending in a margin asset this
    /// venue settles in (USDT, USDC), margined in it; nil otherwise.
    public static func symbol(_ venueName: String, known: [Symbol] = []) -> Symbol? {
        if let symbol = known.first(where: { Self.venueName($0) == venueName }) { return symbol }
        for quote in ["USDT", "USDC"] where venueName.hasSuffix(quote) && venueName.count > quote.count {
            let asset = Asset(quote)
            return Symbol(base: Asset(String(venueName.dropLast(quote.count))), quote: asset, settle: asset)
        }
        return nil
    }
}

/// An order as `POST/GET/DELETE /fapi/v1/order` and `openOrders` describe it.
public struct BinanceUSDMOrder: Sendable, Hashable {
    public let symbol: String
    public let orderId: Int64
    /// Binance's form of the client id (`BinanceUSDMClientOrderId`).
    public let clientOrderId: String
    /// NEW, PARTIALLY_FILLED, FILLED, CANCELED, EXPIRED, EXPIRED_IN_MATCH.
    public let status: String
    public let side: Side
    public let price: FixedDecimal
    public let originalQuantity: FixedDecimal
    public let executedQuantity: FixedDecimal
    /// Σ price × quantity of the fills so far.
    public let cumulativeQuote: FixedDecimal
    public let reduceOnly: Bool
    public let positionSide: String
    public let updateTime: Timestamp

    public var dexterClientOrderId: String { BinanceUSDMClientOrderId.decode(clientOrderId) }
    public var isOpen: Bool { status == "NEW" || status == "PARTIALLY_FILLED" }
}

/// One of the account's trades (`GET /fapi/v1/userTrades`): a fill under Binance's trade id, its commission in USDT.
public struct BinanceUSDMTrade: Sendable, Hashable {
    public let id: Int64
    public let orderId: Int64
    public let price: FixedDecimal
    public let quantity: FixedDecimal
    public let quoteQuantity: FixedDecimal
    public let commission: FixedDecimal
    public let commissionAsset: String
    public let realizedPnl: FixedDecimal
    public let time: Timestamp

    public var fill: Fill {
        Fill(tradeId: String(id), quantity: quantity, notional: quoteQuantity, fee: commission, feeAsset: Asset(commissionAsset))
    }
}

extension BinanceUSDMTrading {
    public static func order(_ bytes: some ContiguousBytes) throws(WireParseError) -> BinanceUSDMOrder {
        try WireReader.read(bytes, venue: venue, message: "order response") { reader throws(WireParseError) in
            try order(&reader)
        }
    }

    public static func orders(_ bytes: some ContiguousBytes) throws(WireParseError) -> [BinanceUSDMOrder] {
        try WireReader.read(bytes, venue: venue, message: "order list") { reader throws(WireParseError) in
            reader.scanner.skipWhitespace()
            try reader.openArray("orders")
            var orders: [BinanceUSDMOrder] = []
            var first = true
            while try reader.nextElement(&first, "orders") { orders.append(try order(&reader)) }
            return orders
        }
    }

    static func order(_ reader: inout WireReader) throws(WireParseError) -> BinanceUSDMOrder {
        try reader.openObject("order")
        var symbol: String?, orderId: Int64?, clientOrderId: String?, status: String?, side: Side?
        var price: FixedDecimal?, original: FixedDecimal?, executed: FixedDecimal?, cumQuote: FixedDecimal?
        var reduceOnly = false, positionSide = "BOTH", updateTime: Timestamp?
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "symbol": symbol = try reader.string("symbol")
            case "orderId": orderId = try reader.integer("orderId")
            case "clientOrderId": clientOrderId = try reader.string("clientOrderId")
            case "status": status = try reader.string("status")
            case "side": side = try BinanceTrading.side(&reader, "side")
            case "price": price = try reader.amount("price")
            case "origQty": original = try reader.amount("origQty")
            case "executedQty": executed = try reader.amount("executedQty")
            case "cumQuote": cumQuote = try reader.amount("cumQuote")
            case "reduceOnly": reduceOnly = try reader.bool("reduceOnly")
            case "positionSide": positionSide = try reader.string("positionSide")
            case "updateTime": updateTime = try reader.milliseconds("updateTime")
            default: try reader.skipValue(key)
            }
        }
        guard let symbol else { throw reader.missing("symbol") }
        guard let orderId else { throw reader.missing("orderId") }
        guard let clientOrderId else { throw reader.missing("clientOrderId") }
        guard let status else { throw reader.missing("status") }
        guard let side else { throw reader.missing("side") }
        guard let original else { throw reader.missing("origQty") }
        guard let executed, executed <= original else { throw reader.failure("executedQty", "missing or above origQty") }
        return BinanceUSDMOrder(symbol: symbol, orderId: orderId, clientOrderId: clientOrderId, status: status, side: side,
                                price: price ?? .zero, originalQuantity: original, executedQuantity: executed,
                                cumulativeQuote: cumQuote ?? .zero, reduceOnly: reduceOnly, positionSide: positionSide,
                                updateTime: updateTime ?? .zero)
    }

    /// `GET /fapi/v1/userTrades`.
    public static func trades(_ bytes: some ContiguousBytes) throws(WireParseError) -> [BinanceUSDMTrade] {
        try WireReader.read(bytes, venue: venue, message: "trade list") { reader throws(WireParseError) in
            reader.scanner.skipWhitespace()
            try reader.openArray("trades")
            var trades: [BinanceUSDMTrade] = []
            var first = true
            while try reader.nextElement(&first, "trades") {
                try reader.openObject("trades")
                var id: Int64?, orderId: Int64?, price: FixedDecimal?, quantity: FixedDecimal?, quote: FixedDecimal?
                var commission: FixedDecimal?, asset: String?, realized: FixedDecimal = .zero, time: Timestamp?
                var firstKey = true
                while let key = try reader.nextKey(&firstKey) {
                    switch key {
                    case "id": id = try reader.integer("id")
                    case "orderId": orderId = try reader.integer("orderId")
                    case "price": price = try reader.amount("price")
                    case "qty": quantity = try reader.amount("qty")
                    case "quoteQty": quote = try reader.amount("quoteQty")
                    case "commission": commission = try reader.decimal("commission")
                    case "commissionAsset": asset = try reader.string("commissionAsset")
                    case "realizedPnl": realized = try reader.decimal("realizedPnl")
                    case "time": time = try reader.milliseconds("time")
                    default: try reader.skipValue(key)
                    }
                }
                guard let id else { throw reader.missing("id") }
                guard let orderId else { throw reader.missing("orderId") }
                guard let price else { throw reader.missing("price") }
                guard let quantity, quantity.isPositive else { throw reader.failure("qty", "a trade needs a positive qty") }
                guard let commission else { throw reader.missing("commission") }
                guard let asset, !asset.isEmpty else { throw reader.missing("commissionAsset") }
                guard let time else { throw reader.missing("time") }
                // quoteQty is Binance's; without it price × qty, refused where it leaves the range.
                guard let notional = quote ?? price.multipliedIfInRange(by: quantity) else {
                    throw reader.failure("qty", "price × qty is out of range")
                }
                trades.append(BinanceUSDMTrade(id: id, orderId: orderId, price: price, quantity: quantity,
                                               quoteQuantity: notional, commission: commission, commissionAsset: asset,
                                               realizedPnl: realized, time: time))
            }
            return trades
        }
    }
}

extension BinanceUSDMOrder {
    /// The order's outcome so far as a query answers it; `trades` (userTrades of this order), when given, make the
    /// fee exact (the order object carries none).
    public func executionReport(symbol: Symbol, venue: VenueId, trades: [BinanceUSDMTrade] = []) -> ExecutionReport {
        let reportStatus: ExecutionReport.Status
        var reason: String?
        switch status {
        case "FILLED": reportStatus = .filled
        case "CANCELED": reportStatus = executedQuantity.isPositive ? .partiallyFilled : .canceled
        case "EXPIRED", "EXPIRED_IN_MATCH":
            reportStatus = executedQuantity.isPositive ? .partiallyFilled : .expired
            if !executedQuantity.isPositive { reason = "nothing to fill within the limit" }
        case "REJECTED": reportStatus = .rejected; reason = "rejected by Binance"
        default: reportStatus = .working
        }
        var fee = FixedDecimal.zero
        for trade in trades where trade.orderId == orderId && Asset(trade.commissionAsset) == symbol.quote {
            fee = fee.addingIfInRange(trade.commission) ?? fee
        }
        return ExecutionReport(clientOrderId: dexterClientOrderId, venue: venue, symbol: symbol, side: side,
                               status: reportStatus, reason: reason, filledQuantity: executedQuantity,
                               notional: cumulativeQuote, fee: fee, gas: .zero, gasToken: nil, executedAt: updateTime)
    }

    /// How the order ended, as the seam says it; nil while it is open (or it filled: the fills say it).
    var endKind: OrderUpdate.Kind? {
        switch status {
        case "CANCELED": .canceled(reason: nil)
        case "EXPIRED": .expired(reason: executedQuantity.isPositive ? "the rest expired unfilled" : "nothing to fill within the limit")
        case "EXPIRED_IN_MATCH": .expired(reason: "expired by self-trade prevention")
        case "REJECTED": .rejected(ExecutionFailure(code: "order_rejected", failureClass: .rejected,
                                                    reason: "Binance's matching engine rejected the order"))
        default: nil
        }
    }
}
