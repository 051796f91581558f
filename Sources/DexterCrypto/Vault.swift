import Foundation

/// A user's encrypted store of API keys and wallet keys: one folder per user (`…/vault/<user>/`), one file per entry,
/// every file 0600 in a 0700 folder.
///
/// `vault.json` holds the scrypt parameters, the user's salt and a sealed check value, so a wrong passphrase is told
/// apart from a damaged entry. Each entry file holds a public header (what `dexter keys list` shows) and the sealed
/// secret, AES-256-GCM under the derived key, with the header, the user and the file name as associated data: a
/// header edited, or a file renamed or moved to another user, fails authentication like a flipped byte does.
public final class Vault: @unchecked Sendable {
    public let directory: URL
    public let user: String
    // Written once in init, wiped in deinit.
    private let key: UnsafeMutableBufferPointer<UInt8>

    static let metaFile = "vault.json"
    static let checkPlaintext = Array("dexter vault check".utf8)

    public struct KDF: Codable, Sendable, Hashable {
        public var algorithm = "scrypt"
        public var n: UInt64
        public var r: UInt64
        public var p: UInt64
        public var salt: String

        /// 2^15 · 8 · 128 = 32 MiB and about 0.1 s per unlock: dear for a guesser, cheap for the trader.
        public static func fresh(n: UInt64 = 1 << 15) throws -> KDF {
            KDF(n: n, r: 8, p: 1, salt: Hex.encode(try OpenSSL.randomBytes(16), prefix: false))
        }
    }

    struct Meta: Codable {
        var format = "dexter-vault/1"
        var user: String
        var kdf: KDF
        var check: Sealed
    }

    struct Sealed: Codable {
        var nonce: String
        var ciphertext: String
        var tag: String
    }

    struct EntryFile: Codable {
        var format = "dexter-vault-entry/1"
        /// The header's exact JSON text: authenticated byte for byte, readable without the passphrase.
        var header: String
        var sealed: Sealed
    }

    private init(directory: URL, user: String, key: [UInt8]) {
        self.directory = directory
        self.user = user
        self.key = .allocate(capacity: key.count)
        _ = self.key.initialize(from: key)
    }

    deinit {
        key.update(repeating: 0)
        key.deallocate()
    }

