import DexterCore
import DexterVenues
import Foundation

/// The parsers of Binance's trading messages: order answers, user data events, WebSocket API envelopes, errors.
public enum BinanceTrading {
    static let venue = "binance"
}

/// `executionReport` (user-data-stream.md): one thing that happened to one order.
public struct BinanceExecutionReport: Sendable, Hashable {
    public let eventTime: Timestamp
    public let symbol: String
    /// `c`: the order's client id, or on a cancel the cancel request's.
    public let clientOrderId: String
    /// `C`: on a cancel, the canceled order's client id (empty otherwise, read as nil).
    public let originalClientOrderId: String?
    public let side: Side
    public let orderType: String
    public let timeInForce: String
    public let quantity: FixedDecimal
    public let price: FixedDecimal
    /// `x`: NEW, CANCELED, REPLACED, REJECTED, TRADE, EXPIRED, TRADE_PREVENTION.
    public let executionType: String
    /// `X`: the order's status after it.
    public let orderStatus: BinanceOrderStatus
    /// `r`: NONE, INSUFFICIENT_BALANCES…
    public let rejectReason: String
    public let orderId: Int64
    /// `l`, `L`, `Y`: this trade's quantity, price, and exact quote amount (Y is absent in old messages: then l × L).
    public let lastQuantity: FixedDecimal
    public let lastPrice: FixedDecimal
    public let lastQuoteQuantity: FixedDecimal
    /// `z`, `Z`: what has filled so far, and its quote amount.
    public let cumulativeQuantity: FixedDecimal
    public let cumulativeQuoteQuantity: FixedDecimal
    /// `n`, `N`: this trade's commission and its asset (nil until a fill).
    public let commission: FixedDecimal
    public let commissionAsset: String?
    public let transactionTime: Timestamp
    /// `t`: the trade's id; nil (-1 on the wire) when this is no trade.
    public let tradeId: Int64?
    public let isMaker: Bool
    /// `eR`: why an order expired, where Binance says.
    public let expiryReason: String?

    /// dexter's client order id for the order this is about.
    public var dexterClientOrderId: String { originalClientOrderId ?? clientOrderId }
}

/// `outboundAccountPosition`: the balances that changed (`B[]`: a, f, l).
public struct BinanceAccountPosition: Sendable, Hashable {
    public struct Balance: Sendable, Hashable {
        public let asset: Asset
        public let free: FixedDecimal
        public let locked: FixedDecimal
    }

    public let eventTime: Timestamp
    public let lastUpdateTime: Timestamp
    public let balances: [Balance]
}

/// `balanceUpdate`: a deposit, withdrawal or transfer (`d` is signed).
public struct BinanceBalanceUpdate: Sendable, Hashable {
    public let eventTime: Timestamp
    public let asset: Asset
    public let delta: FixedDecimal
    public let clearTime: Timestamp
}

public enum BinanceUserEvent: Sendable, Hashable {
    case executionReport(BinanceExecutionReport)
    case accountPosition(BinanceAccountPosition)
    case balanceUpdate(BinanceBalanceUpdate)
    /// The subscription ended (the session logged out, or Binance ended it): subscribe again.
    case streamTerminated(eventTime: Timestamp)
    /// An event dexter does not act on (listStatus, externalLockUpdate…), by its `e`.
    case other(eventType: String)
}

extension BinanceTrading {
    /// A user data event, bare or as the WebSocket API wraps it: `{"subscriptionId": N, "event": {...}}`.
    public static func userEvent(_ bytes: some ContiguousBytes) throws(WireParseError) -> BinanceUserEvent {
        try WireReader.read(bytes, venue: venue, message: "user data event") { reader throws(WireParseError) in
            try reader.openObject()
            // Peek at the first key without consuming: a wrapped event starts with subscriptionId or event.
            let start = reader.scanner.position
            var first = true
            if let key = try reader.nextKey(&first), isWrapperKey(key) {
                reader.scanner.position = start
                first = true
                var event: BinanceUserEvent?
                while let key = try reader.nextKey(&first) {
                    switch key {
                    case "event": event = try userEventObject(&reader)
                    default: try reader.skipValue(key)
                    }
                }
                guard let event else { throw reader.missing("event") }
                return event
            }
            reader.scanner.position = start
            return try userEventBody(&reader)
        }
    }

