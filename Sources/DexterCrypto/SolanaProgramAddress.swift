import BigInt
import Foundation

/// Program-derived addresses (solana.com/docs/core/pda): sha256(seeds ‖ program ‖ "ProgramDerivedAddress"), kept only
/// when the hash is *not* an Ed25519 point, so no private key can sign for it; `findProgramAddress` tries bumps 255
/// down to 0 as the runtime's `find_program_address` does, and the first off-curve one is canonical.
extension SolanaPublicKey {
    /// What `create_program_address` refuses.
    public enum ProgramAddressError: Error, Sendable, Hashable, CustomStringConvertible {
        /// A seed longer than 32 bytes, or more than 16 seeds.
        case badSeeds(String)
        /// The hash lies on the curve: an address someone could hold a key for.
        case onCurve
        /// No bump from 255 to 0 gave an off-curve address (astronomically unlikely).
        case noBump

        public var description: String {
            switch self {
            case .badSeeds(let why): "program address seeds: \(why)"
            case .onCurve: "the derived address is on the Ed25519 curve"
            case .noBump: "no bump seed gives an address off the curve"
            }
        }
    }

    static let maxSeeds = 16
    static let maxSeedLength = 32

    /// `create_program_address`: the address of exactly these seeds (the bump, if any, is the last seed).
    public static func createProgramAddress(seeds: [[UInt8]], program: SolanaPublicKey) throws(ProgramAddressError)
        -> SolanaPublicKey {
        guard seeds.count <= maxSeeds else { throw .badSeeds("\(seeds.count) seeds, at most \(maxSeeds)") }
        if let long = seeds.first(where: { $0.count > maxSeedLength }) {
            throw .badSeeds("a seed of \(long.count) bytes, at most \(maxSeedLength)")
        }
        let hash = OpenSSL.sha256(seeds.flatMap { $0 } + program.bytes + Array("ProgramDerivedAddress".utf8))
        guard !Ed25519Curve.isOnCurve(hash) else { throw .onCurve }
        return SolanaPublicKey(bytes: hash)
    }

    /// `find_program_address`: the canonical address of `seeds` under `program`, and its bump.
    public static func findProgramAddress(seeds: [[UInt8]], program: SolanaPublicKey) throws(ProgramAddressError)
        -> (address: SolanaPublicKey, bump: UInt8) {
        guard seeds.count < maxSeeds else { throw .badSeeds("\(seeds.count) seeds and a bump, at most \(maxSeeds)") }
        for bump in stride(from: 255, through: 0, by: -1) {
            do {
                return (try createProgramAddress(seeds: seeds + [[UInt8(bump)]], program: program), UInt8(bump))
            } catch .onCurve {
                continue
            }
        }
        throw .noBump
    }

    /// Whether the key is a point of Ed25519: a key someone may hold the private half of. A program-derived address
    /// never is.
    public var isOnCurve: Bool { Ed25519Curve.isOnCurve(bytes) }

    public static let tokenProgram = try! SolanaPublicKey(base58: "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
    public static let token2022Program = try! SolanaPublicKey(base58: "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb")
    public static let associatedTokenProgram = try! SolanaPublicKey(base58: "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL")

    /// The associated token account of `owner` for `mint` under `tokenProgram` (SPL Token or Token-2022): seeds
    /// [owner, token program, mint] under the associated-token program.
    public static func associatedTokenAddress(owner: SolanaPublicKey, mint: SolanaPublicKey,
                                              tokenProgram: SolanaPublicKey = tokenProgram) -> SolanaPublicKey {
        // Three 32-byte seeds are always valid, and a bump is found with overwhelming probability.
        try! findProgramAddress(seeds: [owner.bytes, tokenProgram.bytes, mint.bytes], program: associatedTokenProgram).address
    }
}

/// Whether 32 bytes decompress to a point of edwards25519, as curve25519-dalek's `CompressedEdwardsY::decompress`
/// decides (what the runtime asks): y is read modulo p with the sign bit cleared, and the point exists when
/// (y² − 1) / (d·y² + 1) is a square mod p.
enum Ed25519Curve {
    static let p = (BigUInt(1) << 255) - 19
    /// d = −121665 / 121666 mod p.
    static let d: BigUInt = {
        let inverse = BigUInt(121_666).power(p - 2, modulus: p)
        return (p - BigUInt(121_665)) * inverse % p
    }()

    static func isOnCurve(_ bytes: [UInt8]) -> Bool {
        precondition(bytes.count == 32)
        var littleEndian = bytes
        littleEndian[31] &= 0x7f
        let y = BigUInt(Data(littleEndian.reversed())) % p
        let yy = y * y % p
        let u = (yy + p - 1) % p
        let v = (d * yy + 1) % p
        // v is never 0 (−1/d is not a square), so u/v is defined; 0 is a square (x = 0).
        let ratio = u * v.power(p - 2, modulus: p) % p
        guard !ratio.isZero else { return true }
        return ratio.power((p - 1) / 2, modulus: p) == 1
    }
}
