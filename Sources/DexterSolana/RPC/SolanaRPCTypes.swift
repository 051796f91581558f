import DexterCrypto
import Foundation

/// How settled a read or a status must be (solana.com/docs/rpc#configuring-state-commitment). dexter always says
/// which: processed for prices, confirmed for fills, finalized for the ledger's last word.
public enum SolanaCommitment: String, Sendable, Hashable, Comparable, CaseIterable {
    case processed, confirmed, finalized

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// A recent blockhash and the last block height at which a transaction using it can land.
public struct SolanaBlockhash: Sendable, Hashable {
    public let hash: [UInt8]
    public let lastValidBlockHeight: UInt64
    /// The slot the node answered at.
    public let slot: UInt64

    init(_ wire: SolanaWire.Blockhash, slot: UInt64, field: String) throws(SolanaRPCError.Field) {
        guard let bytes = try? Base58.decode(wire.blockhash), bytes.count == 32 else {
            throw SolanaRPCError.Field(field: field + ".blockhash", reason: "\(wire.blockhash) is not 32 base58 bytes")
        }
        hash = bytes
        lastValidBlockHeight = wire.lastValidBlockHeight.value
        self.slot = slot
    }

    public init(hash: [UInt8], lastValidBlockHeight: UInt64, slot: UInt64) {
        self.hash = hash
        self.lastValidBlockHeight = lastValidBlockHeight
        self.slot = slot
    }
}

/// An account as read: lamports, owner program, the raw data.
public struct SolanaAccount: Sendable, Hashable {
    public let lamports: UInt64
    public let owner: SolanaPublicKey
    public let data: [UInt8]
    public let executable: Bool

    init(_ wire: SolanaWire.Account, field: String) throws(SolanaRPCError.Field) {
        guard let owner = try? SolanaPublicKey(base58: wire.owner) else {
            throw SolanaRPCError.Field(field: field + ".owner", reason: "\(wire.owner.prefix(60)) is not a public key")
        }
        guard wire.data.count == 2, wire.data[1] == "base64" else {
            throw SolanaRPCError.Field(field: field + ".data", reason: "not [text, \"base64\"] as asked")
        }
        guard let bytes = Data(base64Encoded: wire.data[0]) else {
            throw SolanaRPCError.Field(field: field + ".data[0]", reason: "not base64")
        }
        lamports = wire.lamports.value
        self.owner = owner
        data = [UInt8](bytes)
        executable = wire.executable
    }
}

/// An SPL token amount in base units, with the mint's decimals.
public struct SolanaTokenAmount: Sendable, Hashable {
    public let amount: UInt64
    public let decimals: UInt8

    public init(amount: UInt64, decimals: UInt8) {
        self.amount = amount
        self.decimals = decimals
    }

    init(_ wire: SolanaWire.TokenAmount, field: String) throws(SolanaRPCError.Field) {
        // Base units are a decimal string: never the float uiAmount.
        guard let amount = UInt64(wire.amount) else {
            throw SolanaRPCError.Field(field: field + ".amount", reason: "\(wire.amount.prefix(40)) is not a u64")
        }
        self.amount = amount
        decimals = wire.decimals
    }
}

/// A token balance of a transaction's account (pre or post), by its index in the message.
public struct SolanaTokenBalance: Sendable, Hashable {
    public let accountIndex: Int
    public let mint: SolanaPublicKey
    public let owner: SolanaPublicKey?
    public let amount: SolanaTokenAmount
}

/// Why a transaction failed, as the runtime reports it: a named error (`BlockhashNotFound`) or an instruction's
/// error (`{"InstructionError": [1, {"Custom": 6005}]}`), custom codes kept as numbers for each program's table.
public enum SolanaTransactionError: Sendable, Hashable, CustomStringConvertible {
    case named(String)
    case instruction(index: Int, InstructionError)
    /// A shape not known here, quoted whole.
    case other(String)

    public enum InstructionError: Sendable, Hashable, CustomStringConvertible {
        case custom(UInt32)
        case named(String)
        case other(String)

