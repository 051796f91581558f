import Foundation

/// The public half of a vault entry: shown by listings, authenticated with the secret.
public struct VaultHeader: Codable, Sendable, Hashable {
    public var apiKey: APIKeyInfo?
    public var wallet: WalletInfo?

    public init(apiKey: APIKeyInfo) { self.apiKey = apiKey }
    public init(wallet: WalletInfo) { self.wallet = wallet }
}

/// What may be shown about an exchange API key.
public struct APIKeyInfo: Codable, Sendable, Hashable {
    public var venue: String
    /// The last four characters of the key (the key, not the secret), to tell keys apart.
    public var keySuffix: String
    /// As the trader declared them when adding the key (e.g. read, trade); withdrawal rights are a warning sign.
    public var permissions: [String]
    /// Unix seconds.
    public var created: Int64
    public var rotations: [Rotation]

    public struct Rotation: Codable, Sendable, Hashable {
        public var keySuffix: String
        public var created: Int64
        public var retired: Int64
    }

    public func ageDays(now: Int64) -> Int { Int(max(0, now - created) / 86_400) }
}

/// An exchange API key's secret parts. Its description never shows them.
public struct APICredential: Codable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public var apiKey: String
    public var secret: String
    public var passphrase: String?

    public init(apiKey: String, secret: String, passphrase: String?) {
        self.apiKey = apiKey
        self.secret = secret
        self.passphrase = passphrase
    }

    public var description: String { "APICredential(key …\(String(apiKey.suffix(4))), <redacted>)" }
    public var debugDescription: String { description }
}

public enum WalletKind: String, Codable, Sendable, CaseIterable {
    /// An EVM account whose private key is in the vault.
    case evm
    /// An EVM address watched without a key.
    case evmWatch = "evm-watch"
    /// A Solana keypair.
    case solana
    /// An account on a centralised exchange, reached with that venue's API key.
    case cex

    public var canSign: Bool { self == .evm || self == .solana }
}

public struct WalletInfo: Codable, Sendable, Hashable {
    public var name: String
    public var kind: WalletKind
    /// EIP-55 address, base58 public key, or the venue for a CEX account.
    public var address: String
    /// The chains (or the venue) the wallet holds balances on.
    public var chains: [String]
    public var created: Int64

    public init(name: String, kind: WalletKind, address: String, chains: [String], created: Int64) {
        self.name = name
        self.kind = kind
        self.address = address
        self.chains = chains
        self.created = created
    }

    /// 0x71C7…976F: enough to recognise, short enough for a panel.
    public var shortAddress: String {
        guard address.count > 14 else { return address }
        return "\(address.prefix(6))…\(address.suffix(4))"
    }
}

/// Which venues ask for a passphrase with their API key, and how each names its parts.
public enum VenueCredentialShape {
    /// Aggregator APIs (1inch, 0x) authorise with a key alone: no secret is asked or stored.
    public static func hasSecret(_ venue: String) -> Bool { !["1inch", "0x"].contains(venue.lowercased()) }

    public static func needsPassphrase(_ venue: String) -> Bool {
        ["okx", "kucoin", "bitget"].contains(venue.lowercased())
    }

    /// Prompts for the key and the secret in each venue's own words.
    public static func prompts(_ venue: String) -> (key: String, secret: String) {
        switch venue.lowercased() {
        case "coinbase": return ("API key name (organizations/…/apiKeys/…)", "EC private key (PEM, one line with \\n is fine)")
        case "kraken": return ("API key", "private key (base64)")
        default: return ("API key", "secret key")
        }
    }
}
