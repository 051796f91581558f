import DexterCore
import DexterVenues
import Foundation

/// The parsers of OKX's trading messages: REST envelopes, order acks, orders, fills, balances, the account's
/// configuration and fee rates, and the private WebSocket's events and `orders` pushes. OKX writes every number as a
/// decimal string and leaves a field that does not apply as "" (avgPx before a fill, fillPx in a push that is no
/// fill): such a field reads as nil, never as zero by accident.
public enum OKXTrading {
    static let venue = "okx"
}

/// `{"code", "msg", "data": [...]}`: every REST answer. `code` "0" is success; "1" / "2" say that all / some orders of
/// an order request failed, each with its own `sCode` in `data`.
public struct OKXEnvelope<Element: Sendable>: Sendable {
    public let code: String
    public let message: String
    public let data: [Element]
}

/// One entry of an order request's answer (place, cancel): OKX's order id and the order's own result.
public struct OKXOrderAck: Sendable, Hashable {
    public let ordId: String
    public let clOrdId: String
    /// "0": accepted (not done: "It is not strictly considered that the order has been canceled" — the orders
    /// channel or a query is the truth).
    public let sCode: String
    public let sMessage: String
}

/// An order as `GET /api/v5/trade/order`, `orders-pending` and the `orders` channel describe it. In REST,
/// fillPx / fillSz / tradeId are the *last* fill's; in a push they are *this* update's, with `fillFee` its fee.
public struct OKXOrder: Sendable, Hashable {
    public let instId: String
    public let ordId: String
    public let clOrdId: String
    public let side: Side
    public let ordType: String
    /// live, partially_filled, filled, canceled, mmp_canceled.
    public let state: String
    public let size: FixedDecimal?
    public let price: FixedDecimal?
    /// Filled so far.
    public let accFillSize: FixedDecimal
    public let averagePrice: FixedDecimal?
    public let fillPrice: FixedDecimal?
    public let fillSize: FixedDecimal?
    public let tradeId: String?
    /// This fill's fee (pushes only; older pushes lack it): negative = charged.
    public let fillFee: FixedDecimal?
    public let fillFeeCcy: String?
    /// Every fee so far, and its currency: negative = charged.
    public let fee: FixedDecimal?
    public let feeCcy: String?
    public let fillTime: Timestamp?
    public let updateTime: Timestamp?
    /// Why it was canceled: 1 by the user, 13 a fok that could not fill, 14 the rest of an ioc, 31 a post_only that
    /// would have taken, 32 self-trade prevention…
    public let cancelSource: String?

    public var isOpen: Bool { state == "live" || state == "partially_filled" }
    public var isCanceled: Bool { state == "canceled" || state == "mmp_canceled" }
    /// dexter's client order id for it: the decoded `clOrdId`, or OKX's order id for an order placed without one.
    public var dexterClientOrderId: String { clOrdId.isEmpty ? ordId : OKXClientOrderId.decode(clOrdId) }
    var time: Timestamp { updateTime ?? fillTime ?? .zero }
}

/// One trade of the account (`GET /api/v5/trade/fills`).
public struct OKXTrade: Sendable, Hashable {
    public let instId: String
    public let tradeId: String
    public let ordId: String
    public let clOrdId: String
    public let price: FixedDecimal
    public let size: FixedDecimal
    /// Negative = charged, in `feeCcy` (a buy's in the base currency, a sell's in the quote).
    public let fee: FixedDecimal
    public let feeCcy: String
    public let time: Timestamp

    /// The seam's fill: the notional exact (price × size), the fee as charged (positive = paid).
    public var fill: Fill {
        Fill(tradeId: tradeId, quantity: size, notional: price * size, fee: -fee, feeAsset: Asset(feeCcy))
    }
}

/// `GET /api/v5/account/balance`'s details: per currency, what may be used and what orders hold.
public struct OKXBalance: Sendable, Hashable {
    public let currency: Asset
    public let available: FixedDecimal
    public let frozen: FixedDecimal
}

