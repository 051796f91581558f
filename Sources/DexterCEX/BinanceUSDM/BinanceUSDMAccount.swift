import DexterCore
import Foundation

/// The account's margin as Binance USDⓈ-M reports it (`GET /fapi/v2/account`'s totals), in the margin asset (USDT):
/// what the desk's margin buffer reads instead of its own model.
public struct BinanceUSDMMargin: Sendable, Hashable {
    public let canTrade: Bool
    public let totalWalletBalance: FixedDecimal
    public let totalUnrealizedProfit: FixedDecimal
    /// Wallet plus unrealized PnL: what liquidation is measured against.
    public let totalMarginBalance: FixedDecimal
    public let totalMaintMargin: FixedDecimal
    public let totalInitialMargin: FixedDecimal
    public let availableBalance: FixedDecimal
    /// Each asset's wallet balance.
    public let walletBalances: [Asset: FixedDecimal]

    /// Maintenance margin over margin balance: liquidation at 1 (100 %); nil with no margin balance (or a ratio
    /// beyond FixedDecimal's range, which is past liquidation anyway).
    public var marginRatio: FixedDecimal? {
        guard totalMarginBalance.isPositive, !totalMaintMargin.isNegative else { return nil }
        let (high, low) = totalMaintMargin.raw.magnitude.multipliedFullWidth(by: UInt128(FixedDecimal.unit))
        let divisor = totalMarginBalance.raw.magnitude
        guard high < divisor, let quotient = Int128(exactly: divisor.dividingFullWidth((high, low)).quotient) else { return nil }
        return FixedDecimal(raw: quotient)
    }
}

/// One position (`GET /fapi/v2/positionRisk`), one-way mode: `amount` signed, long above zero.
public struct BinanceUSDMPosition: Sendable, Hashable {
    /// Binance's name (`BTCUSDT`); `symbol` is dexter's (`BTC/USDT:USDT`) where it maps.
    public let venueSymbol: String
    public let symbol: Symbol?
    public let amount: FixedDecimal
    public let entryPrice: FixedDecimal
    public let markPrice: FixedDecimal
    public let liquidationPrice: FixedDecimal
    public let unrealizedProfit: FixedDecimal
    public let leverage: Int
    public let marginType: String
    public let positionSide: String
}

/// One row of `GET /fapi/v1/income`.
public struct BinanceUSDMIncome: Sendable, Hashable {
    public let tranId: Int64
    public let symbol: String
    public let type: String
    /// Signed, in `asset`: negative when the account paid.
    public let income: FixedDecimal
    public let asset: Asset
    public let time: Timestamp
}

