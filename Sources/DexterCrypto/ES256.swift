import COpenSSL

/// ECDSA over P-256 with SHA-256 (JWS "ES256"), keys in PEM as the venues hand them out. Signatures are the JWS
/// form: r ‖ s, 32 bytes each (RFC 7518 §3.4), not DER.
public final class P256SigningKey: @unchecked Sendable, CustomStringConvertible {
    private let key: OpaquePointer

    public enum KeyError: Error, Sendable, Hashable, CustomStringConvertible {
        case notPEM
        case notP256
        // The key text itself is never part of the message.
        public var description: String {
            switch self {
            case .notPEM: return "the EC private key is not PEM (expected -----BEGIN EC PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----)"
            case .notP256: return "the private key is not an EC key on P-256 (prime256v1), which ES256 needs"
            }
        }
    }

    /// Reads a SEC1 ("EC PRIVATE KEY") or PKCS#8 ("PRIVATE KEY") PEM; escaped "\n" as pasted from JSON is accepted.
    public init(pem: String) throws(KeyError) {
        let text = pem.replacingOccurrences(of: "\\n", with: "\n")
        var bytes = Array(text.utf8)
        defer { bytes.wipe() }
        let parsed: OpaquePointer? = bytes.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_PrivateKey(bio, nil, nil, nil)
        }
        ERR_clear_error()
        guard let parsed else { throw .notPEM }
        guard EVP_PKEY_get_base_id(parsed) == EVP_PKEY_EC, EVP_PKEY_get_bits(parsed) == 256 else {
            EVP_PKEY_free(parsed)
            throw .notP256
        }
        key = parsed
    }

    deinit { EVP_PKEY_free(key) }

    public var description: String { "P256SigningKey(<redacted>)" }

    /// The uncompressed public point (65 bytes, 0x04 ‖ x ‖ y).
    public var publicKey: [UInt8] {
        var point = [UInt8](repeating: 0, count: 65)
        var length = 0
        _ = EVP_PKEY_get_octet_string_param(key, "pub", &point, 65, &length)
        return Array(point.prefix(length))
    }

    public func sign(_ message: [UInt8]) throws(OpenSSL.Failure) -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { throw OpenSSL.Failure(operation: "digest context") }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, EVP_sha256(), nil, key) == 1 else { throw OpenSSL.Failure(operation: "ES256 sign init") }
        var der = [UInt8](repeating: 0, count: 80)
        var length = der.count
        guard EVP_DigestSign(context, &der, &length, message, message.count) == 1 else { throw OpenSSL.Failure(operation: "ES256 sign") }
        return try P256Signature.raw(fromDER: Array(der.prefix(length)))
    }
}

public enum P256Signature {
    /// Verifies a JWS r ‖ s signature against an uncompressed public point.
    public static func verify(publicKey: [UInt8], message: [UInt8], signature: [UInt8]) -> Bool {
        guard signature.count == 64, let der = try? der(fromRaw: signature), let key = publicKeyObject(publicKey) else { return false }
        defer { EVP_PKEY_free(key) }
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, EVP_sha256(), nil, key) == 1 else { return false }
        let verified = EVP_DigestVerify(context, der, der.count, message, message.count) == 1
        ERR_clear_error()
        return verified
    }

    private static func publicKeyObject(_ point: [UInt8]) -> OpaquePointer? {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else { return nil }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_fromdata_init(context) == 1 else { return nil }
        var pointBytes = point
        let group = strdup("prime256v1")
        defer { free(group) }
        var key: OpaquePointer?
        // The parameters keep pointers to their names and values, so neither may be a temporary.
        let status = pointBytes.withUnsafeMutableBytes { pointBuffer in
            var params = [
                OSSL_PARAM_construct_utf8_string(cString("group"), group, 0),
                OSSL_PARAM_construct_octet_string(cString("pub"), pointBuffer.baseAddress, pointBuffer.count),
                OSSL_PARAM_construct_end(),
            ]
            return EVP_PKEY_fromdata(context, &key, dexter_EVP_PKEY_PUBLIC_KEY, &params)
        }
        guard status == 1 else {
            ERR_clear_error()
            return nil
        }
        return key
    }

    static func raw(fromDER der: [UInt8]) throws(OpenSSL.Failure) -> [UInt8] {
        var cursor: UnsafePointer<UInt8>?
        let signature: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            cursor = buffer.baseAddress
            return d2i_ECDSA_SIG(nil, &cursor, der.count)
        }
        guard let signature else { throw OpenSSL.Failure(operation: "ECDSA signature decode") }
        defer { ECDSA_SIG_free(signature) }
        var output = [UInt8](repeating: 0, count: 64)
        guard BN_bn2binpad(ECDSA_SIG_get0_r(signature), &output, 32) == 32,
              output.withUnsafeMutableBufferPointer({ BN_bn2binpad(ECDSA_SIG_get0_s(signature), $0.baseAddress! + 32, 32) }) == 32
        else { throw OpenSSL.Failure(operation: "ECDSA signature to r ‖ s") }
        return output
    }

    static func der(fromRaw raw: [UInt8]) throws(OpenSSL.Failure) -> [UInt8] {
        guard let signature = ECDSA_SIG_new() else { throw OpenSSL.Failure(operation: "ECDSA signature") }
        defer { ECDSA_SIG_free(signature) }
        let r = BN_bin2bn(raw, 32, nil)
        let s = raw.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress! + 32, 32, nil) }
        guard ECDSA_SIG_set0(signature, r, s) == 1 else {
            BN_free(r)
            BN_free(s)
            throw OpenSSL.Failure(operation: "ECDSA signature from r ‖ s")
        }
        var output: UnsafeMutablePointer<UInt8>?
        let length = i2d_ECDSA_SIG(signature, &output)
        guard length > 0, let output else { throw OpenSSL.Failure(operation: "ECDSA signature encode") }
        defer { CRYPTO_free(output, #file, #line) }
        return Array(UnsafeBufferPointer(start: output, count: Int(length)))
    }
}

/// A C string that lives for the whole program, unlike the temporary a Swift literal becomes at a call.
private func cString(_ text: StaticString) -> UnsafePointer<CChar> {
    UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
}

/// Overwrites memory that held a secret (OPENSSL_cleanse: a store the optimiser may not drop).
func wipe(_ buffer: UnsafeMutableRawBufferPointer) {
    guard let base = buffer.baseAddress, buffer.count > 0 else { return }
    OPENSSL_cleanse(base, buffer.count)
}

extension Array where Element == UInt8 {
    /// Overwrites the bytes in place once they held a secret (a passphrase, a key).
    public mutating func wipe() { withUnsafeMutableBytes { DexterCrypto.wipe($0) } }
}
