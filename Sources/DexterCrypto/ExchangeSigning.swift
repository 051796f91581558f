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
