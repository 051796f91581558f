import DexterCrypto
import DexterLedger
import DexterRisk
import Foundation

/// Members' API tokens: a token is shown once, when issued; the ledger keeps its SHA-256 (a token carries 256
/// random bits, so a plain hash is enough — there is nothing to guess), its id and owner, and whether it is revoked.
public struct MemberTokens: Sendable {
    public typealias MemberLookup = @Sendable (String) -> DeskUser?

    let reader: LedgerReader
    let member: MemberLookup

    public init(reader: LedgerReader, member: @escaping MemberLookup) {
        self.reader = reader
        self.member = member
    }

    /// The prefix every token starts with, so one is recognised (and scrubbed) wherever it turns up.
    public static let prefix = "dxt_"

    /// A fresh token, its public id and the hash to store.
    public static func issue() -> (id: String, token: String, hash: String) {
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let token = prefix + Data(secret).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        let id = String((0..<4).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            .map { String(format: "%02x", $0) }.joined())
        return (id, token, hash(token))
    }

    public static func hash(_ token: String) -> String { OpenSSL.sha256Hex(token) }

    /// The member a presented token belongs to: nil for no token, an unknown or revoked one, or a member since
    /// removed.
    public func member(presenting token: String?) -> DeskUser? {
        guard let token, token.hasPrefix(Self.prefix), token.count < 200,
              let name = try? reader.tokenOwner(hash: Self.hash(token)) else { return nil }
        return member(name)
    }

    /// The token of an `Authorization: Bearer …` header value.
    public static func bearer(_ header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1]).trimmingCharacters(in: .whitespaces)
    }
}