    static func isWrapperKey(_ key: WireKey) -> Bool {
        switch key {
        case "subscriptionId", "event": true
        default: false
        }
    }

    static func userEventObject(_ reader: inout WireReader) throws(WireParseError) -> BinanceUserEvent {
        try reader.openObject("event")
        return try userEventBody(&reader)
    }

    /// The members of an event object whose `{` was read. Binance writes the kind (`e`) first, and the kind decides
    /// how the other fields read (`a` is an asset in one event, a number in another); should `e` come later, the
    /// object is walked once to find it and then read from its start.
    static func userEventBody(_ reader: inout WireReader) throws(WireParseError) -> BinanceUserEvent {
        let start = reader.scanner.position
        var first = true
        var type: String?
        var skipped = 0
        while let key = try reader.nextKey(&first) {
            if case "e" = key {
                type = try reader.string("e")
                break
            }
            try reader.skipValue(key)
            skipped += 1
        }
        guard let type else { throw reader.missing("e") }
        // `rest` walks the members after `e`, or all of them again (the readers below skip `e`) if it came late.
        var rest = false
        if skipped > 0 {
            reader.scanner.position = start
            rest = true
        }
        reader.message = type
        switch type {
        case "executionReport": return .executionReport(try executionReportBody(&reader, isFirst: &rest))
        case "outboundAccountPosition": return .accountPosition(try accountPositionBody(&reader, isFirst: &rest))
        case "balanceUpdate": return .balanceUpdate(try balanceUpdateBody(&reader, isFirst: &rest))
        case "eventStreamTerminated":
            var eventTime: Timestamp?
            while let key = try reader.nextKey(&rest) {
                switch key {
                case "E": eventTime = try reader.milliseconds("E")
                default: try reader.skipValue(key)
                }
            }
            guard let eventTime else { throw reader.missing("E") }
            return .streamTerminated(eventTime: eventTime)
        default:
            while let key = try reader.nextKey(&rest) { try reader.skipValue(key) }
            return .other(eventType: type)
        }
    }
}

extension BinanceExecutionReport {
    /// The seam's update for it: NEW → accepted, TRADE → a fill, CANCELED / EXPIRED / TRADE_PREVENTION / REJECTED →
    /// how the order ended. REPLACED (an amendment dexter never asks for) says nothing the seam carries: nil.
    public func orderUpdate(venue: VenueId) -> OrderUpdate? {
        let kind: OrderUpdate.Kind
        switch executionType {
        case "NEW": kind = .accepted(venueOrderId: String(orderId))
        case "TRADE":
            // The parser refused a TRADE without a positive quantity, a trade id or a commission asset.
            guard let tradeId, let commissionAsset, lastQuantity.isPositive else { return nil }
            kind = .fill(Fill(tradeId: String(tradeId), quantity: lastQuantity, notional: lastQuoteQuantity,
                              fee: commission, feeAsset: Asset(commissionAsset)))
        case "CANCELED": kind = .canceled(reason: nil)
        case "EXPIRED":
            kind = .expired(reason: expiryReason ?? (cumulativeQuantity.isPositive
                ? "the rest expired unfilled" : "nothing to fill within the limit"))
        case "TRADE_PREVENTION": kind = .expired(reason: "expired by self-trade prevention")
        case "REJECTED": kind = .rejected(BinanceErrors.rejection(reason: rejectReason))
        default: return nil
        }
        return OrderUpdate(clientOrderId: dexterClientOrderId, venue: venue, kind: kind, at: transactionTime)
    }
}
