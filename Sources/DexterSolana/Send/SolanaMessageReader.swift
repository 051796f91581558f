import DexterCrypto

/// A message someone else built (Jupiter's swap transaction), read before dexter signs it: who pays and signs, which
/// programs its instructions call, and what its compute-budget instructions ask (solana.com/docs/core/transactions:
/// a legacy message, or a version-0 one after its 0x80 prefix with address-lookup-table entries at the end).
/// Programs are always static keys — the runtime refuses a program loaded from a lookup table — so every
/// instruction's program is known without the tables.
public struct SolanaMessageReader: Sendable, Hashable {
    public struct Instruction: Sendable, Hashable {
        public let program: SolanaPublicKey
        public let accountIndices: [UInt8]
        public let data: [UInt8]
    }

    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        case truncated(String)
        case bad(String)

        public var description: String {
            switch self {
            case .truncated(let what): "the message ends inside \(what)"
            case .bad(let what): "the message is malformed: \(what)"
            }
        }
    }

    public let isVersioned: Bool
    public let requiredSignatures: Int
    public let staticKeys: [SolanaPublicKey]
    public let recentBlockhash: [UInt8]
    public let instructions: [Instruction]
    /// How many lookup tables it loads accounts from (version 0 only).
    public let lookupTables: Int

    public var feePayer: SolanaPublicKey? { staticKeys.first }

    /// The compute-budget program, whose instructions set the unit limit and price.
    public static let computeBudgetProgram = try! SolanaPublicKey(base58: "ComputeBudget111111111111111111111111111111")
    public var programs: [SolanaPublicKey] { instructions.map(\.program) }

    public init(_ bytes: [UInt8]) throws(Failure) {
        var at = 0
        func byte(_ what: String) throws(Failure) -> UInt8 {
            guard at < bytes.count else { throw .truncated(what) }
            defer { at += 1 }
            return bytes[at]
        }
        func take(_ count: Int, _ what: String) throws(Failure) -> [UInt8] {
            guard count >= 0, bytes.count - at >= count else { throw .truncated(what) }
            defer { at += count }
            return Array(bytes[at..<at + count])
        }
        func length(_ what: String) throws(Failure) -> Int {
            do {
                let (value, used) = try ShortVec.decode(bytes[min(at, bytes.count)...])
                at += used
                return value
            } catch {
                throw .bad("\(what): \(error)")
            }
        }
        var first = try byte("the header")
        isVersioned = first & 0x80 != 0
        if isVersioned {
            guard first & 0x7f == 0 else { throw .bad("version \(first & 0x7f) (only 0 is known)") }
            first = try byte("the header")
        }
        requiredSignatures = Int(first)
        _ = try take(2, "the header")
        let keyCount = try length("the account count")
        var keys: [SolanaPublicKey] = []
        for index in 0..<keyCount { keys.append(SolanaPublicKey(bytes: try take(32, "account \(index)"))) }
        guard requiredSignatures >= 1, requiredSignatures <= keys.count else {
            throw .bad("\(requiredSignatures) signatures for \(keys.count) static accounts")
        }
        staticKeys = keys
        recentBlockhash = try take(32, "the blockhash")
        var instructions: [Instruction] = []
        for index in 0..<(try length("the instruction count")) {
            let programIndex = Int(try byte("instruction \(index)"))
            guard programIndex < keys.count else { throw .bad("instruction \(index) calls account \(programIndex), not a static key") }
            let accounts = try take(try length("instruction \(index)'s accounts"), "instruction \(index)'s accounts")
            let data = try take(try length("instruction \(index)'s data"), "instruction \(index)'s data")
            instructions.append(Instruction(program: keys[programIndex], accountIndices: accounts, data: data))
        }
        self.instructions = instructions
        var tables = 0
        if isVersioned {
            tables = try length("the lookup-table count")
            for index in 0..<tables {
                _ = try take(32, "lookup table \(index)")
                _ = try take(try length("lookup table \(index)'s writable indexes"), "lookup table \(index)")
                _ = try take(try length("lookup table \(index)'s readonly indexes"), "lookup table \(index)")
            }
        }
        lookupTables = tables
        guard at == bytes.count else { throw .bad("\(bytes.count - at) bytes after its end") }
    }

    /// What its compute-budget instructions set: the unit limit and the price per unit (µlamports), nil when unset.
    public var computeBudget: (limit: UInt32?, microLamportsPerUnit: UInt64?) {
        var limit: UInt32?, price: UInt64?
        for instruction in instructions where instruction.program == Self.computeBudgetProgram {
            let data = instruction.data
            if data.first == 2, data.count == 5 {
                limit = data[1...4].reversed().reduce(0) { $0 << 8 | UInt32($1) }
            } else if data.first == 3, data.count == 9 {
                price = data[1...8].reversed().reduce(0) { $0 << 8 | UInt64($1) }
            }
        }
        return (limit, price)
    }
}