    public static func exists(at directory: URL) -> Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent(metaFile).path)
    }

    /// Makes a new vault for `user`; refuses if one is there.
    public static func create(at directory: URL, user: String, passphrase: [UInt8], kdf: KDF? = nil) throws -> Vault {
        guard !exists(at: directory) else { throw VaultError.alreadyExists(directory.path) }
        guard !passphrase.isEmpty else { throw VaultError.emptyPassphrase }
        try VaultFiles.makePrivateDirectory(directory)
        let kdf = try kdf ?? KDF.fresh()
        var derived = try derive(passphrase: passphrase, kdf: kdf)
        defer { derived.wipe() }
        let vault = Vault(directory: directory, user: user, key: derived)
        let check = try vault.seal(checkPlaintext, aad: vault.associatedData(file: metaFile, header: kdf.salt))
        let meta = Meta(user: user, kdf: kdf, check: check)
        try VaultFiles.writeAtomically(try canonicalJSON(meta), to: directory.appendingPathComponent(metaFile))
        return vault
    }

    /// Derives the key and checks it against the sealed check value.
    public static func unlock(at directory: URL, user: String, passphrase: [UInt8]) throws -> Vault {
        let metaURL = directory.appendingPathComponent(metaFile)
        guard FileManager.default.fileExists(atPath: metaURL.path) else { throw VaultError.noVault(user: user, path: directory.path) }
        let meta: Meta
        do { meta = try JSONDecoder().decode(Meta.self, from: try VaultFiles.readPrivate(metaURL)) } catch let error as VaultError {
            throw error
        } catch {
            throw VaultError.malformed(metaURL.path, "not a dexter vault file (\(VaultFiles.reason(error)))")
        }
        guard meta.format == "dexter-vault/1" else { throw VaultError.malformed(metaURL.path, "unknown format \"\(meta.format)\"") }
        guard meta.user == user else { throw VaultError.malformed(metaURL.path, "it belongs to user \"\(meta.user)\", not \"\(user)\"") }
        guard meta.kdf.algorithm == "scrypt", meta.kdf.n >= 2, meta.kdf.n <= 1 << 20, meta.kdf.n & (meta.kdf.n - 1) == 0,
              (1...32).contains(meta.kdf.r), (1...16).contains(meta.kdf.p)
        else { throw VaultError.malformed(metaURL.path, "unsupported key derivation parameters") }
        var derived = try derive(passphrase: passphrase, kdf: meta.kdf)
        defer { derived.wipe() }
        let vault = Vault(directory: directory, user: user, key: derived)
        guard let check = try? vault.open(meta.check, aad: vault.associatedData(file: metaFile, header: meta.kdf.salt)),
              check == checkPlaintext
        else { throw VaultError.wrongPassphrase(user: user) }
        return vault
    }

    private static func derive(passphrase: [UInt8], kdf: KDF) throws -> [UInt8] {
        let salt: [UInt8]
        do { salt = try Hex.decode(kdf.salt) } catch { throw VaultError.malformed(metaFile, "salt is not hex") }
        guard salt.count >= 16 else { throw VaultError.malformed(metaFile, "salt shorter than 16 bytes") }
        return try OpenSSL.scrypt(password: passphrase, salt: salt, n: kdf.n, r: kdf.r, p: kdf.p, length: 32)
    }

    // MARK: Entries

    /// Seals `secret` under `header` into `<file>`, replacing it atomically.
    public func write(file: String, header: VaultHeader, secret: [UInt8]) throws {
        try VaultFiles.checkName(file)
        let headerText = String(decoding: try Self.canonicalJSON(header), as: UTF8.self)
        let sealed = try seal(secret, aad: associatedData(file: file, header: headerText))
        let entry = EntryFile(header: headerText, sealed: sealed)
        try VaultFiles.writeAtomically(try Self.canonicalJSON(entry), to: directory.appendingPathComponent(file))
    }

    /// The header and secret of `file`, only if the whole file authenticates.
    public func read(file: String) throws -> (header: VaultHeader, secret: [UInt8]) {
        let url = directory.appendingPathComponent(file)
        let entry = try Self.entry(at: url)
        guard let secret = try? open(entry.sealed, aad: associatedData(file: file, header: entry.header)) else {
            throw VaultError.tampered(url.path)
        }
        return (try Self.decodeHeader(entry.header, path: url.path), secret)
    }

    public func remove(file: String) throws {
        try VaultFiles.checkName(file)
        try FileManager.default.removeItem(at: directory.appendingPathComponent(file))
    }

    /// Every entry's public header, read without the passphrase (for listings). Not authenticated until `read`.
    public static func headers(at directory: URL) throws -> [(file: String, header: VaultHeader)] {
        guard exists(at: directory) else { return [] }
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0 != metaFile && $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
        return try names.map { name in
            let url = directory.appendingPathComponent(name)
            return (name, try decodeHeader(try entry(at: url).header, path: url.path))
        }
    }

    static func entry(at url: URL) throws -> EntryFile {
        let data = try VaultFiles.readPrivate(url)
        let entry: EntryFile
        do { entry = try JSONDecoder().decode(EntryFile.self, from: data) } catch {
            throw VaultError.malformed(url.path, "not a dexter vault entry (\(VaultFiles.reason(error)))")
        }
        guard entry.format == "dexter-vault-entry/1" else { throw VaultError.malformed(url.path, "unknown format \"\(entry.format)\"") }
        return entry
    }

    static func decodeHeader(_ text: String, path: String) throws -> VaultHeader {
        do { return try JSONDecoder().decode(VaultHeader.self, from: Data(text.utf8)) } catch {
            throw VaultError.malformed(path, "its header is not readable (\(VaultFiles.reason(error)))")
        }
    }

    // MARK: Sealing

    func associatedData(file: String, header: String) -> [UInt8] {
        Array("dexter-vault/1\u{0}\(user)\u{0}\(file)\u{0}\(header)".utf8)
    }

    func seal(_ plaintext: [UInt8], aad: [UInt8]) throws -> Sealed {
        let nonce = try OpenSSL.randomBytes(12)
        let box = try OpenSSL.aes256GCMSeal(key: Array(key), nonce: nonce, plaintext: plaintext, aad: aad)
        return Sealed(nonce: Hex.encode(nonce, prefix: false), ciphertext: Hex.encode(box.ciphertext, prefix: false),
                      tag: Hex.encode(box.tag, prefix: false))
    }

    func open(_ sealed: Sealed, aad: [UInt8]) throws -> [UInt8]? {
        var keyCopy = Array(key)
        defer { keyCopy.wipe() }
        return OpenSSL.aes256GCMOpen(key: keyCopy, nonce: try Hex.decode(sealed.nonce), ciphertext: try Hex.decode(sealed.ciphertext),
                                     tag: try Hex.decode(sealed.tag), aad: aad)
    }

    static func canonicalJSON<Value: Encodable>(_ value: Value) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}

public enum VaultError: Error, Sendable, Hashable, CustomStringConvertible {
    case noVault(user: String, path: String)
    case alreadyExists(String)
    case wrongPassphrase(user: String)
    case emptyPassphrase
    case passphrasesDiffer
    case tampered(String)
    case malformed(String, String)
    case exposed(String, mode: Int)
    case badName(String)
    case notFound(String)

    public var description: String {
        switch self {
        case .noVault(let user, let path): return "user \(user) has no vault yet (\(path)); add a key or a wallet to create one"
        case .alreadyExists(let path): return "a vault already exists at \(path)"
        case .wrongPassphrase(let user): return "wrong passphrase for \(user)'s vault"
        case .emptyPassphrase: return "the passphrase is empty"
        case .passphrasesDiffer: return "the two passphrases differ; nothing was changed"
        case .tampered(let path):
            return "\(path) failed authentication: it was altered or corrupted, and nothing was read from it"
        case .malformed(let path, let reason): return "\(path) is malformed: \(reason)"
        case .exposed(let path, let mode):
            return "\(path) is readable by others (mode \(String(mode, radix: 8))); run: chmod 600 '\(path)'"
        case .badName(let name): return "\"\(name)\" is not a valid name (use a-z, 0-9, '-' and '_', up to 40 characters)"
        case .notFound(let what): return "\(what) is not in the vault"
        }
    }
}