        public var description: String {
            switch self {
            case .custom(let code): "custom program error \(code) (0x\(String(code, radix: 16)))"
            case .named(let name): name
            case .other(let text): text
            }
        }
    }

    public init(_ json: SolanaJSON) {
        switch json {
        case .string(let name): self = .named(name)
        case .object(let members):
            if members.count == 1, case .array(let parts)? = members["InstructionError"], parts.count == 2,
               let index = parts[0].integer {
                switch parts[1] {
                case .string(let name): self = .instruction(index: index, .named(name))
                case .object(let detail):
                    if detail.count == 1, let code = detail["Custom"]?.integer, let custom = UInt32(exactly: code) {
                        self = .instruction(index: index, .custom(custom))
                    } else {
                        self = .instruction(index: index, .other(parts[1].description))
                    }
                default: self = .instruction(index: index, .other(parts[1].description))
                }
            } else {
                self = .other(json.description)
            }
        default: self = .other(json.description)
        }
    }

    public var description: String {
        switch self {
        case .named(let name): name
        case .instruction(let index, let error): "instruction \(index): \(error)"
        case .other(let text): text
        }
    }
}

extension SolanaJSON {
    var integer: Int? {
        switch self {
        case .integer(let value): Int(exactly: value)
        case .unsigned(let value): Int(exactly: value)
        default: nil
        }
    }
}

/// What `simulateTransaction` (or a refused preflight) says the transaction would do.
public struct SolanaSimulation: Sendable, Hashable {
    public let error: SolanaTransactionError?
    public let logs: [String]
    public let unitsConsumed: UInt64?
    public let fee: UInt64?
    public let replacementBlockhash: SolanaBlockhash?
    public let preTokenBalances: [SolanaTokenBalance]
    public let postTokenBalances: [SolanaTokenBalance]

    init(_ wire: SolanaWire.Simulation, field: String, method: String, endpoint: String) throws(SolanaRPCError) {
        do {
            error = wire.err.flatMap { $0 == .null ? nil : SolanaTransactionError($0) }
            logs = wire.logs ?? []
            unitsConsumed = wire.unitsConsumed?.value
            fee = wire.fee?.value
            replacementBlockhash = try wire.replacementBlockhash.map { (value) throws(SolanaRPCError.Field) in
                try SolanaBlockhash(value, slot: 0, field: field + ".replacementBlockhash")
            }
            preTokenBalances = try Self.balances(wire.preTokenBalances, field: field + ".preTokenBalances")
            postTokenBalances = try Self.balances(wire.postTokenBalances, field: field + ".postTokenBalances")
        } catch {
            throw .malformed(endpoint: endpoint, method: method, field: error.field, reason: error.reason)
        }
    }

    static func balances(_ wire: [SolanaWire.TokenBalance]?, field: String) throws(SolanaRPCError.Field)
        -> [SolanaTokenBalance] {
        var balances: [SolanaTokenBalance] = []
        for (index, entry) in (wire ?? []).enumerated() {
            let here = "\(field)[\(index)]"
            guard let mint = try? SolanaPublicKey(base58: entry.mint) else {
                throw SolanaRPCError.Field(field: here + ".mint", reason: "not a public key")
            }
            let owner = try entry.owner.map { (text) throws(SolanaRPCError.Field) in
                guard let key = try? SolanaPublicKey(base58: text) else {
                    throw SolanaRPCError.Field(field: here + ".owner", reason: "not a public key")
                }
                return key
            }
            balances.append(SolanaTokenBalance(accountIndex: entry.accountIndex, mint: mint, owner: owner,
                                               amount: try SolanaTokenAmount(entry.uiTokenAmount,
                                                                             field: here + ".uiTokenAmount")))
        }
        return balances
    }
}

/// A transaction's status: where it landed, how settled, and its error if it failed.
public struct SolanaSignatureStatus: Sendable, Hashable {
    public let slot: UInt64
    public let confirmations: UInt64?
    public let error: SolanaTransactionError?
    public let commitment: SolanaCommitment?
}

extension SolanaRPCError {
    /// A field of an answer that has the right JSON type and the wrong content.
    struct Field: Error {
        let field: String
        let reason: String
    }
}
