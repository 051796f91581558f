import Foundation

/// A Solana public key (an account address).
public struct SolanaPublicKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) {
        precondition(bytes.count == 32, "a Solana public key is 32 bytes")
        self.bytes = bytes
    }

    public init(base58 text: String) throws {
        let decoded = try Base58.decode(text)
        guard decoded.count == 32 else { throw SolanaError.badKeyLength(text, decoded.count) }
        self.bytes = decoded
    }

    public static let systemProgram = SolanaPublicKey(bytes: [UInt8](repeating: 0, count: 32))

    public var description: String { Base58.encode(bytes) }
    public static func < (lhs: SolanaPublicKey, rhs: SolanaPublicKey) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }
}

public enum SolanaError: Error, Sendable, Hashable, CustomStringConvertible {
    case badKeyLength(String, Int)
    case badKeypairFile(String)
    case missingSigner(SolanaPublicKey)

    public var description: String {
        switch self {
        case .badKeyLength(let text, let count): return "\"\(text.prefix(60))\" is \(count) bytes, not a 32-byte Solana key"
        case .badKeypairFile(let reason): return "not a solana-keygen keypair file: \(reason)"
        case .missingSigner(let key): return "the transaction needs a signature from \(key), and no keypair was given for it"
        }
    }
}

/// An Ed25519 keypair as `solana-keygen` stores it: a JSON array of 64 numbers, seed then public key.
public final class SolanaKeypair: @unchecked Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    // Written once in init, read after, wiped in deinit.
    private let seed: UnsafeMutableBufferPointer<UInt8>
    public let publicKey: SolanaPublicKey

    public init(seed bytes: [UInt8]) throws {
        guard bytes.count == 32 else { throw SolanaError.badKeypairFile("a seed is 32 bytes, got \(bytes.count)") }
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 32)
        _ = buffer.initialize(from: bytes)
        seed = buffer
        publicKey = SolanaPublicKey(bytes: try OpenSSL.ed25519PublicKey(seed: bytes))
    }

    /// Reads the `solana-keygen` JSON form, checking that its public half matches its seed.
    public convenience init(keygenJSON data: Data) throws {
        guard let numbers = try? JSONSerialization.jsonObject(with: data) as? [Int] else {
            throw SolanaError.badKeypairFile("expected a JSON array of 64 numbers")
        }
        guard numbers.count == 64, numbers.allSatisfy({ (0...255).contains($0) }) else {
            throw SolanaError.badKeypairFile("expected 64 numbers from 0 to 255, got \(numbers.count)")
        }
        try self.init(seed: numbers.prefix(32).map { UInt8($0) })
        guard publicKey.bytes == numbers.suffix(32).map({ UInt8($0) }) else {
            throw SolanaError.badKeypairFile("its public key does not belong to its secret key")
        }
    }

    deinit {
        seed.update(repeating: 0)
        seed.deallocate()
    }

    public var keygenJSON: Data {
        (try? JSONSerialization.data(withJSONObject: (Array(seed) + publicKey.bytes).map(Int.init))) ?? Data()
    }

    public func sign(_ message: [UInt8]) throws -> [UInt8] { try OpenSSL.ed25519Sign(seed: Array(seed), message: message) }

    /// The raw seed, for encrypting it at rest; nothing outside this module sees it.
    var seedBytes: [UInt8] { Array(seed) }

    public var description: String { "SolanaKeypair(\(publicKey), secret redacted)" }
    public var debugDescription: String { description }
}

/// One instruction: a program, the accounts it touches, and its data.
public struct SolanaInstruction: Sendable, Hashable {
    public struct Account: Sendable, Hashable {
        public let key: SolanaPublicKey
        public let isSigner: Bool
        public let isWritable: Bool

        public init(key: SolanaPublicKey, isSigner: Bool, isWritable: Bool) {
            self.key = key
            self.isSigner = isSigner
            self.isWritable = isWritable
        }
    }

    public let program: SolanaPublicKey
    public let accounts: [Account]
    public let data: [UInt8]

    public init(program: SolanaPublicKey, accounts: [Account], data: [UInt8]) {
        self.program = program
        self.accounts = accounts
        self.data = data
    }

