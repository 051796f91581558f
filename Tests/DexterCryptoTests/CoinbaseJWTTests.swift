import DexterCrypto
import Foundation
import Testing

/// Coinbase Advanced Trade's ES256 JWT. ECDSA signatures are randomised, so there is no fixed expected token: the
/// test checks the documented header and claims, and has the `openssl` command-line tool verify the signature.
@Suite struct CoinbaseJWTTests {
    /// A P-256 key generated for this test only (`openssl ecparam -name prime256v1 -genkey -noout`).
    static let testKeyPEM = """
        -----BEGIN EC PRIVATE KEY-----
        MHcCAQEEIKUtLlgOc0VYy9x2yf4/FzaIo+cz10j6aA0eUqJcFqqzoAoGCCqGSM49
        AwEHoUQDQgAE896h4FR6q97Gi3O2fR/Dy2A5kTgB90u1WG8XIdEinRzjAU9IzrUA
        k9E01SNaHc2xbSWnCSsAushtVJT6r3FU1g==
        -----END EC PRIVATE KEY-----
        """
    static let keyName = "organizations/3f1c0000-0000-4000-8000-000000000001/apiKeys/9b2e0000-0000-4000-8000-000000000002"

    @Test func buildsTheDocumentedTokenAndOpenSSLVerifiesIt() throws {
        let key = try P256SigningKey(pem: Self.testKeyPEM)
        let token = try CoinbaseJWT.make(keyName: Self.keyName, key: key, method: "get", host: "api.coinbase.com",
                                         path: "/api/v3/brokerage/accounts", now: 1_764_000_000, nonce: "00112233445566778899aabbccddeeff")
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        #expect(parts.count == 3)
        let header = try JSONSerialization.jsonObject(with: #require(CoinbaseJWT.base64URLDecode(parts[0]))) as? [String: String]
        #expect(header == ["alg": "ES256", "kid": Self.keyName, "nonce": "00112233445566778899aabbccddeeff", "typ": "JWT"])
        let claims = try JSONDecoder().decode(CoinbaseJWT.Claims.self, from: #require(CoinbaseJWT.base64URLDecode(parts[1])))
        #expect(claims == CoinbaseJWT.Claims(sub: Self.keyName, iss: "cdp", nbf: 1_764_000_000, exp: 1_764_000_120,
                                             uri: "GET api.coinbase.com/api/v3/brokerage/accounts"))
        #expect(!token.contains("=") && !token.contains("+") && !token.contains("/"))

        let signature = try #require(CoinbaseJWT.base64URLDecode(parts[2]))
        #expect(signature.count == 64)
        let signingInput = Array("\(parts[0]).\(parts[1])".utf8)
        #expect(P256Signature.verify(publicKey: key.publicKey, message: signingInput, signature: Array(signature)))
        var tampered = Array(signingInput)
        tampered[tampered.count - 1] ^= 1
        #expect(!P256Signature.verify(publicKey: key.publicKey, message: tampered, signature: Array(signature)))

        // Independent check: OpenSSL's command-line tool, given the signature in DER as it expects.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dexter-jwt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.testKeyPEM.write(to: directory.appendingPathComponent("key.pem"), atomically: true, encoding: .utf8)
        try Data(signingInput).write(to: directory.appendingPathComponent("input"))
        try Data(Self.der(Array(signature))).write(to: directory.appendingPathComponent("sig.der"))
        let status = Self.shell("cd '\(directory.path)' && openssl ec -in key.pem -pubout -out pub.pem 2>/dev/null"
                                + " && openssl dgst -sha256 -verify pub.pem -signature sig.der input >/dev/null")
        #expect(status == 0)
    }

    @Test func acceptsPKCS8AndJSONEscapedKeysAndRefusesOthersWithoutEchoingThem() throws {
        let pkcs8 = """
            -----BEGIN PRIVATE KEY-----
            MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgpS0uWA5zRVjL3HbJ
            /j8XNoij5zPXSPpoDR5SolwWqrOhRANCAATz3qHgVHqr3saLc7Z9H8PLYDmROAH3
            S7VYbxch0SKdHOMBT0jOtQCT0TTVI1odzbFtJacJKwC6yG1UlPqvcVTW
            -----END PRIVATE KEY-----
            """
        let sec1 = try P256SigningKey(pem: Self.testKeyPEM)
        #expect(try P256SigningKey(pem: pkcs8).publicKey == sec1.publicKey)
        let escaped = Self.testKeyPEM.replacingOccurrences(of: "\n", with: "\\n")
        #expect(try P256SigningKey(pem: escaped).publicKey == sec1.publicKey)
        #expect(sec1.publicKey.count == 65 && sec1.publicKey.first == 0x04)
        #expect("\(sec1)" == "P256SigningKey(<redacted>)")

        let garbled = Self.testKeyPEM.replacingOccurrences(of: "MHcCAQEE", with: "MHcCAQEF")
        do {
            _ = try P256SigningKey(pem: garbled)
            Issue.record("a garbled key was accepted")
        } catch {
            #expect(!"\(error)".contains("MHcCAQ"))
        }
        // An Ed25519 PEM is a valid key, but not for ES256.
        let ed25519 = """
            -----BEGIN PRIVATE KEY-----
            MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC
            -----END PRIVATE KEY-----
            """
        #expect(throws: P256SigningKey.KeyError.notP256) { try P256SigningKey(pem: ed25519) }
    }

    /// DER `SEQUENCE { INTEGER r, INTEGER s }` from r ‖ s, written here independently of the code under test.
    static func der(_ raw: [UInt8]) -> [UInt8] {
        func integer(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
            var value = Array(bytes.drop(while: { $0 == 0 }))
            if value.isEmpty || value[0] & 0x80 != 0 { value.insert(0, at: 0) }
            return [0x02, UInt8(value.count)] + value
        }
        let body = integer(raw[0..<32]) + integer(raw[32..<64])
        return [0x30, UInt8(body.count)] + body
    }

    static func shell(_ command: String) -> Int32 {
        let status = system(command)
        return (status >> 8) & 0xff
    }
}
