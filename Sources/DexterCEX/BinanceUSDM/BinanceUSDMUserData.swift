import DexterCore
import DexterVenues
import Foundation

/// `ORDER_TRADE_UPDATE`'s `o`: one thing that happened to one order (docs/venues/binance-usdm.md, "User data stream").
public struct BinanceUSDMOrderEvent: Sendable, Hashable {
    public let symbol: String
    /// `c`, in Binance's form.
    public let clientOrderId: String
    public let side: Side
    /// `x`: NEW, CANCELED, CALCULATED (liquidation), EXPIRED, TRADE, AMENDMENT.
    public let executionType: String
    /// `X`: the order's status after it.
    public let status: String
    public let orderId: Int64
    /// `l`, `L`: this trade's quantity and price; `z` what has filled so far.
    public let lastQuantity: FixedDecimal
    public let lastPrice: FixedDecimal
    public let cumulativeQuantity: FixedDecimal
    /// `n`, `N`: this trade's commission and its asset.
    public let commission: FixedDecimal
    public let commissionAsset: String?
    /// `t`: the trade id (0 when this is no trade).
    public let tradeId: Int64
    public let tradeTime: Timestamp
    public let reduceOnly: Bool
    /// `rp`: the realized profit of this trade.
    public let realizedProfit: FixedDecimal
    /// `er`: why it expired (2: an IOC's rest; 4: a reduce-only order with nothing left to reduce).
    public let expiryReason: String?

    public var dexterClientOrderId: String { BinanceUSDMClientOrderId.decode(clientOrderId) }
}

/// `ACCOUNT_UPDATE`'s `a`: why the account changed, its wallet balances, the positions that changed.
public struct BinanceUSDMAccountEvent: Sendable, Hashable {
    public struct Balance: Sendable, Hashable {
        public let asset: Asset
        public let walletBalance: FixedDecimal
        /// `bc`: the change except PnL and commission.
        public let change: FixedDecimal
    }

    public struct Position: Sendable, Hashable {
        public let symbol: String
        /// `pa`: signed, absolute (not a delta).
        public let amount: FixedDecimal
        public let entryPrice: FixedDecimal
        public let positionSide: String
    }

    /// `m`: ORDER, FUNDING_FEE, DEPOSIT…
    public let reason: String
    public let eventTime: Timestamp
    public let balances: [Balance]
    public let positions: [Position]
}

public enum BinanceUSDMUserEvent: Sendable, Hashable {
    case order(BinanceUSDMOrderEvent, eventTime: Timestamp)
    case account(BinanceUSDMAccountEvent)
    /// The listenKey ran out: the stream goes quiet until a new key is connected.
    case listenKeyExpired(eventTime: Timestamp)
    /// An event dexter does not act on (ACCOUNT_CONFIG_UPDATE, MARGIN_CALL, TRADE_LITE…), by its `e`.
    case other(eventType: String)
}

extension BinanceUSDMTrading {
    /// One user data stream message. The kind (`e`) decides how the other fields read; Binance writes it first, and
    /// should it come later the object is read again from its start.
    public static func userEvent(_ bytes: some ContiguousBytes) throws(WireParseError) -> BinanceUSDMUserEvent {
        try WireReader.read(bytes, venue: venue, message: "user data event") { reader throws(WireParseError) in
            try reader.openObject()
            let start = reader.scanner.position
            var first = true
            var type: String?
            while let key = try reader.nextKey(&first) {
                if case "e" = key { type = try reader.string("e") } else { try reader.skipValue(key) }
            }
            guard let type else { throw reader.missing("e") }
            reader.message = type
            reader.scanner.position = start
            first = true
            var eventTime: Timestamp?, order: BinanceUSDMOrderEvent?, account: BinanceUSDMAccountEvent?
            while let key = try reader.nextKey(&first) {
                switch key {
                case "E": eventTime = try reader.milliseconds("E")
                case "o" where type == "ORDER_TRADE_UPDATE": order = try orderEvent(&reader)
                case "a" where type == "ACCOUNT_UPDATE": account = try accountEvent(&reader)
                default: try reader.skipValue(key)
                }
            }
            switch type {
            case "ORDER_TRADE_UPDATE":
                guard let eventTime else { throw reader.missing("E") }
                guard let order else { throw reader.missing("o") }
                return .order(order, eventTime: eventTime)
            case "ACCOUNT_UPDATE":
                guard let eventTime else { throw reader.missing("E") }
                guard let account else { throw reader.missing("a") }
                return .account(BinanceUSDMAccountEvent(reason: account.reason, eventTime: eventTime,
                                                        balances: account.balances, positions: account.positions))
            case "listenKeyExpired":
                guard let eventTime else { throw reader.missing("E") }
                return .listenKeyExpired(eventTime: eventTime)
            default:
                return .other(eventType: type)
            }
        }
    }

