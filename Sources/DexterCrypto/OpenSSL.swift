import Foundation
import COpenSSL

/// The OpenSSL primitives dexter uses (libcrypto 3.0): HMAC, SHA-2 and Ed25519.
public enum OpenSSL {
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        public let operation: String
        public var description: String { "OpenSSL: \(operation) failed" }
    }

    public static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] { hmac(EVP_sha256(), key: key, message: message) }
    public static func hmacSHA512(key: [UInt8], message: [UInt8]) -> [UInt8] { hmac(EVP_sha512(), key: key, message: message) }

    private static func hmac(_ digest: OpaquePointer?, key: [UInt8], message: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        _ = key.withUnsafeBytes { keyBytes in
            message.withUnsafeBytes { messageBytes in
                HMAC(digest, keyBytes.baseAddress, Int32(key.count), messageBytes.baseAddress?.assumingMemoryBound(to: UInt8.self),
                     message.count, &output, &length)
            }
        }
        return Array(output.prefix(Int(length)))
    }

    /// Lowercase hex SHA-256 of UTF-8 text (the audit chain's link).
    public static func sha256Hex(_ text: String) -> String {
        sha256(Array(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    public static func sha256(_ message: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 32)
        _ = SHA256(message, message.count, &output)
        return output
    }

    public static func sha512(_ message: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 64)
        _ = SHA512(message, message.count, &output)
        return output
    }

    /// The Ed25519 public key of a 32-byte seed.
    public static func ed25519PublicKey(seed: [UInt8]) throws(Failure) -> [UInt8] {
        guard seed.count == 32, let key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, seed, 32) else {
            throw Failure(operation: "Ed25519 key from seed")
        }
        defer { EVP_PKEY_free(key) }
        var publicKey = [UInt8](repeating: 0, count: 32)
        var length = 32
        guard EVP_PKEY_get_raw_public_key(key, &publicKey, &length) == 1 else { throw Failure(operation: "Ed25519 public key") }
        return publicKey
    }

    /// A pure Ed25519 signature (RFC 8032) of `message` under the 32-byte seed.
    public static func ed25519Sign(seed: [UInt8], message: [UInt8]) throws(Failure) -> [UInt8] {
        guard seed.count == 32, let key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, seed, 32) else {
            throw Failure(operation: "Ed25519 key from seed")
        }
        defer { EVP_PKEY_free(key) }
        guard let context = EVP_MD_CTX_new() else { throw Failure(operation: "digest context") }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, nil, nil, key) == 1 else { throw Failure(operation: "Ed25519 sign init") }
        var signature = [UInt8](repeating: 0, count: 64)
        var length = 64
        guard EVP_DigestSign(context, &signature, &length, message, message.count) == 1 else {
            throw Failure(operation: "Ed25519 sign")
        }
        return signature
    }

    public static func ed25519Verify(publicKey: [UInt8], message: [UInt8], signature: [UInt8]) -> Bool {
        guard publicKey.count == 32, signature.count == 64,
              let key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, publicKey, 32) else { return false }
        defer { EVP_PKEY_free(key) }
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, nil, nil, key) == 1 else { return false }
        return EVP_DigestVerify(context, signature, 64, message, message.count) == 1
    }
}

// MARK: - Key derivation and ciphers

