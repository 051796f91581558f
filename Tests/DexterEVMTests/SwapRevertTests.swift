import BigInt
import DexterCrypto
@testable import DexterEVM
import Testing

/// Revert data as contracts return it. Every hex below was encoded by eth-abi 6.0.0 and eth-utils' keccak (Python),
/// not by dexter; the node shapes are those the execution-apis, geth, Besu, Nethermind and Hardhat return.
struct SwapRevertTests {
    static let tooLittle = try! Hex.decode("""
        08c379a000000000000000000000000000000000000000000000000000000000000000200000000000000000000000000000000000000000\
        000000000000000000000013546f6f206c6974746c6520726563656976656400000000000000000000000000
        """)
    static let overflow = try! Hex.decode("4e487b710000000000000000000000000000000000000000000000000000000000000011")
    static let insufficientBalance = try! Hex.decode("""
        e450d38c00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c800000000000000000000000000000000000000000000\
        00000000000000000005000000000000000000000000000000000000000000000000000000000000000a
        """)
    static let unknownCustom = try! Hex.decode("""
        71c4efed00000000000000000000000000000000000000000000000000000000000000070000000000000000000000000000000000000000000000000000000000000009
        """)

    @Test func errorStringDecodesWithUniswapsWords() {
        let reason = RevertDecoder.decode(Self.tooLittle)
        #expect(reason == .message("Too little received"))
        #expect(reason.description == "reverted: \"Too little received\" (output below amountOutMinimum)")
    }

    @Test func panicsAreNamedInWords() {
        #expect(RevertDecoder.decode(Self.overflow) == .panic(code: 0x11))
        #expect(RevertDecoder.decode(Self.overflow).description
            == "panicked: 0x11 (arithmetic overflow or underflow outside an unchecked block)")
        #expect(RevertReason.panicMeaning(0x12) == "division or modulo by zero")
        #expect(RevertReason.panicMeaning(0x32) == "array, bytesN or slice index out of bounds")
        #expect(RevertReason.panicMeaning(0x99) == "a panic code Solidity does not document")
    }

    @Test func customErrorsDecodeFromTheTable() throws {
        let reason = RevertDecoder.decode(Self.insufficientBalance)
        let expected = try CustomError(signature: "ERC20InsufficientBalance(address,uint256,uint256)")
        #expect(expected.selector == [0xe4, 0x50, 0xd3, 0x8c])
        let trader = try EthereumAddress(parsing: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
        #expect(reason == .custom(expected, arguments: [.address(trader), .uint(5), .uint(10)]))
        #expect(reason.description == "reverted with ERC20InsufficientBalance(0x70997970C51812dc3A010C7d01b50e0d17dc79C8, 5, 10)")
        // Universal Router's no-argument errors: selector 0x39d35496 is V3TooLittleReceived() (eth-utils keccak).
        #expect(RevertDecoder.decode([0x39, 0xd3, 0x54, 0x96]).description == "reverted with V3TooLittleReceived()")
    }

    @Test func unknownSelectorsShowTheirHexUntilTheTableLearnsThem() throws {
        let reason = RevertDecoder.decode(Self.unknownCustom)
        #expect(reason == .unknown(selector: [0x71, 0xc4, 0xef, 0xed], data: Self.unknownCustom))
        #expect(reason.description.hasPrefix("reverted with unknown error 0x71c4efed (data 0x71c4efed0000"))
        let learned = try CustomErrorTable.common.adding(signature: "SlippageExceeded(uint256,uint256)")
        #expect(RevertDecoder.decode(Self.unknownCustom, errors: learned).description == "reverted with SlippageExceeded(7, 9)")
    }

    @Test func everyCommonSignatureParses() throws {
        for signature in CustomErrorTable.commonSignatures { _ = try CustomError(signature: signature) }
        #expect(CustomErrorTable.common.count == CustomErrorTable.commonSignatures.count)
        #expect(throws: CustomError.BadSignature.self) { try CustomError(signature: "NoParens") }
        #expect(throws: CustomError.BadSignature.self) { try CustomError(signature: "Bad(uint7)") }
        #expect(throws: CustomError.BadSignature.self) { try CustomError(signature: "(uint256)") }
    }

    @Test func truncatedAndDirtyDataIsMalformedNotACrash() {
        #expect(RevertDecoder.decode([]) == .empty)
        #expect(RevertDecoder.decode([0x08, 0xc3]) == .malformed(data: [0x08, 0xc3], problem: "2 bytes, shorter than a selector"))
        guard case .malformed(_, let problem) = RevertDecoder.decode(Array(Self.tooLittle.dropLast(32))) else {
            Issue.record("a cut Error(string) decoded")
            return
        }
        #expect(problem.hasPrefix("Error(string): "))
        guard case .malformed = RevertDecoder.decode(Array(Self.insufficientBalance.prefix(40))) else {
            Issue.record("a cut custom error decoded")
            return
        }
        // Panic with a dirty high byte is still a uint256: any 32 bytes are.
        #expect(RevertDecoder.decode(RevertReason.panicSelector + [UInt8](repeating: 0xFF, count: 32))
            == .panic(code: (BigUInt(1) << 256) - 1))
    }

    @Test func nodeErrorShapesAllYieldTheSameReason() throws {
        let hex = Hex.encode(Self.tooLittle)
        let shapes = [
            // geth / erigon / reth / anvil (and the local node), execution-apis code 3.
            #"{"code":3,"message":"execution reverted: Too little received","data":"\#(hex)"}"#,
            // Besu.
            #"{"code":-32000,"message":"Execution reverted","data":"\#(hex)"}"#,
            // Older Nethermind.
            #"{"code":-32015,"message":"VM execution error.","data":"Reverted \#(hex)"}"#,
            // Hardhat-style nesting.
            #"{"code":-32603,"message":"Internal JSON-RPC error.","data":{"message":"reverted","data":"\#(hex)"}}"#,
            #"{"code":-32603,"message":"Error","data":{"originalError":{"code":3,"data":"\#(hex)"}}}"#,
            // Ganache v7.
            #"{"code":-32000,"message":"VM Exception while processing transaction: revert Too little received","data":{"result":"\#(hex)","reason":"Too little received"}}"#,
        ]
        for shape in shapes {
            let error = try NodeCallError(json: Array(shape.utf8))
            #expect(error.revert() == .message("Too little received"), "\(shape)")
        }
    }

    @Test func wordsWithoutDataAndNonRevertsAreToldApart() throws {
        let words = try NodeCallError(json: Array(#"{"code":3,"message":"execution reverted: UniswapV2Router: EXPIRED"}"#.utf8))
        #expect(words.revert() == .nodeText("UniswapV2Router: EXPIRED"))
        let bare = try NodeCallError(json: Array(#"{"code":3,"message":"execution reverted","data":"0x"}"#.utf8))
        #expect(bare.revert() == .empty)
        let funds = try NodeCallError(json: Array(#"{"code":-32000,"message":"insufficient funds for gas * price + value: have 0 want 1"}"#.utf8))
        #expect(funds.revert() == nil)
        #expect(funds.description == "node error -32000: insufficient funds for gas * price + value: have 0 want 1")
        #expect(throws: NodeCallError.Unreadable(problem: "no integer code")) {
            try NodeCallError(json: Array(#"{"message":"x"}"#.utf8))
        }
        #expect(throws: NodeCallError.Unreadable(problem: "not JSON")) { try NodeCallError(json: Array("{".utf8)) }
    }
}