/// `GET /api/v5/account/config`: what the key may do (`perm`: read_only, trade, withdraw), the account level.
public struct OKXAccountConfig: Sendable, Hashable {
    public let uid: String
    public let accountLevel: String
    public let permissions: [String]
    public var canTrade: Bool { permissions.contains("trade") }
    public var canWithdraw: Bool { permissions.contains("withdraw") }
}

/// `GET /api/v5/account/trade-fee`: the rates in OKX's sign (negative = charged).
public struct OKXFeeRates: Sendable, Hashable {
    public let maker: FixedDecimal?
    public let taker: FixedDecimal?
}

extension OKXTrading {
    /// Any REST answer, its `data` elements read by `element`.
    static func envelope<Element: Sendable>(_ bytes: some ContiguousBytes, message: String,
                                            _ element: (inout WireReader) throws(WireParseError) -> Element)
        throws(WireParseError) -> OKXEnvelope<Element> {
        try WireReader.read(bytes, venue: venue, message: message) { reader throws(WireParseError) in
            try reader.openObject()
            var code: String?, text = "", data: [Element] = []
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "code": code = try reader.okxText("code")
                case "msg": text = try reader.string("msg")
                case "data":
                    try reader.openArray("data")
                    var firstElement = true
                    while try reader.nextElement(&firstElement, "data") { data.append(try element(&reader)) }
                default: try reader.skipValue(key)
                }
            }
            guard let code else { throw reader.missing("code") }
            return OKXEnvelope(code: code, message: text, data: data)
        }
    }

    /// The envelope alone (an error answer), its data skipped.
    public static func errorEnvelope(_ bytes: some ContiguousBytes) throws(WireParseError) -> OKXEnvelope<Bool> {
        try envelope(bytes, message: "error answer") { reader throws(WireParseError) in
            reader.scanner.skipWhitespace()
            guard reader.scanner.skipValue() else { throw reader.failure("data", "malformed value") }
            return true
        }
    }

    public static func orderAcks(_ bytes: some ContiguousBytes) throws(WireParseError) -> OKXEnvelope<OKXOrderAck> {
        try envelope(bytes, message: "order answer") { reader throws(WireParseError) in try orderAck(&reader) }
    }

    public static func orders(_ bytes: some ContiguousBytes) throws(WireParseError) -> OKXEnvelope<OKXOrder> {
        try envelope(bytes, message: "orders") { reader throws(WireParseError) in try order(&reader) }
    }

    public static func trades(_ bytes: some ContiguousBytes) throws(WireParseError) -> OKXEnvelope<OKXTrade> {
        try envelope(bytes, message: "fills") { reader throws(WireParseError) in try trade(&reader) }
    }

    /// `GET /api/v5/public/time`: the server's time.
    public static func serverTime(_ bytes: some ContiguousBytes) throws(WireParseError) -> Timestamp {
        let answer = try envelope(bytes, message: "server time") { reader throws(WireParseError) -> Timestamp? in
            try reader.openObject("data")
            var time: Timestamp?
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "ts": time = try reader.okxMilliseconds("ts")
                default: try reader.skipValue(key)
                }
            }
            return time
        }
        guard let time = answer.data.first ?? nil else {
            throw WireParseError(venue: venue, message: "server time", field: "ts", offset: 0, problem: "missing")
        }
        return time
    }

    /// `GET /api/v5/account/balance`: the details of the (single) account entry.
    public static func balances(_ bytes: some ContiguousBytes) throws(WireParseError) -> OKXEnvelope<[OKXBalance]> {
        try envelope(bytes, message: "balance") { reader throws(WireParseError) in
            try reader.openObject("data")
            var balances: [OKXBalance] = []
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "details":
                    try reader.openArray("details")
                    var firstDetail = true
                    while try reader.nextElement(&firstDetail, "details") { balances.append(try balance(&reader)) }
                default: try reader.skipValue(key)
                }
            }
            return balances
        }
    }

    /// Available plus frozen per currency, what the account holds; nil where a sum leaves FixedDecimal's range.
    public static func totals(_ balances: [OKXBalance]) -> [Asset: FixedDecimal]? {
        var totals: [Asset: FixedDecimal] = [:]
        for balance in balances {
            guard let total = totals[balance.currency, default: .zero].addingIfInRange(balance.available)?
                .addingIfInRange(balance.frozen) else { return nil }
            totals[balance.currency] = total
        }
        return totals
    }

    /// One currency of the balance (also the shape of the `account` channel's details).
    static func balance(_ reader: inout WireReader) throws(WireParseError) -> OKXBalance {
        try reader.openObject("details")
        var currency: String?, available: FixedDecimal?, frozen: FixedDecimal?
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "ccy": currency = try reader.string("ccy")
            case "availBal": available = try reader.okxDecimal("availBal")
            case "frozenBal": frozen = try reader.okxDecimal("frozenBal")
            default: try reader.skipValue(key)
            }
        }
        guard let currency, !currency.isEmpty else { throw reader.missing("ccy") }
        guard let available else { throw reader.missing("availBal") }
        guard let frozen else { throw reader.missing("frozenBal") }
        guard available.addingIfInRange(frozen) != nil else { throw reader.failure("frozenBal", "availBal + frozenBal is out of range") }
        return OKXBalance(currency: Asset(currency), available: available, frozen: frozen)
    }

    public static func accountConfig(_ bytes: some ContiguousBytes) throws(WireParseError) -> OKXEnvelope<OKXAccountConfig> {
        try envelope(bytes, message: "account config") { reader throws(WireParseError) in
            try reader.openObject("data")
            var uid = "", level = "", permissions: [String]?
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "uid": uid = try reader.okxText("uid")
                case "acctLv": level = try reader.okxText("acctLv")
                case "perm": permissions = try reader.string("perm").split(separator: ",").map { String($0) }
                default: try reader.skipValue(key)
                }
            }
            guard let permissions else { throw reader.missing("perm") }
            return OKXAccountConfig(uid: uid, accountLevel: level, permissions: permissions)
        }
    }

    /// The first entry's rates: the top-level `maker` / `taker` where OKX still writes them, else the first fee
    /// group's (`feeGroup`, which the current docs introduce for spot).
    public static func feeRates(_ bytes: some ContiguousBytes) throws(WireParseError) -> OKXEnvelope<OKXFeeRates> {
        try envelope(bytes, message: "trade fee") { reader throws(WireParseError) in
            try reader.openObject("data")
            var maker: FixedDecimal?, taker: FixedDecimal?, groupMaker: FixedDecimal?, groupTaker: FixedDecimal?
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "maker": maker = try reader.okxDecimal("maker")
                case "taker": taker = try reader.okxDecimal("taker")
                case "feeGroup":
                    try reader.openArray("feeGroup")
                    var firstGroup = true
                    while try reader.nextElement(&firstGroup, "feeGroup") {
                        try reader.openObject("feeGroup")
                        var firstKey = true
                        while let field = try reader.nextKey(&firstKey) {
                            switch field {
                            case "maker": let rate = try reader.okxDecimal("maker"); if groupMaker == nil { groupMaker = rate }
                            case "taker": let rate = try reader.okxDecimal("taker"); if groupTaker == nil { groupTaker = rate }
                            default: try reader.skipValue(field)
                            }
                        }
                    }
                default: try reader.skipValue(key)
                }
            }
            return OKXFeeRates(maker: maker ?? groupMaker, taker: taker ?? groupTaker)
        }
    }

    static func orderAck(_ reader: inout WireReader) throws(WireParseError) -> OKXOrderAck {
        try reader.openObject("data")
        var ordId = "", clOrdId = "", sCode: String?, sMessage = ""
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "ordId": ordId = try reader.okxText("ordId")
            case "clOrdId": clOrdId = try reader.okxText("clOrdId")
            case "sCode": sCode = try reader.okxText("sCode")
            case "sMsg": sMessage = try reader.string("sMsg")
            default: try reader.skipValue(key)
            }
        }
        guard let sCode else { throw reader.missing("sCode") }
        return OKXOrderAck(ordId: ordId, clOrdId: clOrdId, sCode: sCode, sMessage: sMessage)
    }

    static func order(_ reader: inout WireReader) throws(WireParseError) -> OKXOrder {
        try reader.openObject("data")
        var instId: String?, ordId: String?, clOrdId = "", side: Side?, ordType = "", state: String?
        var size: FixedDecimal?, price: FixedDecimal?, accFill: FixedDecimal?, average: FixedDecimal?
        var fillPrice: FixedDecimal?, fillSize: FixedDecimal?, tradeId: String?, fillFee: FixedDecimal?
        var fillFeeCcy: String?, fee: FixedDecimal?, feeCcy: String?, fillTime: Timestamp?, updateTime: Timestamp?
        var cancelSource: String?
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "instId": instId = try reader.string("instId")
            case "ordId": ordId = try reader.okxText("ordId")
            case "clOrdId": clOrdId = try reader.string("clOrdId")
            case "side":
                switch try reader.string("side") {
                case "buy": side = .buy
                case "sell": side = .sell
                case let other: throw reader.failure("side", "unknown side \"\(other)\"")
                }
            case "ordType": ordType = try reader.string("ordType")
            case "state": state = try reader.string("state")
            case "sz": size = try reader.okxAmount("sz")
            case "px": price = try reader.okxAmount("px")
            case "accFillSz": accFill = try reader.okxAmount("accFillSz")
            case "avgPx": average = try reader.okxAmount("avgPx")
            case "fillPx": fillPrice = try reader.okxAmount("fillPx")
            case "fillSz": fillSize = try reader.okxAmount("fillSz")
            case "tradeId": tradeId = try reader.okxText("tradeId")
            case "fillFee": fillFee = try reader.okxDecimal("fillFee")
            case "fillFeeCcy": fillFeeCcy = try reader.string("fillFeeCcy")
            case "fee": fee = try reader.okxDecimal("fee")
            case "feeCcy": feeCcy = try reader.string("feeCcy")
            case "fillTime": fillTime = try reader.okxMilliseconds("fillTime")
            case "uTime": updateTime = try reader.okxMilliseconds("uTime")
            case "cancelSource": cancelSource = try reader.string("cancelSource")
            default: try reader.skipValue(key)
            }
        }
        guard let instId, !instId.isEmpty else { throw reader.missing("instId") }
        guard let ordId, !ordId.isEmpty else { throw reader.missing("ordId") }
        guard let side else { throw reader.missing("side") }
        guard let state, !state.isEmpty else { throw reader.missing("state") }
        // "0" and "" both mean "no trade here" (REST writes tradeId "0" before any fill, a push "").
        let trade = tradeId.flatMap { $0.isEmpty || $0 == "0" ? nil : $0 }
        if let fillSize, fillSize.isPositive {
            guard trade != nil else { throw reader.failure("tradeId", "a fill needs its trade id") }
            guard let fillPrice, fillPrice.multipliedIfInRange(by: fillSize) != nil else {
                throw reader.failure("fillPx", "a fill needs a price whose product with fillSz is in range")
            }
        }
        return OKXOrder(instId: instId, ordId: ordId, clOrdId: clOrdId, side: side, ordType: ordType, state: state,
                        size: size, price: price, accFillSize: accFill ?? .zero, averagePrice: average,
                        fillPrice: fillPrice, fillSize: fillSize, tradeId: trade, fillFee: fillFee,
                        fillFeeCcy: fillFeeCcy.flatMap { $0.isEmpty ? nil : $0 }, fee: fee,
                        feeCcy: feeCcy.flatMap { $0.isEmpty ? nil : $0 }, fillTime: fillTime, updateTime: updateTime,
                        cancelSource: cancelSource.flatMap { $0.isEmpty ? nil : $0 })
    }

    static func trade(_ reader: inout WireReader) throws(WireParseError) -> OKXTrade {
        try reader.openObject("data")
        var instId: String?, tradeId: String?, ordId = "", clOrdId = "", price: FixedDecimal?, size: FixedDecimal?
        var fee: FixedDecimal?, feeCcy: String?, time: Timestamp?
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "instId": instId = try reader.string("instId")
            case "tradeId": tradeId = try reader.okxText("tradeId")
            case "ordId": ordId = try reader.okxText("ordId")
            case "clOrdId": clOrdId = try reader.string("clOrdId")
            case "fillPx": price = try reader.okxAmount("fillPx")
            case "fillSz": size = try reader.okxAmount("fillSz")
            case "fee": fee = try reader.okxDecimal("fee")
            case "feeCcy": feeCcy = try reader.string("feeCcy")
            case "ts": time = try reader.okxMilliseconds("ts") ?? time
            case "fillTime": time = try reader.okxMilliseconds("fillTime") ?? time
            default: try reader.skipValue(key)
            }
        }
        guard let instId, !instId.isEmpty else { throw reader.missing("instId") }
        guard let tradeId, !tradeId.isEmpty else { throw reader.missing("tradeId") }
        guard let price else { throw reader.missing("fillPx") }
        guard let size, size.isPositive else { throw reader.failure("fillSz", "a fill needs a positive fillSz") }
        guard price.multipliedIfInRange(by: size) != nil else { throw reader.failure("fillPx", "fillPx × fillSz is out of range") }
        guard let feeCcy, !feeCcy.isEmpty else { throw reader.missing("feeCcy") }
        // OKX writes fee "" on a trade it has not yet charged (nautilus' capture): no fee yet.
        return OKXTrade(instId: instId, tradeId: tradeId, ordId: ordId, clOrdId: clOrdId, price: price, size: size,
                        fee: fee ?? .zero, feeCcy: feeCcy, time: time ?? .zero)
    }
}

