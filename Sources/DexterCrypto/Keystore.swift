import Foundation

/// Web3 Secret Storage (keystore v3): an Ethereum key encrypted under a password, as geth, MyCrypto and ethers
/// write it. PBKDF2 and scrypt key derivation, AES-128-CTR, and a Keccak MAC that catches a wrong password or a
/// damaged file before anything is decrypted.
public enum Keystore {
    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        case malformed(String)
        case unsupported(String)
        /// The MAC does not match: the password is wrong, or the file was changed.
        case wrongPasswordOrDamaged
        case addressMismatch(expected: String, found: String)

        public var description: String {
            switch self {
            case .malformed(let what): return "keystore: \(what)"
            case .unsupported(let what): return "keystore: unsupported \(what)"
            case .wrongPasswordOrDamaged: return "keystore: wrong password, or the file has been changed"
            case .addressMismatch(let expected, let found):
                return "keystore: the file says \(expected) but the key inside is \(found)"
            }
        }
    }

    /// Scrypt cost for new files: N = 2^18, r = 8, p = 1, the geth and ethers default.
    public struct ScryptParameters: Sendable, Hashable {
        public var n: UInt64 = 1 << 18
        public var r: UInt64 = 8
        public var p: UInt64 = 1
        public init(n: UInt64 = 1 << 18, r: UInt64 = 8, p: UInt64 = 1) {
            self.n = n
            self.r = r
            self.p = p
        }
    }

    /// Decrypts a keystore; the address in the file, if any, must be the key's.
    public static func decrypt(_ json: Data, password: [UInt8]) throws -> EthereumPrivateKey {
        guard let root = try? JSONSerialization.jsonObject(with: json) as? [String: Any] else {
            throw Failure.malformed("not a JSON object")
        }
        guard let crypto = (root["crypto"] ?? root["Crypto"]) as? [String: Any] else { throw Failure.malformed("no crypto section") }
        func hex(_ object: [String: Any], _ key: String) throws -> [UInt8] {
            guard let text = object[key] as? String, let bytes = try? Hex.decode(text) else {
                throw Failure.malformed("\(key) is missing or not hex")
            }
            return bytes
        }
        guard (crypto["cipher"] as? String) == "aes-128-ctr" else {
            throw Failure.unsupported("cipher \(crypto["cipher"] as? String ?? "none")")
        }
        let params = crypto["kdfparams"] as? [String: Any] ?? [:]
        let salt = try hex(params, "salt")
        let length = params["dklen"] as? Int ?? 32
        guard length >= 32 else { throw Failure.malformed("dklen below 32") }
        let derived: [UInt8]
        switch crypto["kdf"] as? String {
        case "scrypt":
            guard let n = params["n"] as? Int, let r = params["r"] as? Int, let p = params["p"] as? Int, n > 1, r > 0, p > 0 else {
                throw Failure.malformed("scrypt parameters n, r, p")
            }
            derived = try OpenSSL.scrypt(password: password, salt: salt, n: UInt64(n), r: UInt64(r), p: UInt64(p), length: length)
        case "pbkdf2":
            guard (params["prf"] as? String) == "hmac-sha256", let rounds = params["c"] as? Int, rounds > 0 else {
                throw Failure.unsupported("pbkdf2 parameters (prf \(params["prf"] as? String ?? "none"))")
            }
            derived = try OpenSSL.pbkdf2SHA256(password: password, salt: salt, iterations: rounds, length: length)
        default:
            throw Failure.unsupported("kdf \(crypto["kdf"] as? String ?? "none")")
        }
        let ciphertext = try hex(crypto, "ciphertext")
        guard Keccak256.hash(Array(derived[16..<32]) + ciphertext) == (try hex(crypto, "mac")) else {
            throw Failure.wrongPasswordOrDamaged
        }
        let iv = try hex(crypto["cipherparams"] as? [String: Any] ?? [:], "iv")
        let key = try EthereumPrivateKey(bytes: OpenSSL.aes128CTR(key: Array(derived[0..<16]), iv: iv, ciphertext))
        if let address = root["address"] as? String,
           Hex.encode(key.address.bytes, prefix: false) != address.lowercased().replacingOccurrences(of: "0x", with: "") {
            throw Failure.addressMismatch(expected: address, found: key.address.checksummed)
        }
        return key
    }

    /// Writes `key` as a scrypt keystore with a fresh salt and IV.
    public static func encrypt(_ key: EthereumPrivateKey, password: [UInt8], parameters: ScryptParameters = .init()) throws -> Data {
        var secret = key.secretBytes
        defer { for index in secret.indices { secret[index] = 0 } }
        let salt = try OpenSSL.randomBytes(32)
        let iv = try OpenSSL.randomBytes(16)
        let derived = try OpenSSL.scrypt(password: password, salt: salt, n: parameters.n, r: parameters.r, p: parameters.p,
                                         length: 32)
        let ciphertext = try OpenSSL.aes128CTR(key: Array(derived[0..<16]), iv: iv, secret)
        let mac = Keccak256.hash(Array(derived[16..<32]) + ciphertext)
        var uuid = try OpenSSL.randomBytes(16)
        uuid[6] = uuid[6] & 0x0F | 0x40
        uuid[8] = uuid[8] & 0x3F | 0x80
        let object: [String: Any] = [
            "version": 3,
            "id": UUID(uuid: (uuid[0], uuid[1], uuid[2], uuid[3], uuid[4], uuid[5], uuid[6], uuid[7], uuid[8], uuid[9],
                              uuid[10], uuid[11], uuid[12], uuid[13], uuid[14], uuid[15])).uuidString.lowercased(),
            "address": Hex.encode(key.address.bytes, prefix: false),
            "crypto": [
                "cipher": "aes-128-ctr",
                "cipherparams": ["iv": Hex.encode(iv, prefix: false)],
                "ciphertext": Hex.encode(ciphertext, prefix: false),
                "kdf": "scrypt",
                "kdfparams": ["dklen": 32, "n": parameters.n, "r": parameters.r, "p": parameters.p,
                              "salt": Hex.encode(salt, prefix: false)],
                "mac": Hex.encode(mac, prefix: false),
            ] as [String: Any],
        ]
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }
}
