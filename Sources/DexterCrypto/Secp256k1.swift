import CSecp256k1

/// secp256k1 through libsecp256k1: RFC 6979 deterministic, low-S, recoverable signatures.
public enum Secp256k1 {
    /// One context for the process; libsecp256k1 contexts are safe to share once created and never mutated.
    nonisolated(unsafe) static let context: OpaquePointer = {
        guard let context = secp256k1_context_create(dexter_secp256k1_context_sign_verify()) else {
            fatalError("libsecp256k1 could not create a context")
        }
        return context
    }()

    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// Zero, or not below the curve order.
        case invalidPrivateKey
        case invalidSignature
        case recoveryFailed
        case hashMustBe32Bytes

        public var description: String {
            switch self {
            case .invalidPrivateKey: return "not a valid secp256k1 private key (zero, or not below the curve order)"
            case .invalidSignature: return "not a valid secp256k1 signature"
            case .recoveryFailed: return "no public key recovers from this signature"
            case .hashMustBe32Bytes: return "a signed hash must be 32 bytes"
            }
        }
    }

    /// r, s (low-S) and the recovery id (y parity, 0 or 1).
    public struct Signature: Sendable, Hashable {
        public let r: [UInt8]
        public let s: [UInt8]
        public let recoveryId: Int

        public init(r: [UInt8], s: [UInt8], recoveryId: Int) {
            self.r = r
            self.s = s
            self.recoveryId = recoveryId
        }
    }

    static func publicKey(secret: [UInt8]) throws(Failure) -> [UInt8] {
        var key = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_create(context, &key, secret) == 1 else { throw .invalidPrivateKey }
        return serialize(&key)
    }

    static func serialize(_ key: inout secp256k1_pubkey) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 65)
        var length = 65
        _ = secp256k1_ec_pubkey_serialize(context, &output, &length, &key, dexter_secp256k1_uncompressed())
        return output
    }

    static func sign(hash: [UInt8], secret: [UInt8]) throws(Failure) -> Signature {
        guard hash.count == 32 else { throw .hashMustBe32Bytes }
        var signature = secp256k1_ecdsa_recoverable_signature()
        guard secp256k1_ecdsa_sign_recoverable(context, &signature, hash, secret, nil, nil) == 1 else {
            throw .invalidPrivateKey
        }
        var compact = [UInt8](repeating: 0, count: 64)
        var recoveryId: Int32 = 0
        _ = secp256k1_ecdsa_recoverable_signature_serialize_compact(context, &compact, &recoveryId, &signature)
        return Signature(r: Array(compact[0..<32]), s: Array(compact[32..<64]), recoveryId: Int(recoveryId))
    }

    /// The uncompressed public key (65 bytes, 0x04 first) that produced `signature` over `hash`.
    public static func recover(hash: [UInt8], signature: Signature) throws(Failure) -> [UInt8] {
        guard hash.count == 32 else { throw .hashMustBe32Bytes }
        guard signature.r.count == 32, signature.s.count == 32, (0...1).contains(signature.recoveryId) else {
            throw .invalidSignature
        }
        var parsed = secp256k1_ecdsa_recoverable_signature()
        guard secp256k1_ecdsa_recoverable_signature_parse_compact(context, &parsed, signature.r + signature.s,
                                                                  Int32(signature.recoveryId)) == 1 else {
            throw .invalidSignature
        }
        var key = secp256k1_pubkey()
        guard secp256k1_ecdsa_recover(context, &key, &parsed, hash) == 1 else { throw .recoveryFailed }
        return serialize(&key)
    }
}

/// An Ethereum private key. It never prints, and its bytes are wiped when the last reference goes.
///
/// `@unchecked Sendable`: the buffer is written once in `init`, only read afterwards, and wiped in `deinit`, when
/// no other thread can hold the key.
public final class EthereumPrivateKey: @unchecked Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    private let secret: UnsafeMutableBufferPointer<UInt8>
    public let address: EthereumAddress

    public init(bytes: [UInt8]) throws(Secp256k1.Failure) {
        guard bytes.count == 32, secp256k1_ec_seckey_verify(Secp256k1.context, bytes) == 1 else {
            throw .invalidPrivateKey
        }
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 32)
        _ = buffer.initialize(from: bytes)
        secret = buffer
        let publicKey = try Secp256k1.publicKey(secret: Array(buffer))
        address = EthereumAddress(bytes: Array(Keccak256.hash(publicKey.dropFirst()).suffix(20)))
    }

    deinit {
        secret.update(repeating: 0)
        secret.deallocate()
    }

    /// Signs a 32-byte hash.
    public func sign(hash: [UInt8]) throws(Secp256k1.Failure) -> Secp256k1.Signature {
        try Secp256k1.sign(hash: hash, secret: Array(secret))
    }

    public var publicKey: [UInt8] { (try? Secp256k1.publicKey(secret: Array(secret))) ?? [] }

    /// The raw secret, for encrypting it at rest; nothing outside this module sees it.
    var secretBytes: [UInt8] { Array(secret) }

    public var description: String { "EthereumPrivateKey(\(address), secret redacted)" }
    public var debugDescription: String { description }
}

extension EthereumAddress {
    /// The address of an uncompressed public key: the last 20 bytes of keccak256 of its 64 coordinate bytes.
    public init(publicKey: [UInt8]) {
        self.init(bytes: Array(Keccak256.hash(publicKey.dropFirst()).suffix(20)))
    }
}