    /// SystemProgram.transfer: instruction 2, then the lamports as u64 little-endian.
    public static func transfer(from: SolanaPublicKey, to: SolanaPublicKey, lamports: UInt64) -> SolanaInstruction {
        var data: [UInt8] = [2, 0, 0, 0]
        for shift in stride(from: 0, to: 64, by: 8) { data.append(UInt8(truncatingIfNeeded: lamports >> UInt64(shift))) }
        return SolanaInstruction(program: .systemProgram,
                                 accounts: [Account(key: from, isSigner: true, isWritable: true),
                                            Account(key: to, isSigner: false, isWritable: true)],
                                 data: data)
    }
}

/// A legacy (unversioned) Solana transaction, compiled as web3.js compiles it.
public struct SolanaTransaction: Sendable, Hashable {
    public let feePayer: SolanaPublicKey
    public let recentBlockhash: [UInt8]
    public let instructions: [SolanaInstruction]

    public init(feePayer: SolanaPublicKey, recentBlockhash: [UInt8], instructions: [SolanaInstruction]) {
        self.feePayer = feePayer
        self.recentBlockhash = recentBlockhash
        self.instructions = instructions
    }

    /// Accounts in message order: the fee payer, then writable signers, readonly signers, writable non-signers and
    /// readonly non-signers; within a group, in order of first appearance. Programs are readonly non-signers.
    public var accountKeys: [SolanaInstruction.Account] {
        var merged: [SolanaPublicKey: SolanaInstruction.Account] = [:]
        var order: [SolanaPublicKey] = []
        func add(_ account: SolanaInstruction.Account) {
            if let existing = merged[account.key] {
                merged[account.key] = .init(key: account.key, isSigner: existing.isSigner || account.isSigner,
                                            isWritable: existing.isWritable || account.isWritable)
            } else {
                merged[account.key] = account
                order.append(account.key)
            }
        }
        add(.init(key: feePayer, isSigner: true, isWritable: true))
        for instruction in instructions {
            for account in instruction.accounts { add(account) }
            add(.init(key: instruction.program, isSigner: false, isWritable: false))
        }
        let accounts = order.compactMap { merged[$0] }
        func rank(_ account: SolanaInstruction.Account) -> Int {
            if account.key == feePayer { return 0 }
            switch (account.isSigner, account.isWritable) {
            case (true, true): return 1
            case (true, false): return 2
            case (false, true): return 3
            case (false, false): return 4
            }
        }
        return accounts.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }.map(\.element)
    }

    /// The message the signatures cover.
    public func message() throws -> [UInt8] {
        let keys = accountKeys
        let index = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($0.element.key, UInt8($0.offset)) })
        var bytes: [UInt8] = [
            UInt8(keys.filter(\.isSigner).count),
            UInt8(keys.filter { $0.isSigner && !$0.isWritable }.count),
            UInt8(keys.filter { !$0.isSigner && !$0.isWritable }.count),
        ]
        bytes += try ShortVec.encode(keys.count)
        for key in keys { bytes += key.key.bytes }
        bytes += recentBlockhash
        bytes += try ShortVec.encode(instructions.count)
        for instruction in instructions {
            bytes.append(index[instruction.program] ?? 0)
            bytes += try ShortVec.encode(instruction.accounts.count)
            bytes += instruction.accounts.map { index[$0.key] ?? 0 }
            bytes += try ShortVec.encode(instruction.data.count)
            bytes += instruction.data
        }
        return bytes
    }

    /// The wire form: every required signature, in account order, then the message. A missing signer is an error.
    public func signed(by keypairs: [SolanaKeypair]) throws -> [UInt8] {
        let message = try message()
        let signers = accountKeys.filter(\.isSigner)
        var wire = try ShortVec.encode(signers.count)
        for signer in signers {
            guard let keypair = keypairs.first(where: { $0.publicKey == signer.key }) else {
                throw SolanaError.missingSigner(signer.key)
            }
            wire += try keypair.sign(message)
        }
        return wire + message
    }

    /// The wire form with zeroed signatures, as web3.js serialises an unsigned transaction.
    public func unsignedWire() throws -> [UInt8] {
        let signers = accountKeys.filter(\.isSigner).count
        return try ShortVec.encode(signers) + [UInt8](repeating: 0, count: 64 * signers) + message()
    }
}
