import DexterCore
import Foundation

// The members of each user data event, read after its `e` (user-data-stream.md, "Order Update", "Account Update",
// "Balance Update"). Fields dexter does not use are skipped unread.
extension BinanceTrading {
    static func executionReportBody(_ reader: inout WireReader, isFirst: inout Bool) throws(WireParseError)
        -> BinanceExecutionReport {
        var eventTime: Timestamp?, symbol: String?, clientOrderId: String?, originalClientOrderId: String?
        var side: Side?, orderType: String?, timeInForce: String?, quantity: FixedDecimal?, price: FixedDecimal?
        var executionType: String?, status: BinanceOrderStatus?, rejectReason: String?, orderId: Int64?
        var lastQuantity: FixedDecimal?, lastPrice: FixedDecimal?, lastQuote: FixedDecimal?
        var cumulativeQuantity: FixedDecimal?, cumulativeQuote: FixedDecimal?, commission: FixedDecimal?
        var commissionAsset: String?, transactionTime: Timestamp?, tradeId: Int64?, isMaker = false
        var expiryReason: String?
        while let key = try reader.nextKey(&isFirst) {
            switch key {
            case "E": eventTime = try reader.milliseconds("E")
            case "s": symbol = try reader.string("s")
            case "c": clientOrderId = try reader.string("c")
            case "C": originalClientOrderId = try reader.optionalString("C")
            case "S": side = try self.side(&reader, "S")
            case "o": orderType = try reader.string("o")
            case "f": timeInForce = try reader.string("f")
            case "q": quantity = try reader.amount("q")
            case "p": price = try reader.amount("p")
            case "x": executionType = try reader.string("x")
            case "X": status = try orderStatus(&reader, "X")
            case "r": rejectReason = try reader.string("r")
            case "i": orderId = try reader.integer("i")
            case "l": lastQuantity = try reader.amount("l")
            case "L": lastPrice = try reader.amount("L")
            case "Y": lastQuote = try reader.amount("Y")
            case "z": cumulativeQuantity = try reader.amount("z")
            case "Z": cumulativeQuote = try reader.amount("Z")
            case "n": commission = try reader.amount("n")
            case "N": commissionAsset = try reader.optionalString("N")
            case "T": transactionTime = try reader.milliseconds("T")
            case "t": tradeId = try reader.integer("t")
            case "m": isMaker = try reader.bool("m")
            case "eR": expiryReason = try reader.optionalString("eR")
            default: try reader.skipValue(key)
            }
        }
        guard let eventTime else { throw reader.missing("E") }
        guard let symbol else { throw reader.missing("s") }
        guard let clientOrderId else { throw reader.missing("c") }
        guard let side else { throw reader.missing("S") }
        guard let orderType else { throw reader.missing("o") }
        guard let timeInForce else { throw reader.missing("f") }
        guard let quantity else { throw reader.missing("q") }
        guard let price else { throw reader.missing("p") }
        guard let executionType else { throw reader.missing("x") }
        guard let status else { throw reader.missing("X") }
        guard let orderId else { throw reader.missing("i") }
        guard let lastQuantity else { throw reader.missing("l") }
        guard let lastPrice else { throw reader.missing("L") }
        guard let cumulativeQuantity else { throw reader.missing("z") }
        guard let transactionTime else { throw reader.missing("T") }
        let trade = tradeId.flatMap { $0 >= 0 ? $0 : nil }
        if executionType == "TRADE" {
            // A trade is money: every part of it must be there, or the message is refused rather than half-booked.
            guard lastQuantity.isPositive else { throw reader.failure("l", "a TRADE needs a positive last quantity") }
            guard trade != nil else { throw reader.failure("t", "a TRADE needs its trade id") }
            guard commission != nil else { throw reader.missing("n") }
            guard commissionAsset != nil || commission?.isZero == true else { throw reader.missing("N") }
        }
        // Old messages have no Y: then l × L, refused where it leaves FixedDecimal's range rather than trapped on.
        guard let lastQuote = lastQuote ?? lastQuantity.multipliedIfInRange(by: lastPrice) else {
            throw reader.failure("L", "l × L is out of range")
        }
        return BinanceExecutionReport(
            eventTime: eventTime, symbol: symbol, clientOrderId: clientOrderId,
            originalClientOrderId: originalClientOrderId.flatMap { $0.isEmpty ? nil : $0 }, side: side,
            orderType: orderType, timeInForce: timeInForce, quantity: quantity, price: price,
            executionType: executionType, orderStatus: status, rejectReason: rejectReason ?? "NONE", orderId: orderId,
            lastQuantity: lastQuantity, lastPrice: lastPrice, lastQuoteQuantity: lastQuote,
            cumulativeQuantity: cumulativeQuantity, cumulativeQuoteQuantity: cumulativeQuote ?? .zero,
            commission: commission ?? .zero, commissionAsset: commissionAsset, transactionTime: transactionTime,
            tradeId: trade, isMaker: isMaker, expiryReason: expiryReason)
    }

    static func accountPositionBody(_ reader: inout WireReader, isFirst: inout Bool) throws(WireParseError)
        -> BinanceAccountPosition {
        var eventTime: Timestamp?, updateTime: Timestamp?, balances: [BinanceAccountPosition.Balance]?
        while let key = try reader.nextKey(&isFirst) {
            switch key {
            case "E": eventTime = try reader.milliseconds("E")
            case "u": updateTime = try reader.milliseconds("u")
            case "B":
                try reader.openArray("B")
                var list: [BinanceAccountPosition.Balance] = []
                var first = true
                while try reader.nextElement(&first, "B") {
                    try reader.openObject("B")
                    var asset: String?, free: FixedDecimal?, locked: FixedDecimal?
                    var firstKey = true
                    while let key = try reader.nextKey(&firstKey) {
                        switch key {
                        case "a": asset = try reader.string("a")
                        case "f": free = try reader.amount("f")
                        case "l": locked = try reader.amount("l")
                        default: try reader.skipValue(key)
                        }
                    }
                    guard let asset, !asset.isEmpty else { throw reader.missing("a") }
                    guard let free else { throw reader.missing("f") }
                    guard let locked else { throw reader.missing("l") }
                    list.append(BinanceAccountPosition.Balance(asset: Asset(asset), free: free, locked: locked))
                }
                balances = list
            default: try reader.skipValue(key)
            }
        }
        guard let eventTime else { throw reader.missing("E") }
        guard let updateTime else { throw reader.missing("u") }
        guard let balances else { throw reader.missing("B") }
        return BinanceAccountPosition(eventTime: eventTime, lastUpdateTime: updateTime, balances: balances)
    }

    static func balanceUpdateBody(_ reader: inout WireReader, isFirst: inout Bool) throws(WireParseError)
        -> BinanceBalanceUpdate {
        var eventTime: Timestamp?, asset: String?, delta: FixedDecimal?, clearTime: Timestamp?
        while let key = try reader.nextKey(&isFirst) {
            switch key {
            case "E": eventTime = try reader.milliseconds("E")
            case "a": asset = try reader.string("a")
            case "d": delta = try reader.decimal("d")
            case "T": clearTime = try reader.milliseconds("T")
            default: try reader.skipValue(key)
            }
        }
        guard let eventTime else { throw reader.missing("E") }
        guard let asset, !asset.isEmpty else { throw reader.missing("a") }
        guard let delta else { throw reader.missing("d") }
        guard let clearTime else { throw reader.missing("T") }
        return BinanceBalanceUpdate(eventTime: eventTime, asset: Asset(asset), delta: delta, clearTime: clearTime)
    }
}