extension OpenSSL {
    public static func pbkdf2SHA256(password: [UInt8], salt: [UInt8], iterations: Int, length: Int) throws(Failure) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: length)
        let status = password.withUnsafeBufferPointer { passwordBytes in
            PKCS5_PBKDF2_HMAC(passwordBytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                              Int32(password.count), salt, Int32(salt.count), Int32(iterations), EVP_sha256(),
                              Int32(length), &output)
        }
        guard status == 1 else { throw Failure(operation: "PBKDF2") }
        return output
    }

    /// scrypt; memory is allowed up to what the parameters need (128 · r · N bytes, plus slack). Parameter sets
    /// OpenSSL refuses (N ≥ 2^(16·r), which real keystores use) run through `Scrypt`.
    public static func scrypt(password: [UInt8], salt: [UInt8], n: UInt64, r: UInt64, p: UInt64, length: Int) throws(Failure) -> [UInt8] {
        if 16 * r < 64 && n >= UInt64(1) << (16 * r) {
            return try Scrypt.derive(password: password, salt: salt, n: Int(n), r: Int(r), p: Int(p), length: length)
        }
        var output = [UInt8](repeating: 0, count: length)
        let memory = 128 * r * n + 128 * r * p + (1 << 20)
        let status = password.withUnsafeBufferPointer { passwordBytes in
            EVP_PBE_scrypt(passwordBytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                           password.count, salt, salt.count, n, r, p, memory, &output, length)
        }
        guard status == 1 else { throw Failure(operation: "scrypt (N=\(n), r=\(r), p=\(p))") }
        return output
    }

    /// AES-128-CTR; the same call encrypts and decrypts.
    public static func aes128CTR(key: [UInt8], iv: [UInt8], _ input: [UInt8]) throws(Failure) -> [UInt8] {
        guard key.count == 16, iv.count == 16, let context = EVP_CIPHER_CTX_new() else { throw Failure(operation: "AES-128-CTR setup") }
        defer { EVP_CIPHER_CTX_free(context) }
        guard EVP_EncryptInit_ex(context, EVP_aes_128_ctr(), nil, key, iv) == 1 else { throw Failure(operation: "AES-128-CTR init") }
        var output = [UInt8](repeating: 0, count: input.count + 16)
        var written: Int32 = 0
        guard EVP_EncryptUpdate(context, &output, &written, input, Int32(input.count)) == 1 else {
            throw Failure(operation: "AES-128-CTR")
        }
        return Array(output.prefix(Int(written)))
    }

    /// AES-256-GCM with a 12-byte nonce and a 16-byte tag (NIST SP 800-38D); `aad` is authenticated, not encrypted.
    public static func aes256GCMSeal(key: [UInt8], nonce: [UInt8], plaintext: [UInt8], aad: [UInt8]) throws(Failure)
        -> (ciphertext: [UInt8], tag: [UInt8])
    {
        guard key.count == 32, nonce.count == 12, let context = EVP_CIPHER_CTX_new() else { throw Failure(operation: "AES-256-GCM setup") }
        defer { EVP_CIPHER_CTX_free(context) }
        guard EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce) == 1 else { throw Failure(operation: "AES-256-GCM init") }
        var written: Int32 = 0
        if !aad.isEmpty {
            guard EVP_EncryptUpdate(context, nil, &written, aad, Int32(aad.count)) == 1 else { throw Failure(operation: "AES-256-GCM aad") }
        }
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count + 16)
        guard EVP_EncryptUpdate(context, &ciphertext, &written, plaintext, Int32(plaintext.count)) == 1 else {
            throw Failure(operation: "AES-256-GCM encrypt")
        }
        let produced = Int(written)
        var final: Int32 = 0
        let finished = ciphertext.withUnsafeMutableBufferPointer { EVP_EncryptFinal_ex(context, $0.baseAddress! + produced, &final) }
        guard finished == 1 else { throw Failure(operation: "AES-256-GCM final") }
        var tag = [UInt8](repeating: 0, count: 16)
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, 16, &tag) == 1 else { throw Failure(operation: "AES-256-GCM tag") }
        return (Array(ciphertext.prefix(produced + Int(final))), tag)
    }

    /// Decrypts only if the tag authenticates the ciphertext and `aad`; returns nil otherwise, having released
    /// nothing of the plaintext.
    public static func aes256GCMOpen(key: [UInt8], nonce: [UInt8], ciphertext: [UInt8], tag: [UInt8], aad: [UInt8]) -> [UInt8]? {
        guard key.count == 32, nonce.count == 12, tag.count == 16, let context = EVP_CIPHER_CTX_new() else { return nil }
        defer { EVP_CIPHER_CTX_free(context) }
        guard EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce) == 1 else { return nil }
        var written: Int32 = 0
        if !aad.isEmpty {
            guard EVP_DecryptUpdate(context, nil, &written, aad, Int32(aad.count)) == 1 else { return nil }
        }
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count + 16)
        guard EVP_DecryptUpdate(context, &plaintext, &written, ciphertext, Int32(ciphertext.count)) == 1 else { return nil }
        let produced = Int(written)
        var expectedTag = tag
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, 16, &expectedTag) == 1 else { return nil }
        var final: Int32 = 0
        let verified = plaintext.withUnsafeMutableBufferPointer { EVP_DecryptFinal_ex(context, $0.baseAddress! + produced, &final) }
        guard verified == 1 else {
            plaintext.wipe()
            return nil
        }
        let result = Array(plaintext.prefix(produced + Int(final)))
        plaintext.wipe()
        return result
    }

    public static func randomBytes(_ count: Int) throws(Failure) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        guard RAND_bytes(&bytes, Int32(count)) == 1 else { throw Failure(operation: "random bytes") }
        return bytes
    }
}
