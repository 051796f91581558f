import BigInt
import DexterCrypto
import Foundation

/// A 1inch Swap API v6.0 success answer, as read: `/quote` (QuoteResponse) or `/swap` (SwapResponse).
package struct OneInchAnswer: Sendable, Hashable {
    package var dstAmount: BigUInt
    /// `gas`, with `includeGas=true` on a quote (1inch writes it as a bare number, unlike its amounts).
    package var gas: BigUInt?
    /// `tx`: only a swap has it.
    package var transaction: AggregatorTransaction?
    /// The `name`s in `protocols` (with `includeProtocols=true`), each once, in route order.
    package var protocols: [String] = []
}

/// 1inch's answers, read strictly (portal.1inch.dev, Swap API v6.0: QuoteResponse, SwapResponse, TransactionData,
/// and the 400/500 body `{error, description, statusCode, requestId, meta: HttpExceptionMeta[]}`). Fields the docs
/// list that dexter does not use (`srcToken`, `dstToken` token info) are skipped, as are fields they may add.
package enum OneInchWire {
    static let source = "1inch"

    /// A `/quote` (`message: "quote"`) or `/swap` (`"swap"`, where `tx` is required) answer.
    package static func answer(_ data: some ContiguousBytes, message: String) throws(AggregatorParseError)
        -> OneInchAnswer {
        try AggregatorReader.read(data, source: source, message: message) { reader throws(AggregatorParseError) in
            try reader.openObject()
            var dstAmount: BigUInt?
            var answer = OneInchAnswer(dstAmount: 0)
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "dstAmount": dstAmount = try reader.baseUnits("dstAmount")
                case "gas":
                    answer.gas = try reader.optional { r throws(AggregatorParseError) in
                        BigUInt(try r.unsigned("gas"))
                    }
                case "tx": answer.transaction = try transaction(&reader)
                case "protocols": answer.protocols = try reader.optional(protocols) ?? []
                default: try reader.skipValue(key)
                }
            }
            guard let dstAmount else { throw reader.missing("dstAmount") }
            if message == "swap" && answer.transaction == nil { throw reader.missing("tx") }
            answer.dstAmount = dstAmount
            return answer
        }
    }

    /// TransactionData: `from`, `to`, `data`, `value` and `gasPrice` as strings, `gas` a number (as the docs show).
    static func transaction(_ reader: inout AggregatorReader) throws(AggregatorParseError) -> AggregatorTransaction {
        try reader.openObject("tx")
        var from: EthereumAddress?, to: EthereumAddress?, data: [UInt8]?, value: BigUInt?
        var gas: BigUInt?, gasPrice: BigUInt?
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "from": from = try reader.address("tx.from")
            case "to": to = try reader.address("tx.to")
            case "data": data = try reader.hexData("tx.data")
            case "value": value = try reader.baseUnits("tx.value")
            case "gas": gas = BigUInt(try reader.unsigned("tx.gas"))
            case "gasPrice": gasPrice = try reader.baseUnits("tx.gasPrice")
            default: try reader.skipValue(key)
            }
        }
        guard let to else { throw reader.missing("tx.to") }
        guard let data else { throw reader.missing("tx.data") }
        guard let value else { throw reader.missing("tx.value") }
        return AggregatorTransaction(from: from, to: to, data: data, value: value, gas: gas, gasPrice: gasPrice)
    }

    /// `protocols`: the route as `[[[{name, part, fromTokenAddress, toTokenAddress}]]]` (main routes, their hops,
    /// the hop's splits); only the names are kept.
    static func protocols(_ reader: inout AggregatorReader) throws(AggregatorParseError) -> [String] {
        var names: [String] = []
        try reader.openArray("protocols")
        var firstRoute = true
        while try reader.nextElement(&firstRoute, "protocols") {
            try reader.openArray("protocols")
            var firstHop = true
            while try reader.nextElement(&firstHop, "protocols") {
                try reader.openArray("protocols")
                var firstPart = true
                while try reader.nextElement(&firstPart, "protocols") {
                    try reader.openObject("protocols")
                    var first = true
                    while let key = try reader.nextKey(&first) {
                        switch key {
                        case "name":
                            let name = try reader.string("protocols.name")
                            if !names.contains(name) { names.append(name) }
                        case "fromTokenAddress": _ = try reader.address("protocols.fromTokenAddress")
                        case "toTokenAddress": _ = try reader.address("protocols.toTokenAddress")
                        default: try reader.skipValue(key)
                        }
                    }
                }
            }
        }
        return names
    }

    /// An error answer's body. The docs show `error`, `description`, `statusCode`, `requestId` and `meta`; a body
    /// with neither `error` nor `description` is not theirs.
    package static func error(_ data: some ContiguousBytes) throws(AggregatorParseError) -> AggregatorAPIError {
        try AggregatorReader.read(data, source: source, message: "error") { reader throws(AggregatorParseError) in
            try reader.openObject()
            var code: String?, description: String?, requestId: String?
            var details: [String] = []
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "error": code = try reader.string("error")
                case "description": description = try reader.string("description")
                case "requestId":
                    requestId = try reader.optional { r throws(AggregatorParseError) in try r.string("requestId") }
                case "statusCode": _ = try reader.unsigned("statusCode")
                case "meta": details = try reader.optional(meta) ?? []
                default: try reader.skipValue(key)
                }
            }
            guard code != nil || description != nil else { throw reader.missing("description") }
            return AggregatorAPIError(code: code ?? "", message: description ?? "", requestId: requestId,
                                      details: details)
        }
    }

    /// `meta`: `[{type, value}]`, kept as "type: value".
    static func meta(_ reader: inout AggregatorReader) throws(AggregatorParseError) -> [String] {
        var details: [String] = []
        try reader.openArray("meta")
        var firstEntry = true
        while try reader.nextElement(&firstEntry, "meta") {
            try reader.openObject("meta")
            var type = "", value = ""
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "type": type = try reader.string("meta.type")
                case "value": value = try reader.string("meta.value")
                default: try reader.skipValue(key)
                }
            }
            details.append("\(type): \(value)")
        }
        return details
    }
}
