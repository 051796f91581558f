import BigInt
import DexterCore
import DexterCrypto
@testable import DexterEVM
import DexterNet
import Foundation
import Testing

/// The two APIs' answers read strictly, from bytes: amounts as decimal integer strings into BigUInt exactly, addresses
/// checked, calldata in whole bytes, and every refusal naming its field.
struct AggregatorWireTests {
    static let weth = "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2"
    static let usdc = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"

    func zeroEx(_ fields: String) -> [UInt8] {
        Array(#"{"liquidityAvailable":true,"sellToken":"\#(Self.weth)","buyToken":"\#(Self.usdc)","#.utf8)
            + Array(fields.utf8) + Array("}".utf8)
    }

    @Test func amountsAreExactUpTo256Bits() throws {
        let max = String(BigUInt(1) << 256 - 1)
        let answer = try OneInchWire.answer(Array(#"{"dstAmount":"\#(max)","gas":0}"#.utf8), message: "quote")
        #expect(answer.dstAmount == BigUInt(1) << 256 - 1 && answer.gas == 0)
        let over = String(BigUInt(1) << 256)
        for (text, problem) in [(over, "more than 256 bits"), ("0123", "leading zero"), ("-1", "not a decimal integer of base units"),
                                ("1.5", "not a decimal integer of base units"), ("1e18", "not a decimal integer of base units"),
                                ("0x10", "not a decimal integer of base units"), ("", "empty amount")] {
            #expect(throws: AggregatorParseError(source: "1inch", message: "quote", field: "dstAmount", offset: 13,
                                                 problem: problem)) {
                try OneInchWire.answer(Array(#"{"dstAmount":"\#(text)"}"#.utf8), message: "quote")
            }
        }
        // A bare number is not an amount in either API.
        #expect(throws: AggregatorParseError.self) {
            try OneInchWire.answer(Array(#"{"dstAmount":1000}"#.utf8), message: "quote")
        }
    }

    @Test func oneInchsGasIsABareInteger() throws {
        #expect(try OneInchWire.answer(Array(#"{"dstAmount":"1","gas":186255}"#.utf8), message: "quote").gas == 186_255)
        for gas in ["1.5", "1e5", "\"186255\"", "-1", "012"] {
            #expect(throws: AggregatorParseError.self) {
                try OneInchWire.answer(Array(#"{"dstAmount":"1","gas":\#(gas)}"#.utf8), message: "quote")
            }
        }
    }

    @Test func aSwapNeedsItsTransaction() throws {
        #expect(throws: AggregatorParseError(source: "1inch", message: "swap", field: "tx", offset: 17,
                                             problem: "missing")) {
            try OneInchWire.answer(Array(#"{"dstAmount":"1"}"#.utf8), message: "swap")
        }
        let tx = #"{"from":"0x70a9f34f9b34c64957b9c401a97bfed35b95049e","to":"\#(Self.weth)","data":"0x00ff","value":"0","gas":21000,"gasPrice":"1"}"#
        let answer = try OneInchWire.answer(Array(#"{"dstAmount":"1","tx":\#(tx)}"#.utf8), message: "swap")
        #expect(answer.transaction?.data == [0x00, 0xff] && answer.transaction?.gas == 21_000)
        for (bad, field) in [(tx.replacingOccurrences(of: "0x00ff", with: "0x0ff"), "tx.data"),
                             (tx.replacingOccurrences(of: "0x00ff", with: "00ff"), "tx.data"),
                             (tx.replacingOccurrences(of: "C02aaA", with: "c02aaA"), "tx.to"),
                             (tx.replacingOccurrences(of: "0x70a9f34f9b34c64957b9c401a97bfed35b95049e", with: "0x70a9"), "tx.from")] {
            let error = #expect(throws: AggregatorParseError.self) {
                try OneInchWire.answer(Array(#"{"dstAmount":"1","tx":\#(bad)}"#.utf8), message: "swap")
            }
            #expect(error?.field == field)
        }
    }

    @Test func errorBodiesOfBothShapes() throws {
        let oneInch = try OneInchWire.error(Array(#"{"error":"Bad Request","description":"insufficient liquidity","statusCode":400,"requestId":"r-1","meta":[{"type":"dst","value":"0x12"}]}"#.utf8))
        #expect(oneInch == AggregatorAPIError(code: "Bad Request", message: "insufficient liquidity", requestId: "r-1",
                                              details: ["dst: 0x12"]))
        let zeroEx = try ZeroExWire.error(Array(#"{"name":"INPUT_INVALID","message":"The input is invalid","data":{"zid":"0xab","details":[{"field":"sellAmount","reason":"Expected an integer"}]}}"#.utf8))
        #expect(zeroEx == AggregatorAPIError(code: "INPUT_INVALID", message: "The input is invalid", requestId: "0xab",
                                             details: ["sellAmount: Expected an integer"]))
        // Another name's data is skipped, not refused.
        #expect(try ZeroExWire.error(Array(#"{"name":"TOKEN_NOT_SUPPORTED","message":"m","data":{"zid":"0x1","details":{"buyToken":"0x12"}}}"#.utf8)).details == [])
        #expect(throws: AggregatorParseError.self) { try OneInchWire.error(Array("Internal Server Error".utf8)) }
        #expect(throws: AggregatorParseError.self) { try ZeroExWire.error(Array(#"{"message":"no name"}"#.utf8)) }
    }

    @Test func zeroExRefusesWhatTheDocsDoNotAllow() throws {
        #expect(try ZeroExWire.answer(Array(#"{"liquidityAvailable":false,"zid":"0x9"}"#.utf8), message: "price")
            == .noLiquidity(zid: "0x9"))
        let good = try ZeroExWire.answer(zeroEx(#""sellAmount":"10","buyAmount":"9","minBuyAmount":"8","gas":null"#),
                                         message: "price")
        guard case .route(let route) = good else { Issue.record("\(good)"); return }
        #expect(route.buyAmount == 9 && route.minBuyAmount == 8 && route.gas == nil)
        let above = #expect(throws: AggregatorParseError.self) {
            try ZeroExWire.answer(zeroEx(#""sellAmount":"10","buyAmount":"9","minBuyAmount":"10""#), message: "price")
        }
        #expect(above?.field == "minBuyAmount")
        let noTransaction = #expect(throws: AggregatorParseError.self) {
            try ZeroExWire.answer(zeroEx(#""sellAmount":"10","buyAmount":"9","minBuyAmount":"8""#), message: "quote")
        }
        #expect(noTransaction?.field == "transaction")
        let missing = #expect(throws: AggregatorParseError.self) {
            try ZeroExWire.answer(Array(#"{"liquidityAvailable":true}"#.utf8), message: "price")
        }
        #expect(missing?.field == "sellToken")
        #expect(throws: AggregatorParseError.self) {
            try ZeroExWire.answer(zeroEx(#""sellAmount":"10","buyAmount":"9","minBuyAmount":"8"} trailing"#), message: "price")
        }
    }

    /// The recorded answers of the local servers (Tests/Servers/*/tests/answers, also the fuzz seeds) and 0x's
    /// documented example: every success read as one, every error body read as the API's error.
    @Test func theRecordedAnswersRead() throws {
        let servers = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Servers")
        func answers(_ server: String) throws -> [(String, [UInt8])] {
            let folder = servers.appendingPathComponent("\(server)/tests/answers")
            return try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().map { name in
                (name, Array(try Data(contentsOf: folder.appendingPathComponent(name))))
            }
        }
        let oneInch = try answers("oneinch")
        #expect(oneInch.count == 8)
        for (name, bytes) in oneInch {
            switch name {
            case "quote.json", "quote-plain.json": #expect(try OneInchWire.answer(bytes, message: "quote").dstAmount > 0)
            case "swap.json": #expect(try OneInchWire.answer(bytes, message: "swap").transaction?.data.count == 164)
            default:
                let api = try OneInchWire.error(bytes)
                #expect(!api.message.isEmpty, "\(name)")
            }
        }
        let zeroEx = try answers("zeroex")
        #expect(zeroEx.count == 10)
        for (name, bytes) in zeroEx {
            switch name {
            case "price.json", "price-issues.json":
                guard case .route(let route) = try ZeroExWire.answer(bytes, message: "price") else { Issue.record("\(name)"); continue }
                #expect(route.issues.count == (name == "price.json" ? 0 : 2))
            case "quote.json", "quote-permit2.json", "docs-example.json":
                guard case .route(let route) = try ZeroExWire.answer(bytes, message: "quote") else { Issue.record("\(name)"); continue }
                #expect(route.transaction != nil && route.minBuyAmount <= route.buyAmount)
            case "no-liquidity.json": #expect(try ZeroExWire.answer(bytes, message: "price") == .noLiquidity(zid: "0x000000000000000000000005"))
            default:
                let api = try ZeroExWire.error(bytes)
                #expect(!api.code.isEmpty, "\(name)")
            }
        }
    }

    /// An answer that quotes the key back (in a field dexter cannot read, in an error) loses it on the way in.
    @Test func theKeyIsRedactedFromWhatTheAPISays() throws {
        let key = "sk_live_0123456789abcdef0123456789abcdef"   // 40 characters: read as an address, quoted
        let http = AggregatorHTTP(source: .oneInch, http: HTTPTransport(),
                                  gate: RateLimitGate(limits: .init(weight: 1)), clock: WallClock(),
                                  timeout: .seconds(1), apiKey: key, errorBody: { _ in nil })
        let parse = #expect(throws: AggregatorParseError.self) {
            try OneInchWire.answer(Array(#"{"dstAmount":"1","tx":{"to":"0x\#(key)"}}"#.utf8), message: "swap")
        }
        #expect(parse?.problem.contains(key) == true)
        let malformed = http.malformed(try #require(parse))
        #expect(!"\(malformed)".contains(key) && "\(malformed)".contains("<api key>"))
        let api = http.redact(AggregatorAPIError(code: key, message: "bad \(key)", requestId: key, details: [key]))
        #expect(!"\(api)".contains(key))
    }
}
