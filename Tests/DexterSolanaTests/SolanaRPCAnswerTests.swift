import Testing

@testable import DexterSolana

/// The answer reader on answers that break the documented shapes: each failure names the field (its path in the
/// answer) and why; a node's error object is the node's error; a preflight refusal keeps its simulation.
@Suite struct SolanaRPCAnswerTests {
    func read<T: Decodable>(_ text: String, as type: T.Type, id: Int = 1) throws(SolanaRPCError) -> T {
        try SolanaRPCAnswer.read(Array(text.utf8), as: type, id: id, method: "m", endpoint: "http://node")
    }

    func field<T: Decodable>(_ text: String, as type: T.Type) -> String? {
        do {
            _ = try read(text, as: type)
            return nil
        } catch {
            if case .malformed(_, _, let field, let reason) = error { return field == "(answer)" ? reason : field }
            return "\(error)"
        }
    }

    @Test func aWrongFieldIsNamedByItsPath() {
        typealias Blockhash = SolanaWire.WithContext<SolanaWire.Blockhash>
        #expect(field(#"{"jsonrpc":"2.0","id":1,"result":{"context":{"slot":5},"value":{"blockhash":"x","lastValidBlockHeight":"9"}}}"#,
                      as: Blockhash.self) == "result.value.lastValidBlockHeight")
        #expect(field(#"{"jsonrpc":"2.0","id":1,"result":{"context":{"slot":5},"value":{"blockhash":"x"}}}"#,
                      as: Blockhash.self) == "result.value.lastValidBlockHeight")
        #expect(field(#"{"jsonrpc":"2.0","id":1,"result":{"context":{"slot":-1},"value":{"blockhash":"x","lastValidBlockHeight":9}}}"#,
                      as: Blockhash.self) == "result.context.slot")
        #expect(field(#"{"jsonrpc":"2.0","id":1,"result":[{"slot":1,"prioritizationFee":1},{"slot":2}]}"#,
                      as: [SolanaWire.PrioritizationFee].self) == "result[1].prioritizationFee")
        #expect(field(#"{"jsonrpc":"2.0","id":2,"result":5}"#, as: UInt64.self) == "id")
        #expect(field(#"{"jsonrpc":"2.0","id":1}"#, as: UInt64.self) == "result")
        #expect(field("not json", as: UInt64.self) == "The given data was not valid JSON.")
    }

    @Test func integersPast2To53AreExact() throws {
        // rentEpoch is u64::MAX on current clusters; lamports and slots are u64.
        #expect(try read(#"{"jsonrpc":"2.0","id":1,"result":18446744073709551615}"#, as: SolanaWire.U64.self).value == UInt64.max)
        #expect(try read(#"{"jsonrpc":"2.0","id":1,"result":9007199254740993}"#, as: SolanaWire.U64.self).value == 9_007_199_254_740_993)
        #expect(field(#"{"jsonrpc":"2.0","id":1,"result":18446744073709551616}"#, as: SolanaWire.U64.self) == "result")
    }

    @Test func aRefusedPreflightKeepsItsSimulation() {
        let text = #"""
            {"jsonrpc":"2.0","id":1,"error":{"code":-32002,"message":"Transaction simulation failed: Error processing Instruction 1: custom program error: 0x1775",
             "data":{"err":{"InstructionError":[1,{"Custom":6005}]},"logs":["Program log: AnchorError occurred. Error Code: ExceededSlippage."],"unitsConsumed":27932}}}
            """#
        do {
            _ = try read(text, as: String.self)
            Issue.record("an error object read as a result")
        } catch {
            guard case .rpc(_, _, let code, _, let simulation) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(code == -32002)
            #expect(simulation?.error == .instruction(index: 1, .custom(6005)))
            #expect(simulation?.error?.description == "instruction 1: custom program error 6005 (0x1775)")
            #expect(simulation?.logs.first?.contains("ExceededSlippage") == true)
            #expect(simulation?.unitsConsumed == 27932)
        }
    }

    @Test func transactionErrorsOfEveryShapeAreKept() {
        #expect(SolanaTransactionError(.string("BlockhashNotFound")) == .named("BlockhashNotFound"))
        #expect(SolanaTransactionError(["InstructionError": [0, "ProgramFailedToComplete"]])
                == .instruction(index: 0, .named("ProgramFailedToComplete")))
        #expect(SolanaTransactionError(["InsufficientFundsForRent": ["account_index": 2]])
                == .other(#"{"InsufficientFundsForRent":{"account_index":2}}"#))
    }
}
