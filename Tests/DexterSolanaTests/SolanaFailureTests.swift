import DexterCrypto
import Foundation
import Testing

@testable import DexterSolana

/// A failed transaction's error and logs decoded into words: the failing instruction, its program (and the program
/// it called when the failure began there), and the program's error from its table.
struct SolanaFailureTests {
    static let cb = SolanaPrograms.computeBudget, token = SolanaPublicKey.tokenProgram
    static let other = try! SolanaPublicKey(base58: "whirLbMiicVdio4qvUfM5KAg6Ct8VwpYzGff3uctyCc")

    static func failure(_ error: SolanaJSON, programs: [SolanaPublicKey] = [cb, cb, token], limit: UInt32? = 200,
                        logs: [String] = []) -> SolanaFailure {
        SolanaFailure(SolanaTransactionError(error), programs: programs, computeUnitLimit: limit, logs: logs)
    }

    static func instructionError(_ index: Int, _ detail: SolanaJSON) -> SolanaJSON { ["InstructionError": [.integer(Int64(index)), detail]] }

    @Test func anSPLTokenErrorIsNamedFromTheTable() {
        let insufficient = Self.failure(Self.instructionError(2, ["Custom": 1]), logs: [
            "Program \(Self.token) invoke [1]", "Program log: Instruction: Transfer", "Program log: Error: insufficient funds",
            "Program \(Self.token) failed: custom program error: 0x1",
        ])
        #expect(insufficient.description == "instruction 2 (SPL Token): insufficient funds (custom error 1)")
        #expect(insufficient.reason == .programError(code: 1, name: "InsufficientFunds", meaning: "insufficient funds"))
        let frozen = Self.failure(Self.instructionError(0, ["Custom": 17]), programs: [.token2022Program])
        #expect(frozen.description == "instruction 0 (Token-2022): the account is frozen (custom error 17)")
        let last = Self.failure(Self.instructionError(0, ["Custom": 19]), programs: [.tokenProgram])
        #expect(last.reason == .programError(code: 19, name: "NonNativeNotSupported",
                                             meaning: "the instruction does not support non-native tokens"))
        #expect(SolanaErrorTables.token.count == 20 && SolanaErrorTables.token[0].name == "NotRentExempt"
                && SolanaErrorTables.token[13].name == "InvalidState")
        // Past the table, and a program without one: the code, in decimal and hex.
        #expect(Self.failure(Self.instructionError(2, ["Custom": 20])).description
                == "instruction 2 (SPL Token): custom error 20 (0x14)")
        #expect(Self.failure(Self.instructionError(0, ["Custom": 6005]), programs: [Self.other]).description
                == "instruction 0 (\(Self.other)): custom error 6005 (0x1775)")
    }

    @Test func aFailureInACalledProgramNamesBoth() {
        let failure = Self.failure(Self.instructionError(2, ["Custom": 1]), programs: [Self.cb, Self.cb, .associatedTokenProgram], logs: [
            "Program \(SolanaPublicKey.associatedTokenProgram) invoke [1]", "Program 11111111111111111111111111111111 invoke [2]",
            "Transfer: insufficient lamports 100, need 2039280",
            "Program 11111111111111111111111111111111 failed: custom program error: 0x1",
            "Program \(SolanaPublicKey.associatedTokenProgram) failed: custom program error: 0x1",
        ])
        #expect(failure.description == "instruction 2 (Associated Token, in System): insufficient lamports (custom error 1)")
    }

    @Test func runningOutOfComputeUnitsSaysTheLimit() {
        let inProgram = Self.failure(Self.instructionError(2, "ProgramFailedToComplete"), logs: [
            "Program \(Self.token) invoke [1]",
            "Program \(Self.token) consumed 188 of 188 compute units",
            "Program \(Self.token) failed: exceeded CUs meter at BPF instruction",
        ])
        #expect(inProgram.description == "instruction 2 (SPL Token): ran out of compute units (limit 200 CU)")
        #expect(inProgram.reason == .outOfComputeUnits)
        let inBuiltin = Self.failure(Self.instructionError(1, "ComputationalBudgetExceeded"), limit: 100)
        #expect(inBuiltin.description == "instruction 1 (Compute Budget): ran out of compute units (limit 100 CU)")
        // ProgramFailedToComplete without either line is said as it is.
        #expect(Self.failure(Self.instructionError(2, "ProgramFailedToComplete")).description
                == "instruction 2 (SPL Token): ProgramFailedToComplete")
    }

    @Test func aPanicQuotesWhereAndWhy() {
        let failure = Self.failure(Self.instructionError(0, "ProgramFailedToComplete"), programs: [Self.other], logs: [
            "Program \(Self.other) invoke [1]",
            "Program log: panicked at programs/whirlpool/src/math.rs:42:9: attempt to subtract with overflow",
            "Program \(Self.other) failed: SBF program panicked",
        ])
        #expect(failure.description
                == "instruction 0 (\(Self.other)): program panicked: programs/whirlpool/src/math.rs:42:9: attempt to subtract with overflow")
    }

    @Test func transactionErrorsAreSaidInWords() {
        #expect(Self.failure("BlockhashNotFound").description == "the blockhash is unknown or expired (BlockhashNotFound)")
        #expect(Self.failure(["InsufficientFundsForRent": ["account_index": 2]]).description
                == "account 2 would be left below rent exemption (InsufficientFundsForRent)")
        #expect(Self.failure("AccountInUse").description == "AccountInUse")
        #expect(Self.failure(["Weird": 1]).reason == .runtime(#"{"Weird":1}"#))
        #expect(SolanaFailure.programName(.systemProgram) == "System")
        #expect(SolanaFailure.programName(.associatedTokenProgram) == "Associated Token")
    }
}