    static func orderEvent(_ reader: inout WireReader) throws(WireParseError) -> BinanceUSDMOrderEvent {
        try reader.openObject("o")
        var symbol: String?, clientOrderId: String?, side: Side?, executionType: String?, status: String?
        var orderId: Int64?, last: FixedDecimal?, lastPrice: FixedDecimal?, cumulative: FixedDecimal?
        var commission: FixedDecimal?, commissionAsset: String?, tradeId: Int64 = 0, tradeTime: Timestamp?
        var reduceOnly = false, realized = FixedDecimal.zero, expiry: String?
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "s": symbol = try reader.string("s")
            case "c": clientOrderId = try reader.string("c")
            case "S": side = try BinanceTrading.side(&reader, "S")
            case "x": executionType = try reader.string("x")
            case "X": status = try reader.string("X")
            case "i": orderId = try reader.integer("i")
            case "l": last = try reader.amount("l")
            case "L": lastPrice = try reader.amount("L")
            case "z": cumulative = try reader.amount("z")
            case "n": commission = try reader.decimal("n")
            case "N": commissionAsset = try reader.optionalString("N")
            case "t": tradeId = try reader.integer("t")
            case "T": tradeTime = try reader.milliseconds("T")
            case "R": reduceOnly = try reader.bool("R")
            case "rp": realized = try reader.decimal("rp")
            case "er": expiry = try reader.optionalString("er")
            default: try reader.skipValue(key)
            }
        }
        guard let symbol else { throw reader.missing("s") }
        guard let clientOrderId else { throw reader.missing("c") }
        guard let side else { throw reader.missing("S") }
        guard let executionType else { throw reader.missing("x") }
        guard let status else { throw reader.missing("X") }
        guard let orderId else { throw reader.missing("i") }
        guard let tradeTime else { throw reader.missing("T") }
        // A liquidation (CALCULATED) is a trade once it has a quantity; announced, pending, it is none yet.
        if executionType == "TRADE" || (executionType == "CALCULATED" && last?.isPositive == true) {
            // A trade is money: every part of it must be there, or the message is refused rather than half-booked.
            guard let last, last.isPositive else { throw reader.failure("l", "a trade needs a positive last quantity") }
            guard let lastPrice, last.multipliedIfInRange(by: lastPrice) != nil else {
                throw reader.failure("L", "a trade needs a price, l × L in range")
            }
            guard tradeId > 0 else { throw reader.failure("t", "a trade needs its trade id") }
            // A settlement's or delivery's close carries no commission at all: zero. One charged needs its asset.
            guard (commission ?? .zero).isZero || commissionAsset.map({ !$0.isEmpty }) == true else { throw reader.missing("N") }
        }
        return BinanceUSDMOrderEvent(symbol: symbol, clientOrderId: clientOrderId, side: side, executionType: executionType,
                                     status: status, orderId: orderId, lastQuantity: last ?? .zero,
                                     lastPrice: lastPrice ?? .zero, cumulativeQuantity: cumulative ?? .zero,
                                     commission: commission ?? .zero, commissionAsset: commissionAsset, tradeId: tradeId,
                                     tradeTime: tradeTime, reduceOnly: reduceOnly, realizedProfit: realized,
                                     expiryReason: expiry)
    }

    static func accountEvent(_ reader: inout WireReader) throws(WireParseError) -> BinanceUSDMAccountEvent {
        try reader.openObject("a")
        var reason: String?, balances: [BinanceUSDMAccountEvent.Balance] = [], positions: [BinanceUSDMAccountEvent.Position] = []
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "m": reason = try reader.string("m")
            case "B":
                try reader.openArray("B")
                var firstElement = true
                while try reader.nextElement(&firstElement, "B") {
                    try reader.openObject("B")
                    var asset: String?, wallet: FixedDecimal?, change = FixedDecimal.zero
                    var firstKey = true
                    while let field = try reader.nextKey(&firstKey) {
                        switch field {
                        case "a": asset = try reader.string("a")
                        case "wb": wallet = try reader.decimal("wb")
                        case "bc": change = try reader.decimal("bc")
                        default: try reader.skipValue(field)
                        }
                    }
                    guard let asset, !asset.isEmpty else { throw reader.missing("a") }
                    guard let wallet else { throw reader.missing("wb") }
                    balances.append(.init(asset: Asset(asset), walletBalance: wallet, change: change))
                }
            case "P":
                try reader.openArray("P")
                var firstElement = true
                while try reader.nextElement(&firstElement, "P") {
                    try reader.openObject("P")
                    var symbol: String?, amount: FixedDecimal?, entry = FixedDecimal.zero, side = "BOTH"
                    var firstKey = true
                    while let field = try reader.nextKey(&firstKey) {
                        switch field {
                        case "s": symbol = try reader.string("s")
                        case "pa": amount = try reader.decimal("pa")
                        case "ep": entry = try reader.amount("ep")
                        case "ps": side = try reader.string("ps")
                        default: try reader.skipValue(field)
                        }
                    }
                    guard let symbol else { throw reader.missing("s") }
                    guard let amount else { throw reader.missing("pa") }
                    positions.append(.init(symbol: symbol, amount: amount, entryPrice: entry, positionSide: side))
                }
            default: try reader.skipValue(key)
            }
        }
        guard let reason else { throw reader.missing("m") }
        return BinanceUSDMAccountEvent(reason: reason, eventTime: .zero, balances: balances, positions: positions)
    }
}

