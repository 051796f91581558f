import DexterCrypto
import Foundation

/// Why a transaction failed, in the words a trader reads: which instruction, which program, and what the program's
/// error means ("instruction 2 (SPL Token): insufficient funds (custom error 1)"), with the runtime's error and the
/// logs kept for whoever needs more.
public struct SolanaFailure: Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// The compute-unit limit ran out (`ComputationalBudgetExceeded`, or `ProgramFailedToComplete` with the
        /// "exceeded CUs meter" log line).
        case outOfComputeUnits
        /// A program panicked: where and why, from its log line after "panicked at".
        case panicked(String)
        /// A program's own error code: its name and meaning where the program's table is known here.
        case programError(code: UInt32, name: String?, meaning: String?)
        /// The transaction's blockhash is unknown to the node or expired.
        case blockhashNotFound
        /// A transfer would leave the account at this index below rent exemption.
        case insufficientFundsForRent(accountIndex: Int?)
        /// Anything else, in the runtime's own words.
        case runtime(String)
    }

    /// An instruction's index in the message and its program's name (", in <callee>" when a program it called
    /// failed).
    public struct FailingInstruction: Sendable, Hashable {
        public let index: Int
        public let program: String
    }

    public let error: SolanaTransactionError
    public let reason: Reason
    /// The failing instruction, when the error is an instruction's.
    public let instruction: FailingInstruction?
    public let computeUnitLimit: UInt32?
    public let logs: [String]

    /// `programs`: the program of each instruction of the message, to name the failing one; `computeUnitLimit`:
    /// the limit the message set, to say how much ran out.
    public init(_ error: SolanaTransactionError, programs: [SolanaPublicKey], computeUnitLimit: UInt32?, logs: [String]) {
        self.error = error
        self.computeUnitLimit = computeUnitLimit
        self.logs = logs
        switch error {
        case .instruction(let index, let detail):
            let top = programs.indices.contains(index) ? programs[index] : nil
            // A program called by the instruction's program fails first: its "failed" line is the first in the logs.
            let origin = Self.firstFailingProgram(logs) ?? top
            var name = top.map(Self.programName) ?? "unknown program"
            if let origin, origin != top { name += ", in \(Self.programName(origin))" }
            instruction = FailingInstruction(index: index, program: name)
            reason = Self.reason(detail, program: origin, logs: logs)
        case .named("BlockhashNotFound"):
            instruction = nil
            reason = .blockhashNotFound
        case .named(let name):
            instruction = nil
            reason = .runtime(name)
        case .other(let text):
            instruction = nil
            reason = Self.insufficientFundsForRent(text).map { .insufficientFundsForRent(accountIndex: $0) }
                ?? .runtime(text)
        }
    }

    public var description: String {
        let what: String = switch reason {
        case .outOfComputeUnits: "ran out of compute units" + (computeUnitLimit.map { " (limit \($0) CU)" } ?? "")
        case .panicked(let message): "program panicked: \(message)"
        case .programError(let code, _, let meaning?): "\(meaning) (custom error \(code))"
        case .programError(let code, _, nil): "custom error \(code) (0x\(String(code, radix: 16)))"
        case .blockhashNotFound: "the blockhash is unknown or expired (BlockhashNotFound)"
        case .insufficientFundsForRent(let index?):
            "account \(index) would be left below rent exemption (InsufficientFundsForRent)"
        case .insufficientFundsForRent(nil): "an account would be left below rent exemption (InsufficientFundsForRent)"
        case .runtime(let text): text
        }
        guard let instruction else { return what }
        return "instruction \(instruction.index) (\(instruction.program)): \(what)"
    }

    private static func reason(_ detail: SolanaTransactionError.InstructionError, program: SolanaPublicKey?,
                               logs: [String]) -> Reason {
        switch detail {
        case .named("ComputationalBudgetExceeded"): return .outOfComputeUnits
        case .named("ProgramFailedToComplete"):
            if logs.contains(where: { $0.contains("exceeded CUs meter") }) { return .outOfComputeUnits }
            if let line = logs.first(where: { $0.contains("panicked at ") }),
               let start = line.range(of: "panicked at ") {
                return .panicked(String(line[start.upperBound...]))
            }
            return .runtime("ProgramFailedToComplete")
        case .custom(let code):
            let known = program.flatMap { SolanaErrorTables.entry(program: $0, code: code) }
            return .programError(code: code, name: known?.name, meaning: known?.meaning)
        case .named(let name): return .runtime(name)
        case .other(let text): return .runtime(text)
        }
    }

    /// `Program <id> failed: …`: the first such line names the program where the failure began.
    static func firstFailingProgram(_ logs: [String]) -> SolanaPublicKey? {
        for line in logs where line.hasPrefix("Program ") && line.contains(" failed") {
            let words = line.split(separator: " ")
            if words.count > 2, let key = try? SolanaPublicKey(base58: String(words[1])) { return key }
        }
        return nil
    }

    /// `{"InsufficientFundsForRent":{"account_index":N}}` as the runtime sends it (quoted whole by
    /// `SolanaTransactionError.other`).
    static func insufficientFundsForRent(_ text: String) -> Int?? {
        guard let json = try? JSONDecoder().decode(SolanaJSON.self, from: Data(text.utf8)),
              case .object(let members) = json, members.count == 1, let detail = members["InsufficientFundsForRent"]
        else { return nil }
        guard case .object(let fields) = detail else { return .some(nil) }
        return .some(fields["account_index"]?.integer)
    }

    /// The programs dexter names; any other by its base58 id.
    public static func programName(_ program: SolanaPublicKey) -> String {
        switch program {
        case .systemProgram: "System"
        case .tokenProgram: "SPL Token"
        case .token2022Program: "Token-2022"
        case .associatedTokenProgram: "Associated Token"
        case SolanaPrograms.computeBudget: "Compute Budget"
        default: program.description
        }
    }
}

