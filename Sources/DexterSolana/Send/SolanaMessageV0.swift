import DexterCrypto

/// Instructions of the programs a swap transaction needs beside the swap itself.
public enum SolanaPrograms {
    public static let computeBudget = SolanaMessageReader.computeBudgetProgram
    public static let token = try! SolanaPublicKey(base58: "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")

    /// ComputeBudget SetComputeUnitLimit: the most compute units the transaction may use.
    public static func computeUnitLimit(_ units: UInt32) -> SolanaInstruction {
        SolanaInstruction(program: computeBudget, accounts: [], data: [2] + littleEndian(UInt64(units), bytes: 4))
    }

    /// ComputeBudget SetComputeUnitPrice: the priority fee, in µlamports per compute unit of the limit.
    public static func computeUnitPrice(microLamports: UInt64) -> SolanaInstruction {
        SolanaInstruction(program: computeBudget, accounts: [], data: [3] + littleEndian(microLamports, bytes: 8))
    }

    /// SPL Token Transfer (instruction 3): `amount` base units from `source` to `destination`, signed by `owner`.
    public static func tokenTransfer(source: SolanaPublicKey, destination: SolanaPublicKey, owner: SolanaPublicKey,
                                     amount: UInt64) -> SolanaInstruction {
        SolanaInstruction(program: token,
                          accounts: [.init(key: source, isSigner: false, isWritable: true),
                                     .init(key: destination, isSigner: false, isWritable: true),
                                     .init(key: owner, isSigner: true, isWritable: false)],
                          data: [3] + littleEndian(amount, bytes: 8))
    }

    static func littleEndian(_ value: UInt64, bytes: Int) -> [UInt8] {
        (0..<bytes).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }

    /// The fee the runtime charges: 5,000 lamports per signature plus ⌈price × limit / 10⁶⌉ (charged on failure too).
    public static func fee(signatures: Int, computeUnitLimit: UInt32, microLamportsPerUnit: UInt64) -> UInt64 {
        let priority = (UInt128(microLamportsPerUnit) * UInt128(computeUnitLimit) + 999_999) / 1_000_000
        return UInt64(signatures) * SolanaFees.signatureLamports + UInt64(priority)
    }
}

/// A version-0 message (solana.com/docs/core/transactions, "versioned transactions"): the legacy account order and
/// instruction encoding after a 0x80 prefix, with an address-lookup-table section (empty here: every account is a
/// static key, which fits a swap of a few pools; tables are not built yet).
public struct SolanaMessageV0: Sendable, Hashable {
    public let feePayer: SolanaPublicKey
    public let recentBlockhash: [UInt8]
    public let instructions: [SolanaInstruction]
    /// Accounts in message order, as the legacy message orders them.
    public let accountKeys: [SolanaInstruction.Account]

    public init(feePayer: SolanaPublicKey, recentBlockhash: [UInt8], instructions: [SolanaInstruction]) {
        self.feePayer = feePayer
        self.recentBlockhash = recentBlockhash
        self.instructions = instructions
        accountKeys = SolanaTransaction(feePayer: feePayer, recentBlockhash: recentBlockhash,
                                        instructions: instructions).accountKeys
    }

    /// The bytes the signatures cover.
    public func serialized() throws -> [UInt8] {
        let index = Dictionary(uniqueKeysWithValues: accountKeys.enumerated().map { ($0.element.key, UInt8($0.offset)) })
        guard accountKeys.count <= 256 else { throw SolanaSendError.tooManyAccounts(accountKeys.count) }
        var bytes: [UInt8] = [0x80,
                              UInt8(accountKeys.filter(\.isSigner).count),
                              UInt8(accountKeys.filter { $0.isSigner && !$0.isWritable }.count),
                              UInt8(accountKeys.filter { !$0.isSigner && !$0.isWritable }.count)]
        bytes += try ShortVec.encode(accountKeys.count)
        for account in accountKeys { bytes += account.key.bytes }
        bytes += recentBlockhash
        bytes += try ShortVec.encode(instructions.count)
        for instruction in instructions {
            bytes.append(index[instruction.program]!)
            bytes += try ShortVec.encode(instruction.accounts.count)
            bytes += instruction.accounts.map { index[$0.key]! }
            bytes += try ShortVec.encode(instruction.data.count)
            bytes += instruction.data
        }
        bytes += try ShortVec.encode(0)  // no address lookup tables
        return bytes
    }

    /// The wire transaction: each required signature in account order, then the message.
    public func signed(by keypairs: [SolanaKeypair]) throws -> SolanaSignedTransaction {
        let message = try serialized()
        let signers = accountKeys.filter(\.isSigner)
        var wire = try ShortVec.encode(signers.count)
        var first: [UInt8] = []
        for signer in signers {
            guard let keypair = keypairs.first(where: { $0.publicKey == signer.key }) else {
                throw SolanaError.missingSigner(signer.key)
            }
            let signature = try keypair.sign(message)
            if first.isEmpty { first = signature }
            wire += signature
        }
        return SolanaSignedTransaction(wire: wire + message, signature: Base58.encode(first))
    }
}

/// Signed wire bytes and the signature that identifies them (the fee payer's).
public struct SolanaSignedTransaction: Sendable, Hashable {
    public let wire: [UInt8]
    public let signature: String
}

public enum SolanaSendError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A v0 message without lookup tables holds at most 256 accounts.
    case tooManyAccounts(Int)
    /// The node refused the transaction in its simulation: the runtime's error and the programs' logs.
    case simulationFailed(SolanaTransactionError?, logs: [String])

    public var description: String {
        switch self {
        case .tooManyAccounts(let count): "\(count) accounts do not fit one message without lookup tables"
        case .simulationFailed(let error, let logs):
            "refused in simulation: \(error?.description ?? "no error given")"
                + (logs.isEmpty ? "" : "; logs: " + logs.suffix(6).joined(separator: " | "))
        }
    }
}
