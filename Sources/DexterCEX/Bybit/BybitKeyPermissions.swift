import DexterCore

/// What an API key may do, as `GET /v5/user/query-api` says of the key that signs it: read only or not, and its
/// permission groups (`ContractTrade`: `Order`, `Position`; `Wallet`: `AccountTransfer`, `SubMemberTransfer`,
/// `Withdraw`; …). The answer's `secret` field is always empty and never read.
public struct BybitKeyPermissions: Sendable, Hashable {
    public let readOnly: Bool
    public let contractTrade: [String]
    public let wallet: [String]

    public init(readOnly: Bool, contractTrade: [String], wallet: [String]) {
        self.readOnly = readOnly
        self.contractTrade = contractTrade
        self.wallet = wallet
    }

    /// Orders and positions in linear contracts: what the desk sends.
    public var mayTradeContracts: Bool { !readOnly && contractTrade.contains("Order") && contractTrade.contains("Position") }
    /// More than an arbitrage desk ever needs: said as a warning by `venues check --keys`.
    public var mayWithdraw: Bool { wallet.contains("Withdraw") }
}

extension BybitTrading {
    /// `user/query-api`'s result.
    public static func keyPermissions(_ result: [UInt8]) throws(WireParseError) -> BybitKeyPermissions {
        try WireReader.read(result, venue: venue, message: "query-api") { reader throws(WireParseError) in
            try reader.openObject("result")
            var readOnly: Int64?, contract: [String] = [], wallet: [String] = []
            var first = true
            while let key = try reader.nextKey(&first) {
                if "readOnly" ~= key {
                    readOnly = try reader.integer("readOnly")
                } else if "permissions" ~= key {
                    try reader.openObject("permissions")
                    var inner = true
                    while let group = try reader.nextKey(&inner) {
                        if "ContractTrade" ~= group {
                            contract = try strings(&reader, "ContractTrade")
                        } else if "Wallet" ~= group {
                            wallet = try strings(&reader, "Wallet")
                        } else { try reader.skipValue(group) }
                    }
                } else { try reader.skipValue(key) }
            }
            guard let readOnly else { throw reader.missing("readOnly") }
            guard readOnly == 0 || readOnly == 1 else { throw reader.failure("readOnly", "expected 0 or 1, found \(readOnly)") }
            return BybitKeyPermissions(readOnly: readOnly == 1, contractTrade: contract, wallet: wallet)
        }
    }

    private static func strings(_ reader: inout WireReader, _ field: StaticString) throws(WireParseError) -> [String] {
        try reader.openArray(field)
        var values: [String] = [], first = true
        while try reader.nextElement(&first, field) { values.append(try reader.string(field)) }
        return values
    }
}
