import DexterCore
import DexterVenues
import Foundation

/// One trade of the account (`GET /api/v3/myTrades`): how an order found by query gets its fills with Binance's own
/// trade ids, so the same trades arriving later on the user data stream count once.
public struct BinanceAccountTrade: Sendable, Hashable {
    public let id: Int64
    public let orderId: Int64
    public let price: FixedDecimal
    public let quantity: FixedDecimal
    /// Quote value of the trade, as Binance reports it.
    public let quoteQuantity: FixedDecimal
    public let commission: FixedDecimal
    public let commissionAsset: String
    public let time: Timestamp

    /// The seam's fill for it.
    public var fill: Fill {
        Fill(tradeId: String(id), quantity: quantity, notional: quoteQuantity, fee: commission, feeAsset: Asset(commissionAsset))
    }
}

extension BinanceTrading {
    /// `GET /api/v3/myTrades`: an array of the account's trades.
    public static func trades(_ bytes: some ContiguousBytes) throws(WireParseError) -> [BinanceAccountTrade] {
        try WireReader.read(bytes, venue: venue, message: "trade list") { reader throws(WireParseError) in
            reader.scanner.skipWhitespace()
            try reader.openArray("trades")
            var trades: [BinanceAccountTrade] = []
            var first = true
            while try reader.nextElement(&first, "trades") {
                try reader.openObject("trades")
                var id: Int64?, orderId: Int64?, price: FixedDecimal?, quantity: FixedDecimal?, quote: FixedDecimal?
                var commission: FixedDecimal?, commissionAsset: String?, time: Timestamp?
                var firstKey = true
                while let key = try reader.nextKey(&firstKey) {
                    switch key {
                    case "id": id = try reader.integer("id")
                    case "orderId": orderId = try reader.integer("orderId")
                    case "price": price = try reader.amount("price")
                    case "qty": quantity = try reader.amount("qty")
                    case "quoteQty": quote = try reader.amount("quoteQty")
                    case "commission": commission = try reader.amount("commission")
                    case "commissionAsset": commissionAsset = try reader.string("commissionAsset")
                    case "time": time = try reader.milliseconds("time")
                    default: try reader.skipValue(key)
                    }
                }
                guard let id else { throw reader.missing("id") }
                guard let orderId else { throw reader.missing("orderId") }
                guard let price else { throw reader.missing("price") }
                guard let quantity, quantity.isPositive else { throw reader.failure("qty", "a trade needs a positive qty") }
                guard let quote else { throw reader.missing("quoteQty") }
                guard let commission else { throw reader.missing("commission") }
                guard let commissionAsset else { throw reader.missing("commissionAsset") }
                guard let time else { throw reader.missing("time") }
                trades.append(BinanceAccountTrade(id: id, orderId: orderId, price: price, quantity: quantity,
                                                  quoteQuantity: quote, commission: commission,
                                                  commissionAsset: commissionAsset, time: time))
            }
            return trades
        }
    }
}

/// What an API key itself may do (`GET /sapi/v1/account/apiRestrictions`). dexter needs reading and spot trading;
/// a key that may withdraw is more than an arbitrage desk should hold, and the trader is told.
public struct BinanceKeyRestrictions: Sendable, Hashable {
    public let canRead: Bool
    public let canTrade: Bool
    public let canWithdraw: Bool
    public let ipRestricted: Bool
}

extension BinanceTrading {
    public static func keyRestrictions(_ bytes: some ContiguousBytes) throws(WireParseError) -> BinanceKeyRestrictions {
        try WireReader.read(bytes, venue: venue, message: "API key restrictions") { reader throws(WireParseError) in
            try reader.openObject()
            var read: Bool?, trade: Bool?, withdraw: Bool?, ip = false
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "enableReading": read = try reader.bool("enableReading")
                case "enableSpotAndMarginTrading": trade = try reader.bool("enableSpotAndMarginTrading")
                case "enableWithdrawals": withdraw = try reader.bool("enableWithdrawals")
                case "ipRestrict": ip = try reader.bool("ipRestrict")
                default: try reader.skipValue(key)
                }
            }
            guard let read else { throw reader.missing("enableReading") }
            guard let trade else { throw reader.missing("enableSpotAndMarginTrading") }
            guard let withdraw else { throw reader.missing("enableWithdrawals") }
            return BinanceKeyRestrictions(canRead: read, canTrade: trade, canWithdraw: withdraw, ipRestricted: ip)
        }
    }
}