// MARK: - OKX's field spellings

extension WireReader {
    /// A value OKX writes as a string (or, in some places, as a bare number): its text.
    mutating func okxText(_ field: StaticString) throws(WireParseError) -> String {
        scanner.skipWhitespace()
        if scanner.peek() == UInt8(ascii: "\"") { return try string(field) }
        let start = scanner.position
        guard scanner.skipValue() else { throw failure("\(field)", "malformed value") }
        return String(decoding: UnsafeBufferPointer(rebasing: scanner.bytes[start..<scanner.position]), as: UTF8.self)
    }

    /// A decimal OKX writes as a string; "" (the field does not apply) is nil. Never through `Double`.
    mutating func okxDecimal(_ field: StaticString) throws(WireParseError) -> FixedDecimal? {
        scanner.skipWhitespace()
        if null() { return nil }
        guard scanner.peek() == UInt8(ascii: "\"") else { return try decimal(field) }
        let text = try string(field)
        if text.isEmpty { return nil }
        guard let value = FixedDecimal(text) else { throw failure("\(field)", "\"\(text)\" is not a decimal number") }
        return value
    }

    /// A decimal that may not be negative (sizes, prices); "" is nil.
    mutating func okxAmount(_ field: StaticString) throws(WireParseError) -> FixedDecimal? {
        let value = try okxDecimal(field)
        if let value, value.isNegative { throw failure("\(field)", "negative amount \(value)") }
        return value
    }

    /// Unix milliseconds as OKX writes them ("1746947317402"); "" and "0" are nil. Refused outside 1970…2255.
    mutating func okxMilliseconds(_ field: StaticString) throws(WireParseError) -> Timestamp? {
        let text = try okxText(field)
        if text.isEmpty || text == "0" { return nil }
        guard let value = Int64(text), (0...9_000_000_000_000).contains(value) else {
            throw failure("\(field)", "time \"\(text)\" is not Unix milliseconds in range")
        }
        return Timestamp(milliseconds: value)
    }
}
