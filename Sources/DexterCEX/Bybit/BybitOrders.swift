import DexterCore
import DexterVenues
import Foundation

/// One order as Bybit describes it (`/v5/order/realtime`, `/v5/order/history`, the `order` topic).
public struct BybitOrder: Sendable, Hashable {
    public let orderId: String
    public let orderLinkId: String
    public let symbol: String
    public let side: Side
    /// `New`, `PartiallyFilled`, `Untriggered`, `Filled`, `Cancelled`, `Rejected`, `Deactivated`, …
    public let status: String
    public let cancelType: String
    public let rejectReason: String
    public let quantity: FixedDecimal
    public let cumExecQty: FixedDecimal
    public let cumExecValue: FixedDecimal
    public let cumExecFee: FixedDecimal
    public let reduceOnly: Bool
    public let updated: Timestamp

    public var isOpen: Bool { ["New", "PartiallyFilled", "Untriggered"].contains(status) }

    /// How a done order ended besides its fills; nil while open or when it filled entirely (its fills are its end).
    /// In derivatives an IOC's unfilled rest is `Cancelled` (with fills or without): nothing filled and no one
    /// canceled it means nothing was there at the limit (expired).
    public var endKind: OrderUpdate.Kind? {
        switch status {
        case "Filled": return nil
        // (A `where` binds to one pattern only: each carries its own.)
        case "Rejected" where cumExecQty.isPositive, "Deactivated" where cumExecQty.isPositive:
            // Refused after part of it filled (nautilus records one, INSUFFICIENT_MARGIN): its fills stand, its rest
            // ended.
            return .canceled(reason: rejectReason)
        case "Rejected", "Deactivated":
            return .rejected(ExecutionFailure(code: "rejected", failureClass: .rejected,
                                              reason: "Bybit rejected order \(orderLinkId) (\(rejectReason))",
                                              venueMessage: rejectReason))
        case "Cancelled", "PartiallyFilledCanceled":
            let reason = cancelType == "UNKNOWN" || cancelType.isEmpty ? rejectReason : cancelType
            if cumExecQty.isZero, cancelType != "CancelByUser" { return .expired(reason: reason) }
            return .canceled(reason: reason)
        default: return nil
        }
    }

    /// The order's outcome; notional and fee from its executions when they cover what it filled (each exact as
    /// Bybit reported it), else from the order's own cumulative figures.
    public func executionReport(symbol dexterSymbol: Symbol, venue: VenueId, executions: [BybitExecutionRow]) -> ExecutionReport {
        let own = executions.filter { $0.orderId == orderId && $0.isFill }
        // Sums that leave FixedDecimal's range (only hostile bytes could) fall back to the order's own figures.
        func sum(_ field: KeyPath<BybitExecutionRow, FixedDecimal>) -> FixedDecimal? {
            own.reduce(FixedDecimal.zero as FixedDecimal?) { total, row in total?.addingIfInRange(row[keyPath: field]) }
        }
        let covered = sum(\.quantity) == cumExecQty
        let notional = covered ? sum(\.value) ?? cumExecValue : cumExecValue
        let fee = covered ? sum(\.fee) ?? cumExecFee : cumExecFee
        let status: ExecutionReport.Status
        var failure: ExecutionFailure?
        switch endKind {
        case nil where isOpen: status = .working
        case nil: status = .filled
        case .rejected(let refused)?: status = .rejected; failure = refused
        case .expired?: status = .expired
        default: status = cumExecQty.isPositive ? .partiallyFilled : .canceled
        }
        return ExecutionReport(clientOrderId: orderLinkId, venue: venue, symbol: dexterSymbol, side: side, status: status,
                               reason: cumExecQty.isPositive ? nil : (status == .working ? nil : rejectReason),
                               filledQuantity: cumExecQty, notional: notional, fee: fee, gas: .zero, gasToken: nil,
                               executedAt: updated, failure: failure)
    }
}

/// One row of `/v5/position/list`: size absolute, its side `Buy`/`Sell` (`""` flat), `positionIdx` 0 in one-way mode.
public struct BybitPosition: Sendable, Hashable {
    public let symbol: String
    public let positionIdx: Int
    /// Signed: positive long.
    public let size: FixedDecimal
    public let entryPrice: FixedDecimal
    public let markPrice: FixedDecimal
    public let liquidationPrice: FixedDecimal?
}

/// `/v5/account/wallet-balance?accountType=UNIFIED`'s first account: totals (USD) and each coin's wallet balance.
public struct BybitWallet: Sendable, Hashable {
    public let totalMarginBalance: FixedDecimal
    public let totalMaintenanceMargin: FixedDecimal
    public let totalAvailableBalance: FixedDecimal
    public let walletBalances: [Asset: FixedDecimal]
}

