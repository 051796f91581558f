import Foundation

/// Request signatures of the exchanges' private REST APIs. Each takes the secret as its venue hands it out.
public enum ExchangeSigning {
    /// Binance: lowercase hex HMAC-SHA256 of the query string (and body), keyed by the secret's ASCII bytes.
    public static func binance(secret: String, payload: String) -> String {
        Hex.encode(OpenSSL.hmacSHA256(key: Array(secret.utf8), message: Array(payload.utf8)), prefix: false)
    }

    /// Kraken `API-Sign`: base64 HMAC-SHA512, keyed by the base64-decoded secret, of the URI path followed by
    /// SHA-256(nonce + POST data).
    public static func kraken(secretBase64: String, uriPath: String, nonce: String, postData: String) throws -> String {
        guard let key = Data(base64Encoded: secretBase64) else { throw SigningError.secretNotBase64(venue: "kraken") }
        let inner = OpenSSL.sha256(Array((nonce + postData).utf8))
        return Data(OpenSSL.hmacSHA512(key: Array(key), message: Array(uriPath.utf8) + inner)).base64EncodedString()
    }

    /// OKX `OK-ACCESS-SIGN`: base64 HMAC-SHA256 of timestamp + METHOD + request path (with query) + body.
    public static func okx(secret: String, timestamp: String, method: String, requestPath: String, body: String) -> String {
        let prehash = timestamp + method.uppercased() + requestPath + body
        return Data(OpenSSL.hmacSHA256(key: Array(secret.utf8), message: Array(prehash.utf8))).base64EncodedString()
    }

    public enum SigningError: Error, Sendable, Hashable, CustomStringConvertible {
        case secretNotBase64(venue: String)
        // The secret itself is never part of the message.
        public var description: String {
            switch self {
            case .secretNotBase64(let venue): return "the \(venue) API secret is not valid base64 (check that it was pasted whole)"
            }
        }
    }
}

/// Coinbase Advanced Trade authentication: a bearer JWT, ES256-signed by the CDP API key, valid two minutes, bound to
/// one request ("METHOD host/path"). Header {alg, kid = key name, nonce, typ}; claims {sub = key name, iss = "cdp",
/// nbf, exp, uri}, as Coinbase's own SDKs build it.
public enum CoinbaseJWT {
    public static let lifetimeSeconds: Int64 = 120

    public static func make(keyName: String, key: P256SigningKey, method: String, host: String, path: String,
                            now: Int64, nonce: String) throws -> String {
        let header: [String: String] = ["alg": "ES256", "kid": keyName, "nonce": nonce, "typ": "JWT"]
        let claims = Claims(sub: keyName, iss: "cdp", nbf: now, exp: now + lifetimeSeconds,
                            uri: "\(method.uppercased()) \(host)\(path)")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let signingInput = base64URL(try encoder.encode(header)) + "." + base64URL(try encoder.encode(claims))
        let signature = try key.sign(Array(signingInput.utf8))
        return signingInput + "." + base64URL(Data(signature))
    }

    /// A fresh nonce: 16 random bytes in hex, as the SDKs send.
    public static func nonce() throws -> String { Hex.encode(try OpenSSL.randomBytes(16), prefix: false) }

    public struct Claims: Codable, Sendable, Hashable {
        public let sub: String
        public let iss: String
        public let nbf: Int64
        public let exp: Int64
        public let uri: String

        public init(sub: String, iss: String, nbf: Int64, exp: Int64, uri: String) {
            self.sub = sub
            self.iss = iss
            self.nbf = nbf
            self.exp = exp
            self.uri = uri
        }
    }

    /// Unpadded base64url (RFC 7515 §2).
    public static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func base64URLDecode(_ text: Substring) -> Data? {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.count % 4 != 0 { standard += "=" }
        return Data(base64Encoded: standard)
    }
}