/// The error codes of the programs a dexter transaction calls, from their sources.
enum SolanaErrorTables {
    /// spl-token `TokenError` (program/src/error.rs), codes 0…19 in order; Token-2022 keeps the same first twenty.
    static let token: [(name: String, meaning: String)] = [
        ("NotRentExempt", "lamport balance below rent-exempt threshold"),
        ("InsufficientFunds", "insufficient funds"),
        ("InvalidMint", "invalid mint"),
        ("MintMismatch", "account not associated with this mint"),
        ("OwnerMismatch", "owner does not match"),
        ("FixedSupply", "the token's supply is fixed"),
        ("AlreadyInUse", "the account is already in use"),
        ("InvalidNumberOfProvidedSigners", "invalid number of provided signers"),
        ("InvalidNumberOfRequiredSigners", "invalid number of required signers"),
        ("UninitializedState", "the account is not initialized"),
        ("NativeNotSupported", "the instruction does not support native tokens"),
        ("NonNativeHasBalance", "a non-native account can be closed only at zero balance"),
        ("InvalidInstruction", "invalid instruction"),
        ("InvalidState", "the account's state is invalid for the operation"),
        ("Overflow", "the operation overflowed"),
        ("AuthorityTypeNotSupported", "the account does not support that authority type"),
        ("MintCannotFreeze", "the mint cannot freeze accounts"),
        ("AccountFrozen", "the account is frozen"),
        ("MintDecimalsMismatch", "the decimals given differ from the mint's"),
        ("NonNativeNotSupported", "the instruction does not support non-native tokens"),
    ]

    /// solana `SystemError`, the two a payer meets.
    static let system: [(name: String, meaning: String)] = [
        ("AccountAlreadyInUse", "the account is already in use"),
        ("ResultWithNegativeLamports", "insufficient lamports"),
    ]

    static func entry(program: SolanaPublicKey, code: UInt32) -> (name: String, meaning: String)? {
        let table: [(name: String, meaning: String)] = switch program {
        case .tokenProgram, .token2022Program: token
        case .systemProgram: system
        default: []
        }
        return code < table.count ? table[Int(code)] : nil
    }
}