extension BybitTrading {
    /// `order/realtime` and `order/history`'s result: `{"list": [orders], …}`.
    public static func orderList(_ result: [UInt8]) throws(WireParseError) -> [BybitOrder] {
        try WireReader.read(result, venue: venue, message: "order list") { reader throws(WireParseError) in
            try reader.openObject("result")
            var rows: [BybitOrder] = []
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "list": rows = try orderRows(&reader)
                default: try reader.skipValue(key)
                }
            }
            return rows
        }
    }

    static func orderRows(_ reader: inout WireReader) throws(WireParseError) -> [BybitOrder] {
        try reader.openArray("list")
        var rows: [BybitOrder] = []
        var element = true
        while try reader.nextElement(&element, "list") { rows.append(try order(&reader)) }
        return rows
    }

    static func order(_ reader: inout WireReader) throws(WireParseError) -> BybitOrder {
        try reader.openObject("list")
        var id: String?, link = "", symbol: String?, side: Side?, status: String?, cancelType = "", rejectReason = ""
        var qty = FixedDecimal.zero, cumQty = FixedDecimal.zero, cumValue = FixedDecimal.zero, cumFee = FixedDecimal.zero
        var reduceOnly = false, updated: Timestamp?
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "orderId": id = try reader.string("orderId")
            case "orderLinkId": link = try reader.string("orderLinkId")
            case "symbol": symbol = try reader.string("symbol")
            case "side": side = try self.side(&reader)
            case "orderStatus": status = try reader.string("orderStatus")
            case "cancelType": cancelType = try reader.string("cancelType")
            case "rejectReason": rejectReason = try reader.string("rejectReason")
            case "qty": qty = try BybitMarketData.optionalAmount(&reader, "qty") ?? .zero
            case "cumExecQty": cumQty = try BybitMarketData.optionalAmount(&reader, "cumExecQty") ?? .zero
            case "cumExecValue": cumValue = try BybitMarketData.optionalAmount(&reader, "cumExecValue") ?? .zero
            case "cumExecFee": cumFee = try BybitMarketData.optionalDecimal(&reader, "cumExecFee") ?? .zero
            case "reduceOnly": reduceOnly = try reader.bool("reduceOnly")
            case "updatedTime": updated = try BybitMarketData.optionalMilliseconds(&reader, "updatedTime")
            default: try reader.skipValue(key)
            }
        }
        guard let id, !id.isEmpty else { throw reader.missing("orderId") }
        guard let symbol else { throw reader.missing("symbol") }
        guard let side else { throw reader.failure("side", "order \(id) has no side") }
        guard let status else { throw reader.missing("orderStatus") }
        guard let updated else { throw reader.missing("updatedTime") }
        return BybitOrder(orderId: id, orderLinkId: link, symbol: symbol, side: side, status: status, cancelType: cancelType,
                          rejectReason: rejectReason, quantity: qty, cumExecQty: cumQty, cumExecValue: cumValue,
                          cumExecFee: cumFee, reduceOnly: reduceOnly, updated: updated)
    }

    static func side(_ reader: inout WireReader) throws(WireParseError) -> Side? {
        switch try reader.string("side") {
        case "Buy": return .buy
        case "Sell": return .sell
        case "": return nil
        case let other: throw reader.failure("side", "\"\(other)\" is neither Buy nor Sell")
        }
    }

    /// `position/list`'s result.
    public static func positions(_ result: [UInt8]) throws(WireParseError) -> [BybitPosition] {
        try WireReader.read(result, venue: venue, message: "position/list") { reader throws(WireParseError) in
            try reader.openObject("result")
            var rows: [BybitPosition] = []
            var first = true
            while let key = try reader.nextKey(&first) {
                guard "list" ~= key else { try reader.skipValue(key); continue }
                try reader.openArray("list")
                var element = true
                while try reader.nextElement(&element, "list") { rows.append(try position(&reader)) }
            }
            return rows
        }
    }

    static func position(_ reader: inout WireReader) throws(WireParseError) -> BybitPosition {
        try reader.openObject("list")
        var symbol: String?, index = 0, side: Side?, size = FixedDecimal.zero
        var entry = FixedDecimal.zero, mark = FixedDecimal.zero, liquidation: FixedDecimal?
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "symbol": symbol = try reader.string("symbol")
            case "positionIdx": index = Int(clamping: try reader.integer("positionIdx"))
            case "side": side = try self.side(&reader)
            case "size": size = try BybitMarketData.optionalAmount(&reader, "size") ?? .zero
            case "avgPrice", "entryPrice": entry = try BybitMarketData.optionalAmount(&reader, "avgPrice") ?? .zero
            case "markPrice": mark = try BybitMarketData.optionalAmount(&reader, "markPrice") ?? .zero
            case "liqPrice": liquidation = try BybitMarketData.optionalAmount(&reader, "liqPrice")
            default: try reader.skipValue(key)
            }
        }
        guard let symbol else { throw reader.missing("symbol") }
        let signed = side == .sell ? .zero - size : size
        return BybitPosition(symbol: symbol, positionIdx: index, size: signed, entryPrice: entry, markPrice: mark,
                             liquidationPrice: liquidation.flatMap { $0.isZero ? nil : $0 })
    }

    /// `account/wallet-balance`'s result: the first (UNIFIED) account.
    public static func wallet(_ result: [UInt8]) throws(WireParseError) -> BybitWallet {
        try WireReader.read(result, venue: venue, message: "wallet-balance") { reader throws(WireParseError) in
            try reader.openObject("result")
            var wallet: BybitWallet?
            var first = true
            while let key = try reader.nextKey(&first) {
                guard "list" ~= key else { try reader.skipValue(key); continue }
                try reader.openArray("list")
                var element = true
                while try reader.nextElement(&element, "list") {
                    let account = try walletAccount(&reader)
                    if wallet == nil { wallet = account }
                }
            }
            guard let wallet else { throw reader.failure("list", "no UNIFIED account in the answer") }
            return wallet
        }
    }

    static func walletAccount(_ reader: inout WireReader) throws(WireParseError) -> BybitWallet {
        try reader.openObject("list")
        var margin: FixedDecimal?, maintenance = FixedDecimal.zero, available = FixedDecimal.zero
        var balances: [Asset: FixedDecimal] = [:]
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "totalMarginBalance": margin = try BybitMarketData.optionalDecimal(&reader, "totalMarginBalance")
            case "totalMaintenanceMargin":
                maintenance = try BybitMarketData.optionalAmount(&reader, "totalMaintenanceMargin") ?? .zero
            case "totalAvailableBalance":
                available = try BybitMarketData.optionalDecimal(&reader, "totalAvailableBalance") ?? .zero
            case "coin":
                try reader.openArray("coin")
                var element = true
                while try reader.nextElement(&element, "coin") {
                    try reader.openObject("coin")
                    var coin: String?, balance: FixedDecimal?
                    var inner = true
                    while let field = try reader.nextKey(&inner) {
                        switch field {
                        case "coin": coin = try reader.string("coin")
                        case "walletBalance": balance = try BybitMarketData.optionalDecimal(&reader, "walletBalance")
                        default: try reader.skipValue(field)
                        }
                    }
                    guard let coin, !coin.isEmpty else { throw reader.missing("coin") }
                    balances[Asset(coin)] = balance ?? .zero
                }
            default: try reader.skipValue(key)
            }
        }
        guard let margin else { throw reader.missing("totalMarginBalance") }
        return BybitWallet(totalMarginBalance: margin, totalMaintenanceMargin: maintenance,
                           totalAvailableBalance: available, walletBalances: balances)
    }

    /// `account/fee-rate`'s result: the first row's taker rate.
    public static func takerRate(_ result: [UInt8]) throws(WireParseError) -> FixedDecimal {
        try WireReader.read(result, venue: venue, message: "fee-rate") { reader throws(WireParseError) in
            try reader.openObject("result")
            var rate: FixedDecimal?
            var first = true
            while let key = try reader.nextKey(&first) {
                guard "list" ~= key else { try reader.skipValue(key); continue }
                try reader.openArray("list")
                var element = true
                while try reader.nextElement(&element, "list") {
                    try reader.openObject("list")
                    var inner = true
                    while let field = try reader.nextKey(&inner) {
                        if "takerFeeRate" ~= field, rate == nil {
                            rate = try BybitMarketData.optionalDecimal(&reader, "takerFeeRate")
                        } else { try reader.skipValue(field) }
                    }
                }
            }
            guard let rate else { throw reader.failure("list", "no takerFeeRate in the answer") }
            return rate
        }
    }

    /// `market/time`'s result: `timeNano` (or `timeSecond`), as a timestamp.
    public static func serverTime(_ result: [UInt8]) throws(WireParseError) -> Timestamp {
        try WireReader.read(result, venue: venue, message: "market/time") { reader throws(WireParseError) in
            try reader.openObject("result")
            var nanos: Int64?, seconds: Int64?
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "timeNano": nanos = try BybitMarketData.optionalText(&reader, "timeNano").flatMap { Int64($0) }
                case "timeSecond": seconds = try BybitMarketData.optionalText(&reader, "timeSecond").flatMap { Int64($0) }
                default: try reader.skipValue(key)
                }
            }
            if let nanos, nanos > 0 { return Timestamp(nanoseconds: nanos) }
            if let seconds, seconds > 0, seconds < 9_000_000_000 { return Timestamp(nanoseconds: seconds * 1_000_000_000) }
            throw reader.failure("timeNano", "no server time in the answer")
        }
    }
}
