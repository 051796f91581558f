import DexterCore
import Foundation

/// `GET /api/v3/account` (and the WebSocket API's `account.status` result): what the account holds, whether it may
/// trade, and its fee rates, which set dexter's fee for the venue.
public struct BinanceAccount: Sendable, Hashable {
    public struct Balance: Sendable, Hashable {
        public let asset: Asset
        public let free: FixedDecimal
        public let locked: FixedDecimal
    }

    public let canTrade: Bool
    public let makerFee: FixedDecimal?
    public let takerFee: FixedDecimal?
    public let balances: [Balance]
    public let permissions: [String]

    /// Free plus locked, per asset: what is reconciled with the ledger.
    public var totals: [Asset: FixedDecimal] {
        Dictionary(balances.map { ($0.asset, $0.free + $0.locked) }, uniquingKeysWith: +)
    }
}

extension BinanceTrading {
    public static func account(_ bytes: some ContiguousBytes) throws(WireParseError) -> BinanceAccount {
        try WireReader.read(bytes, venue: venue, message: "account") { reader throws(WireParseError) in
            try reader.openObject()
            var canTrade: Bool?, maker: FixedDecimal?, taker: FixedDecimal?
            var balances: [BinanceAccount.Balance]?, permissions: [String] = []
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "canTrade": canTrade = try reader.bool("canTrade")
                case "commissionRates":
                    try reader.openObject("commissionRates")
                    var firstRate = true
                    while let rate = try reader.nextKey(&firstRate) {
                        switch rate {
                        case "maker": maker = try reader.amount("maker")
                        case "taker": taker = try reader.amount("taker")
                        default: try reader.skipValue(rate)
                        }
                    }
                case "permissions":
                    try reader.openArray("permissions")
                    var firstPermission = true
                    while try reader.nextElement(&firstPermission, "permissions") {
                        permissions.append(try reader.string("permissions"))
                    }
                case "balances":
                    try reader.openArray("balances")
                    var list: [BinanceAccount.Balance] = []
                    // Free plus locked by asset, as `totals` sums them: refused where the sum leaves the range.
                    var totals: [Asset: FixedDecimal] = [:]
                    var firstBalance = true
                    while try reader.nextElement(&firstBalance, "balances") {
                        try reader.openObject("balances")
                        var asset: String?, free: FixedDecimal?, locked: FixedDecimal?
                        var firstField = true
                        while let field = try reader.nextKey(&firstField) {
                            switch field {
                            case "asset": asset = try reader.string("asset")
                            case "free": free = try reader.amount("free")
                            case "locked": locked = try reader.amount("locked")
                            default: try reader.skipValue(field)
                            }
                        }
                        guard let asset, !asset.isEmpty else { throw reader.missing("asset") }
                        guard let free else { throw reader.missing("free") }
                        guard let locked else { throw reader.missing("locked") }
                        guard let total = totals[Asset(asset), default: .zero].addingIfInRange(free)?.addingIfInRange(locked)
                        else { throw reader.failure("balances", "\(asset) free + locked is out of range") }
                        totals[Asset(asset)] = total
                        list.append(BinanceAccount.Balance(asset: Asset(asset), free: free, locked: locked))
                    }
                    balances = list
                default: try reader.skipValue(key)
                }
            }
            guard let canTrade else { throw reader.missing("canTrade") }
            guard let balances else { throw reader.missing("balances") }
            return BinanceAccount(canTrade: canTrade, makerFee: maker, takerFee: taker, balances: balances,
                                  permissions: permissions)
        }
    }
}