extension BinanceUSDMOrderEvent {
    /// The seam's update for it: NEW → accepted, TRADE (and a liquidation's CALCULATED) → a fill, CANCELED / EXPIRED →
    /// how it ended. AMENDMENT (dexter never amends) says nothing the seam carries: nil.
    public func orderUpdate(venue: VenueId) -> OrderUpdate? {
        let kind: OrderUpdate.Kind
        switch executionType {
        case "NEW": kind = .accepted(venueOrderId: String(orderId))
        case "TRADE", "CALCULATED":
            guard tradeId > 0, lastQuantity.isPositive else { return nil }
            kind = .fill(Fill(tradeId: String(tradeId), quantity: lastQuantity, notional: lastQuantity * lastPrice,
                              fee: commission, feeAsset: Asset(commissionAsset ?? "USDT")))
        case "CANCELED": kind = .canceled(reason: nil)
        case "EXPIRED":
            kind = switch (status, expiryReason) {
            case ("EXPIRED_IN_MATCH", _): .expired(reason: "expired by self-trade prevention")
            case (_, "4"?): .expired(reason: "reduce-only: nothing left to reduce")
            default: .expired(reason: cumulativeQuantity.isPositive ? "the rest expired unfilled" : "nothing to fill within the limit")
            }
        default: return nil
        }
        return OrderUpdate(clientOrderId: dexterClientOrderId, venue: venue, kind: kind, at: tradeTime)
    }
}
