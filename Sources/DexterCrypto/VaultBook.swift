import Foundation

/// Exchange API keys in the vault: one entry per venue.
public enum APIKeys {
    static func file(_ venue: String) -> String { "api-\(venue).json" }

    /// Stores a venue's key. Refuses to overwrite one: replacing a key is a rotation, and is recorded as one.
    public static func add(_ vault: Vault, venue: String, credential: APICredential, permissions: [String], now: Int64) throws -> APIKeyInfo {
        let venue = venue.lowercased()
        guard VaultFiles.isValidName(venue) else { throw VaultError.badName(venue) }
        try validate(credential, venue: venue)
        if FileManager.default.fileExists(atPath: vault.directory.appendingPathComponent(file(venue)).path) {
            throw APIKeyError.alreadyStored(venue)
        }
        let info = APIKeyInfo(venue: venue, keySuffix: String(credential.apiKey.suffix(4)), permissions: permissions,
                              created: now, rotations: [])
        try store(vault, info: info, credential: credential)
        return info
    }

    /// Replaces a venue's key, keeping the retired key's suffix and dates.
    public static func rotate(_ vault: Vault, venue: String, credential: APICredential, now: Int64) throws -> APIKeyInfo {
        let venue = venue.lowercased()
        try validate(credential, venue: venue)
        let (old, _) = try read(vault, venue: venue)
        var info = old
        info.rotations.append(.init(keySuffix: old.keySuffix, created: old.created, retired: now))
        info.keySuffix = String(credential.apiKey.suffix(4))
        info.created = now
        try store(vault, info: info, credential: credential)
        return info
    }

    public static func read(_ vault: Vault, venue: String) throws -> (APIKeyInfo, APICredential) {
        let venue = venue.lowercased()
        guard VaultFiles.isValidName(venue) else { throw VaultError.badName(venue) }
        guard FileManager.default.fileExists(atPath: vault.directory.appendingPathComponent(file(venue)).path) else {
            throw VaultError.notFound("an API key for \(venue)")
        }
        var (header, secret) = try vault.read(file: file(venue))
        defer { secret.wipe() }
        guard let info = header.apiKey else { throw VaultError.malformed(file(venue), "not an API key entry") }
        do { return (info, try JSONDecoder().decode(APICredential.self, from: Data(secret))) } catch {
            throw VaultError.malformed(file(venue), "its sealed key is unreadable")
        }
    }

    /// Every stored key's public part, without the passphrase.
    public static func list(at directory: URL) throws -> [APIKeyInfo] {
        try Vault.headers(at: directory).compactMap(\.header.apiKey)
    }

    /// Every key, each entry authenticated; one bad file fails the whole load rather than half-loading.
    public static func loadAll(_ vault: Vault) throws -> [(APIKeyInfo, APICredential)] {
        try list(at: vault.directory).map { try read(vault, venue: $0.venue) }
    }

    private static func store(_ vault: Vault, info: APIKeyInfo, credential: APICredential) throws {
        var secret = Array(try JSONEncoder().encode(credential))
        defer { secret.wipe() }
        try vault.write(file: file(info.venue), header: VaultHeader(apiKey: info), secret: secret)
    }

    private static func validate(_ credential: APICredential, venue: String) throws {
        guard credential.apiKey.count >= 8 else { throw APIKeyError.tooShort(venue, part: "API key") }
        if VenueCredentialShape.hasSecret(venue) {
            guard credential.secret.count >= 8 else { throw APIKeyError.tooShort(venue, part: "secret") }
        }
        if VenueCredentialShape.needsPassphrase(venue), (credential.passphrase ?? "").isEmpty {
            throw APIKeyError.passphraseRequired(venue)
        }
        switch venue {
        case "kraken":
            guard Data(base64Encoded: credential.secret) != nil else { throw ExchangeSigning.SigningError.secretNotBase64(venue: venue) }
        case "coinbase":
            _ = try P256SigningKey(pem: credential.secret)
        default: break
        }
    }
}

public enum APIKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    case alreadyStored(String)
    case tooShort(String, part: String)
    case passphraseRequired(String)

    public var description: String {
        switch self {
        case .alreadyStored(let venue): return "a \(venue) key is already stored; replace it with: dexter keys rotate \(venue)"
        case .tooShort(let venue, let part): return "the \(venue) \(part) is too short to be real (was it pasted whole?)"
        case .passphraseRequired(let venue): return "\(venue) API keys come with a passphrase, and none was given"
        }
    }
}

/// Wallets in the vault: EVM accounts (with a key, or watch-only), Solana keypairs and exchange accounts.
public enum Wallets {
    public static let evmChains = ["ethereum", "bsc", "polygon", "arbitrum"]

    static func file(_ name: String) -> String { "wallet-\(name).json" }

    /// A fresh EVM account or Solana keypair from the system's random source.
    public static func create(_ vault: Vault, name: String, kind: WalletKind, now: Int64) throws -> WalletInfo {
        switch kind {
        case .evm:
            var seed = try OpenSSL.randomBytes(32)
            defer { seed.wipe() }
            let key = try EthereumPrivateKey(bytes: seed)
            return try store(vault, WalletInfo(name: name, kind: .evm, address: key.address.checksummed, chains: evmChains, created: now),
                             secret: seed)
        case .solana:
            var seed = try OpenSSL.randomBytes(32)
            defer { seed.wipe() }
            let keypair = try SolanaKeypair(seed: seed)
            return try store(vault, WalletInfo(name: name, kind: .solana, address: keypair.publicKey.description,
                                               chains: ["solana"], created: now), secret: seed)
        case .evmWatch, .cex:
            throw WalletError.cannotCreate(kind)
        }
    }