extension BinanceUSDMTrading {
    /// `GET /fapi/v2/account` (also v3's totals; `canTrade` is v2's).
    public static func margin(_ bytes: some ContiguousBytes) throws(WireParseError) -> BinanceUSDMMargin {
        try WireReader.read(bytes, venue: venue, message: "account") { reader throws(WireParseError) in
            try reader.openObject()
            var canTrade = true, wallet: FixedDecimal?, unrealized = FixedDecimal.zero, marginBalance: FixedDecimal?
            var maint: FixedDecimal?, initial = FixedDecimal.zero, available = FixedDecimal.zero
            var balances: [Asset: FixedDecimal] = [:]
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "canTrade": canTrade = try reader.bool("canTrade")
                case "totalWalletBalance": wallet = try reader.decimal("totalWalletBalance")
                case "totalUnrealizedProfit": unrealized = try reader.decimal("totalUnrealizedProfit")
                case "totalMarginBalance": marginBalance = try reader.decimal("totalMarginBalance")
                case "totalMaintMargin": maint = try reader.amount("totalMaintMargin")
                case "totalInitialMargin": initial = try reader.amount("totalInitialMargin")
                case "availableBalance": available = try reader.decimal("availableBalance")
                case "assets": balances = try walletBalances(&reader, field: "assets", balanceKey: "walletBalance")
                default: try reader.skipValue(key)
                }
            }
            guard let wallet else { throw reader.missing("totalWalletBalance") }
            guard let marginBalance else { throw reader.missing("totalMarginBalance") }
            guard let maint else { throw reader.missing("totalMaintMargin") }
            return BinanceUSDMMargin(canTrade: canTrade, totalWalletBalance: wallet, totalUnrealizedProfit: unrealized,
                                     totalMarginBalance: marginBalance, totalMaintMargin: maint,
                                     totalInitialMargin: initial, availableBalance: available, walletBalances: balances)
        }
    }

    /// `GET /fapi/v2/balance`: asset → wallet balance (`balance`).
    public static func balances(_ bytes: some ContiguousBytes) throws(WireParseError) -> [Asset: FixedDecimal] {
        try WireReader.read(bytes, venue: venue, message: "balance") { reader throws(WireParseError) in
            reader.scanner.skipWhitespace()
            return try walletBalances(&reader, field: "balance", balanceKey: "balance")
        }
    }

    /// An array of `{"asset", <balanceKey>}` objects, summed per asset (refused where a sum leaves the range).
    static func walletBalances(_ reader: inout WireReader, field: StaticString, balanceKey: StaticString)
        throws(WireParseError) -> [Asset: FixedDecimal] {
        try reader.openArray(field)
        var balances: [Asset: FixedDecimal] = [:]
        var first = true
        while try reader.nextElement(&first, field) {
            try reader.openObject(field)
            var asset: String?, balance: FixedDecimal?
            var firstKey = true
            while let key = try reader.nextKey(&firstKey) {
                if case "asset" = key { asset = try reader.string("asset") }
                else if balanceKey ~= key { balance = try reader.decimal(balanceKey) }
                else { try reader.skipValue(key) }
            }
            guard let asset, !asset.isEmpty else { throw reader.missing("asset") }
            guard let balance else { throw reader.missing(balanceKey) }
            guard let sum = balances[Asset(asset), default: .zero].addingIfInRange(balance) else {
                throw reader.failure("\(balanceKey)", "\(asset) balances sum out of range")
            }
            balances[Asset(asset)] = sum
        }
        return balances
    }

    /// `GET /fapi/v2/positionRisk`; `known` maps Binance's names to dexter's symbols.
    public static func positions(_ bytes: some ContiguousBytes, known: [Symbol] = []) throws(WireParseError) -> [BinanceUSDMPosition] {
        try WireReader.read(bytes, venue: venue, message: "positionRisk") { reader throws(WireParseError) in
            reader.scanner.skipWhitespace()
            try reader.openArray("positions")
            var positions: [BinanceUSDMPosition] = []
            var first = true
            while try reader.nextElement(&first, "positions") {
                try reader.openObject("positions")
                var name: String?, amount: FixedDecimal?, entry = FixedDecimal.zero, mark = FixedDecimal.zero
                var liquidation = FixedDecimal.zero, unrealized = FixedDecimal.zero, leverage = 0
                var marginType = "cross", side = "BOTH"
                var firstKey = true
                while let key = try reader.nextKey(&firstKey) {
                    switch key {
                    case "symbol": name = try reader.string("symbol")
                    case "positionAmt": amount = try reader.decimal("positionAmt")
                    case "entryPrice": entry = try reader.amount("entryPrice")
                    case "markPrice": mark = try reader.amount("markPrice")
                    case "liquidationPrice": liquidation = try reader.amount("liquidationPrice")
                    case "unRealizedProfit": unrealized = try reader.decimal("unRealizedProfit")
                    case "leverage":
                        let text = try reader.string("leverage")
                        guard let value = Int(text), (0...1_000).contains(value) else {
                            throw reader.failure("leverage", "not a leverage: \(text)")
                        }
                        leverage = value
                    case "marginType": marginType = try reader.string("marginType")
                    case "positionSide": side = try reader.string("positionSide")
                    default: try reader.skipValue(key)
                    }
                }
                guard let name else { throw reader.missing("symbol") }
                guard let amount else { throw reader.missing("positionAmt") }
                positions.append(BinanceUSDMPosition(venueSymbol: name, symbol: symbol(name, known: known), amount: amount,
                                                     entryPrice: entry, markPrice: mark, liquidationPrice: liquidation,
                                                     unrealizedProfit: unrealized, leverage: leverage,
                                                     marginType: marginType, positionSide: side))
            }
            return positions
        }
    }

    /// `GET /fapi/v1/income`.
    public static func income(_ bytes: some ContiguousBytes) throws(WireParseError) -> [BinanceUSDMIncome] {
        try WireReader.read(bytes, venue: venue, message: "income") { reader throws(WireParseError) in
            reader.scanner.skipWhitespace()
            try reader.openArray("income")
            var rows: [BinanceUSDMIncome] = []
            var first = true
            while try reader.nextElement(&first, "income") {
                try reader.openObject("income")
                var tranId: Int64?, symbol = "", type: String?, income: FixedDecimal?, asset: String?, time: Timestamp?
                var firstKey = true
                while let key = try reader.nextKey(&firstKey) {
                    switch key {
                    case "tranId": tranId = try reader.integer("tranId")
                    case "symbol": symbol = try reader.string("symbol")
                    case "incomeType": type = try reader.string("incomeType")
                    case "income": income = try reader.decimal("income")
                    case "asset": asset = try reader.string("asset")
                    case "time": time = try reader.milliseconds("time")
                    default: try reader.skipValue(key)
                    }
                }
                guard let tranId else { throw reader.missing("tranId") }
                guard let type else { throw reader.missing("incomeType") }
                guard let income else { throw reader.missing("income") }
                guard let asset, !asset.isEmpty else { throw reader.missing("asset") }
                guard let time else { throw reader.missing("time") }
                rows.append(BinanceUSDMIncome(tranId: tranId, symbol: symbol, type: type, income: income, asset: Asset(asset),
                                              time: time))
            }
            return rows
        }
    }

    /// `GET /fapi/v1/positionSide/dual`: true in hedge mode.
    public static func isHedgeMode(_ bytes: some ContiguousBytes) throws(WireParseError) -> Bool {
        try field(bytes, "positionSide/dual", "dualSidePosition") { reader throws(WireParseError) in try reader.bool("dualSidePosition") }
    }

    /// `GET /fapi/v1/commissionRate`: the taker rate.
    public static func takerRate(_ bytes: some ContiguousBytes) throws(WireParseError) -> FixedDecimal {
        try field(bytes, "commissionRate", "takerCommissionRate") { reader throws(WireParseError) in
            try reader.amount("takerCommissionRate")
        }
    }

    /// `POST /fapi/v1/listenKey`: the key.
    public static func listenKey(_ bytes: some ContiguousBytes) throws(WireParseError) -> String {
        let key = try field(bytes, "listenKey", "listenKey") { reader throws(WireParseError) in try reader.string("listenKey") }
        // It goes into a URL path: letters and digits only, as Binance issues them.
        guard !key.isEmpty, key.utf8.count <= 128, key.utf8.allSatisfy({ $0 < 0x80 && Character(Unicode.Scalar($0)).isLetter
            || (0x30...0x39).contains($0) }) else {
            throw WireParseError(venue: venue, message: "listenKey", field: "listenKey", offset: 0,
                                 problem: "not a listenKey (letters and digits expected)")
        }
        return key
    }

    /// The one field of an object that matters, the others skipped.
    static func field<Value>(_ bytes: some ContiguousBytes, _ message: String, _ name: StaticString,
                             _ read: (inout WireReader) throws(WireParseError) -> Value) throws(WireParseError) -> Value {
        try WireReader.read(bytes, venue: venue, message: message) { reader throws(WireParseError) in
            try reader.openObject()
            var value: Value?
            var first = true
            while let key = try reader.nextKey(&first) {
                if name ~= key { value = try read(&reader) } else { try reader.skipValue(key) }
            }
            guard let value else { throw reader.missing(name) }
            return value
        }
    }
}
