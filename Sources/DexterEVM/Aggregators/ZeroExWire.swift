import BigInt
import DexterCrypto
import Foundation

/// A 0x Swap API v2 success answer, as read: `/price` (indicative) or `/quote` (firm, with `transaction`).
package enum ZeroExAnswer: Sendable, Hashable {
    /// `{"liquidityAvailable": false, "zid": …}`: the docs say no other field is populated then.
    case noLiquidity(zid: String?)
    case route(ZeroExRoute)
}

package struct ZeroExRoute: Sendable, Hashable {
    package var sellToken: EthereumAddress
    package var buyToken: EthereumAddress
    package var sellAmount: BigUInt
    package var buyAmount: BigUInt
    package var minBuyAmount: BigUInt
    /// `gas`: a price's own field; a quote has it inside `transaction`.
    package var gas: BigUInt?
    package var totalNetworkFee: BigUInt?
    package var blockNumber: BigUInt?
    package var transaction: AggregatorTransaction?
    package var issues: [AggregatorIssue] = []
    /// The `source` of each of `route.fills`, each once.
    package var sources: [String] = []
    package var zid: String?
}

/// 0x's answers, read strictly (docs.0x.org, Swap API v2: allowance-holder and permit2 getPrice / getQuote, and the
/// error body `{name, message, data}`). Fields dexter does not use (`fees`, `tokenMetadata`, `permit2`,
/// `allowanceTarget`, `route.tokens`) are skipped, as are fields the API may add.
package enum ZeroExWire {
    static let source = "0x"

    /// A `/price` (`message: "price"`) or `/quote` (`"quote"`, where `transaction` is required) answer.
    package static func answer(_ data: some ContiguousBytes, message: String) throws(AggregatorParseError)
        -> ZeroExAnswer {
        try AggregatorReader.read(data, source: source, message: message) { reader throws(AggregatorParseError) in
            try reader.openObject()
            var liquidity: Bool?
            var sellToken: EthereumAddress?, buyToken: EthereumAddress?
            var sellAmount: BigUInt?, buyAmount: BigUInt?, minBuyAmount: BigUInt?
            var route = ZeroExRoute(sellToken: EthereumAddress(bytes: Array(repeating: 0, count: 20)),
                                    buyToken: EthereumAddress(bytes: Array(repeating: 0, count: 20)),
                                    sellAmount: 0, buyAmount: 0, minBuyAmount: 0)
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "liquidityAvailable": liquidity = try reader.bool("liquidityAvailable")
                case "sellToken": sellToken = try reader.address("sellToken")
                case "buyToken": buyToken = try reader.address("buyToken")
                case "sellAmount": sellAmount = try reader.baseUnits("sellAmount")
                case "buyAmount": buyAmount = try reader.baseUnits("buyAmount")
                case "minBuyAmount": minBuyAmount = try reader.baseUnits("minBuyAmount")
                case "gas": route.gas = try reader.optional { r throws(AggregatorParseError) in try r.baseUnits("gas") }
                case "totalNetworkFee":
                    route.totalNetworkFee = try reader.optional { r throws(AggregatorParseError) in
                        try r.baseUnits("totalNetworkFee")
                    }
                case "blockNumber": route.blockNumber = try reader.baseUnits("blockNumber")
                case "transaction": route.transaction = try reader.optional(transaction)
                case "issues": route.issues = try reader.optional(issues) ?? []
                case "route": route.sources = try reader.optional(fills) ?? []
                case "zid": route.zid = try reader.optional { r throws(AggregatorParseError) in try r.string("zid") }
                default: try reader.skipValue(key)
                }
            }
            guard let liquidity else { throw reader.missing("liquidityAvailable") }
            guard liquidity else { return .noLiquidity(zid: route.zid) }
            guard let sellToken else { throw reader.missing("sellToken") }
            guard let buyToken else { throw reader.missing("buyToken") }
            guard let sellAmount else { throw reader.missing("sellAmount") }
            guard let buyAmount else { throw reader.missing("buyAmount") }
            guard let minBuyAmount else { throw reader.missing("minBuyAmount") }
            guard minBuyAmount <= buyAmount else {
                throw reader.failure("minBuyAmount", "\(minBuyAmount) is more than buyAmount \(buyAmount)")
            }
            if message == "quote" && route.transaction == nil { throw reader.missing("transaction") }
            (route.sellToken, route.buyToken, route.sellAmount) = (sellToken, buyToken, sellAmount)
            (route.buyAmount, route.minBuyAmount) = (buyAmount, minBuyAmount)
            return .route(route)
        }
    }

    /// `transaction`: `to`, `data`, and `gas`, `gasPrice`, `value` as decimal strings (unlike 1inch's number gas).
    static func transaction(_ reader: inout AggregatorReader) throws(AggregatorParseError) -> AggregatorTransaction {
        try reader.openObject("transaction")
        var to: EthereumAddress?, data: [UInt8]?, value: BigUInt?, gas: BigUInt?, gasPrice: BigUInt?
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "to": to = try reader.address("transaction.to")
            case "data": data = try reader.hexData("transaction.data")
            case "value": value = try reader.baseUnits("transaction.value")
            case "gas":
                gas = try reader.optional { r throws(AggregatorParseError) in try r.baseUnits("transaction.gas") }
            case "gasPrice": gasPrice = try reader.baseUnits("transaction.gasPrice")
            default: try reader.skipValue(key)
            }
        }
        guard let to else { throw reader.missing("transaction.to") }
        guard let data else { throw reader.missing("transaction.data") }
        guard let value else { throw reader.missing("transaction.value") }
        return AggregatorTransaction(from: nil, to: to, data: data, value: value, gas: gas, gasPrice: gasPrice)
    }

    /// `issues`: `allowance` {actual, spender} or null, `balance` {token, actual, expected} or null,
    /// `simulationIncomplete`, `invalidSourcesPassed` (docs.0x.org "Handling API Issues").
    static func issues(_ reader: inout AggregatorReader) throws(AggregatorParseError) -> [AggregatorIssue] {
        try reader.openObject("issues")
        var found: [AggregatorIssue] = []
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "allowance":
                guard !reader.null() else { continue }
                try reader.openObject("issues.allowance")
                var actual: BigUInt?, spender: EthereumAddress?
                var firstField = true
                while let field = try reader.nextKey(&firstField) {
                    switch field {
                    case "actual": actual = try reader.baseUnits("issues.allowance.actual")
                    case "spender": spender = try reader.address("issues.allowance.spender")
                    default: try reader.skipValue(field)
                    }
                }
                guard let actual, let spender else { throw reader.missing("issues.allowance.actual/spender") }
                found.append(.allowance(spender: spender, actual: actual))
            case "balance":
                guard !reader.null() else { continue }
                try reader.openObject("issues.balance")
                var token: EthereumAddress?, actual: BigUInt?, expected: BigUInt?
                var firstField = true
                while let field = try reader.nextKey(&firstField) {
                    switch field {
                    case "token": token = try reader.address("issues.balance.token")
                    case "actual": actual = try reader.baseUnits("issues.balance.actual")
                    case "expected": expected = try reader.baseUnits("issues.balance.expected")
                    default: try reader.skipValue(field)
                    }
                }
                guard let token, let actual, let expected else {
                    throw reader.missing("issues.balance.token/actual/expected")
                }
                found.append(.balance(token: token, actual: actual, expected: expected))
            case "simulationIncomplete":
                if try reader.bool("issues.simulationIncomplete") { found.append(.simulationIncomplete) }
            case "invalidSourcesPassed":
                var sources: [String] = []
                try reader.openArray("issues.invalidSourcesPassed")
                var firstSource = true
                while try reader.nextElement(&firstSource, "issues.invalidSourcesPassed") {
                    sources.append(try reader.string("issues.invalidSourcesPassed"))
                }
                if !sources.isEmpty { found.append(.invalidSourcesPassed(sources)) }
            default: try reader.skipValue(key)
            }
        }
        return found
    }

    /// `route`: `fills` [{from, to, source, proportionBps}] and `tokens`; the fills' sources are kept.
    static func fills(_ reader: inout AggregatorReader) throws(AggregatorParseError) -> [String] {
        try reader.openObject("route")
        var sources: [String] = []
        var first = true
        while let key = try reader.nextKey(&first) {
            guard case "fills" = key else { try reader.skipValue(key); continue }
            try reader.openArray("route.fills")
            var firstFill = true
            while try reader.nextElement(&firstFill, "route.fills") {
                try reader.openObject("route.fills")
                var firstField = true
                while let field = try reader.nextKey(&firstField) {
                    switch field {
                    case "source":
                        let source = try reader.string("route.fills.source")
                        if !sources.contains(source) { sources.append(source) }
                    case "from": _ = try reader.address("route.fills.from")
                    case "to": _ = try reader.address("route.fills.to")
                    default: try reader.skipValue(field)
                    }
                }
            }
        }
        return sources
    }

    /// An error answer's body: `name` and `message`, `data` with `zid` and `details` [{field, reason}] (the docs
    /// show `details` for INPUT_INVALID; other names carry other `data`, skipped).
    package static func error(_ data: some ContiguousBytes) throws(AggregatorParseError) -> AggregatorAPIError {
        try AggregatorReader.read(data, source: source, message: "error") { reader throws(AggregatorParseError) in
            try reader.openObject()
            var name: String?, message: String?, zid: String?
            var details: [String] = []
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "name": name = try reader.string("name")
                case "message": message = try reader.string("message")
                case "data":
                    guard !reader.null() else { continue }
                    guard reader.scanner.peek() == UInt8(ascii: "{") else { try reader.skipValue(key); continue }
                    try reader.openObject("data")
                    var firstField = true
                    while let field = try reader.nextKey(&firstField) {
                        switch field {
                        case "zid": zid = try reader.string("data.zid")
                        case "details" where reader.scanner.peek() == UInt8(ascii: "["):
                            details = try validation(&reader)
                        default: try reader.skipValue(field)
                        }
                    }
                default: try reader.skipValue(key)
                }
            }
            guard let name else { throw reader.missing("name") }
            return AggregatorAPIError(code: name, message: message ?? "", requestId: zid, details: details)
        }
    }

    /// `data.details`: [{field, reason}], kept as "field: reason".
    static func validation(_ reader: inout AggregatorReader) throws(AggregatorParseError) -> [String] {
        var details: [String] = []
        try reader.openArray("data.details")
        var firstEntry = true
        while try reader.nextElement(&firstEntry, "data.details") {
            try reader.openObject("data.details")
            var field = "", reason = ""
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "field": field = try reader.string("data.details.field")
                case "reason": reason = try reader.string("data.details.reason")
                default: try reader.skipValue(key)
                }
            }
            details.append("\(field): \(reason)")
        }
        return details
    }
}