    /// An EVM account from a keystore v3 file (geth, MetaMask, ethers).
    public static func importKeystore(_ vault: Vault, name: String, json: Data, password: [UInt8], now: Int64) throws -> WalletInfo {
        let key = try Keystore.decrypt(json, password: password)
        var secret = key.secretBytes
        defer { secret.wipe() }
        return try store(vault, WalletInfo(name: name, kind: .evm, address: key.address.checksummed, chains: evmChains, created: now),
                         secret: secret)
    }

    /// A Solana keypair from a `solana-keygen` JSON file.
    public static func importSolana(_ vault: Vault, name: String, keygenJSON: Data, now: Int64) throws -> WalletInfo {
        let keypair = try SolanaKeypair(keygenJSON: keygenJSON)
        var secret = keypair.seedBytes
        defer { secret.wipe() }
        return try store(vault, WalletInfo(name: name, kind: .solana, address: keypair.publicKey.description, chains: ["solana"],
                                           created: now), secret: secret)
    }

    /// An EVM address to watch; no key is stored and nothing can be signed with it.
    public static func watch(_ vault: Vault, name: String, address: String, now: Int64) throws -> WalletInfo {
        let parsed = try EthereumAddress(parsing: address)
        return try store(vault, WalletInfo(name: name, kind: .evmWatch, address: parsed.checksummed, chains: evmChains, created: now),
                         secret: [])
    }

    /// An exchange account, traded through that venue's API key (`dexter keys add VENUE`).
    public static func exchange(_ vault: Vault, name: String, venue: String, now: Int64) throws -> WalletInfo {
        let venue = venue.lowercased()
        guard VaultFiles.isValidName(venue) else { throw VaultError.badName(venue) }
        return try store(vault, WalletInfo(name: name, kind: .cex, address: venue, chains: [venue], created: now), secret: [])
    }

    /// The wallet in a form another tool reads: a keystore v3 file (EVM, encrypted with `password`), a solana-keygen
    /// JSON file (Solana; as plain as the Solana CLI keeps it), or the address (watch-only, exchange).
    public static func export(_ vault: Vault, name: String, password: [UInt8], scrypt: Keystore.ScryptParameters = .init()) throws -> Data {
        let (info, secret) = try read(vault, name: name)
        var bytes = secret
        defer { bytes.wipe() }
        switch info.kind {
        case .evm:
            guard !password.isEmpty else { throw WalletError.exportNeedsPassword }
            return try Keystore.encrypt(try EthereumPrivateKey(bytes: bytes), password: password, parameters: scrypt)
        case .solana:
            return try SolanaKeypair(seed: bytes).keygenJSON
        case .evmWatch, .cex:
            return Data((info.address + "\n").utf8)
        }
    }

    public static func read(_ vault: Vault, name: String) throws -> (WalletInfo, [UInt8]) {
        guard VaultFiles.isValidName(name) else { throw VaultError.badName(name) }
        guard FileManager.default.fileExists(atPath: vault.directory.appendingPathComponent(file(name)).path) else {
            throw VaultError.notFound("wallet \"\(name)\"")
        }
        let (header, secret) = try vault.read(file: file(name))
        guard let info = header.wallet, info.name == name else { throw VaultError.malformed(file(name), "not a wallet entry") }
        return (info, secret)
    }

    public static func list(at directory: URL) throws -> [WalletInfo] {
        try Vault.headers(at: directory).compactMap(\.header.wallet)
    }

    /// Every wallet, each entry authenticated and each key checked against its address.
    public static func loadAll(_ vault: Vault) throws -> [WalletInfo] {
        try list(at: vault.directory).map { listed in
            var (info, secret) = try read(vault, name: listed.name)
            defer { secret.wipe() }
            switch info.kind {
            case .evm:
                guard try EthereumPrivateKey(bytes: secret).address.checksummed == info.address else {
                    throw VaultError.tampered(vault.directory.appendingPathComponent(file(info.name)).path)
                }
            case .solana:
                guard try SolanaKeypair(seed: secret).publicKey.description == info.address else {
                    throw VaultError.tampered(vault.directory.appendingPathComponent(file(info.name)).path)
                }
            case .evmWatch, .cex: break
            }
            return info
        }
    }

    private static func store(_ vault: Vault, _ info: WalletInfo, secret: [UInt8]) throws -> WalletInfo {
        guard VaultFiles.isValidName(info.name) else { throw VaultError.badName(info.name) }
        guard !FileManager.default.fileExists(atPath: vault.directory.appendingPathComponent(file(info.name)).path) else {
            throw WalletError.nameTaken(info.name)
        }
        if let twin = try list(at: vault.directory).first(where: { $0.address == info.address && $0.kind == info.kind }) {
            throw WalletError.duplicate(info.address, existing: twin.name)
        }
        try vault.write(file: file(info.name), header: VaultHeader(wallet: info), secret: secret)
        return info
    }
}

public enum WalletError: Error, Sendable, Hashable, CustomStringConvertible {
    case cannotCreate(WalletKind)
    case nameTaken(String)
    case duplicate(String, existing: String)
    case exportNeedsPassword

    public var description: String {
        switch self {
        case .cannotCreate(let kind): return "a \(kind.rawValue) wallet is imported, not created (see dexter wallet import --help)"
        case .nameTaken(let name): return "a wallet named \"\(name)\" exists already"
        case .duplicate(let address, let existing): return "\(address) is already in the vault as \"\(existing)\""
        case .exportNeedsPassword: return "a keystore export needs a password to encrypt it with"
        }
    }
}
