import DexterCrypto
import Foundation
import Testing

/// A vault in a fresh temporary folder, with light scrypt so the suite stays quick (the real default is 2^15).
struct TemporaryVault {
    let root: URL
    var directory: URL { root.appendingPathComponent("vault/alice") }

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("dexter-vault-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    func create(_ passphrase: String = "correct horse battery") throws -> Vault {
        try Vault.create(at: directory, user: "alice", passphrase: Array(passphrase.utf8), kdf: Vault.KDF.fresh(n: 1 << 10))
    }

    func unlock(_ passphrase: String = "correct horse battery") throws -> Vault {
        try Vault.unlock(at: directory, user: "alice", passphrase: Array(passphrase.utf8))
    }

    func bytes(_ file: String) throws -> [UInt8] { Array(try Data(contentsOf: directory.appendingPathComponent(file))) }

    func overwrite(_ file: String, _ bytes: [UInt8]) throws {
        let url = directory.appendingPathComponent(file)
        try Data(bytes).write(to: url)
        chmod(url.path, 0o600)
    }

    func mode(_ path: String) -> Int {
        var status = stat()
        stat(path, &status)
        return Int(status.st_mode) & 0o777
    }

    func remove() { try? FileManager.default.removeItem(at: root) }
}

@Suite struct AESGCMTests {
    /// The GCM specification's test case 16 (McGrew & Viega, "The Galois/Counter Mode of Operation", AES-256,
    /// 60-byte plaintext, 20-byte AAD), as NIST SP 800-38D's validation uses it.
    @Test func matchesGCMSpecificationTestCase16() throws {
        let key = try Hex.decode("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
        let nonce = try Hex.decode("cafebabefacedbaddecaf888")
        let plaintext = try Hex.decode("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                                       + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39")
        let aad = try Hex.decode("feedfacedeadbeeffeedfacedeadbeefabaddad2")
        let sealed = try OpenSSL.aes256GCMSeal(key: key, nonce: nonce, plaintext: plaintext, aad: aad)
        #expect(Hex.encode(sealed.ciphertext, prefix: false) == "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
                + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662")
        #expect(Hex.encode(sealed.tag, prefix: false) == "76fc6ece0f4e1768cddf8853bb2d551b")
        #expect(OpenSSL.aes256GCMOpen(key: key, nonce: nonce, ciphertext: sealed.ciphertext, tag: sealed.tag, aad: aad) == plaintext)
        var flipped = sealed.ciphertext
        flipped[7] ^= 0x01
        #expect(OpenSSL.aes256GCMOpen(key: key, nonce: nonce, ciphertext: flipped, tag: sealed.tag, aad: aad) == nil)
        #expect(OpenSSL.aes256GCMOpen(key: key, nonce: nonce, ciphertext: sealed.ciphertext, tag: sealed.tag, aad: aad.dropLast()) == nil)
    }
}

@Suite struct VaultTests {
    let okx = APICredential(apiKey: "37c541a1-0000-4000-8000-00000000abcd", secret: "FB6A1A1C8D0E2F3A4B5C6D7E8F901234",
                            passphrase: "okx-passphrase-42")

    @Test func writesOwnerOnlyFilesAndReadsThemBack() throws {
        let temporary = try TemporaryVault()
        defer { temporary.remove() }
        let vault = try temporary.create()
        let info = try APIKeys.add(vault, venue: "OKX", credential: okx, permissions: ["read", "trade"], now: 1_700_000_000)
        #expect(info.venue == "okx" && info.keySuffix == "abcd")

        #expect(temporary.mode(temporary.directory.path) == 0o700)
        for file in ["vault.json", "api-okx.json"] {
            #expect(temporary.mode(temporary.directory.appendingPathComponent(file).path) == 0o600, "\(file)")
            let text = String(decoding: try temporary.bytes(file), as: UTF8.self)
            for secret in [okx.apiKey, okx.secret, okx.passphrase!, "correct horse battery"] {
                #expect(!text.contains(secret), "\(file) holds a secret in clear")
            }
        }
        let (stored, credential) = try APIKeys.read(try temporary.unlock(), venue: "okx")
        #expect(stored == info)
        #expect(credential.apiKey == okx.apiKey && credential.secret == okx.secret && credential.passphrase == okx.passphrase)
        #expect(!"\(credential)".contains(okx.secret) && !"\(credential)".contains(okx.passphrase!))
        // Listing needs no passphrase and shows no secret.
        #expect(try APIKeys.list(at: temporary.directory) == [info])
    }

    @Test func aWrongPassphraseIsToldApartFromADamagedFile() throws {
        let temporary = try TemporaryVault()
        defer { temporary.remove() }
        _ = try APIKeys.add(try temporary.create(), venue: "okx", credential: okx, permissions: ["read"], now: 0)
        #expect(throws: VaultError.wrongPassphrase(user: "alice")) { try temporary.unlock("correct horse battery!") }

        // Flip one byte of the sealed secret: the entry fails authentication, and nothing of it is returned.
        let original = try temporary.bytes("api-okx.json")
        let text = String(decoding: original, as: UTF8.self)
        let ciphertextStart = try #require(text.range(of: "\"ciphertext\":\"")).upperBound
        var flipped = original
        let index = text.utf8.distance(from: text.startIndex, to: ciphertextStart) + 3
        flipped[index] = flipped[index] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        try temporary.overwrite("api-okx.json", flipped)
        let vault = try temporary.unlock()
        #expect(throws: VaultError.tampered(temporary.directory.appendingPathComponent("api-okx.json").path)) {
            try APIKeys.read(vault, venue: "okx")
        }

        // Edit the readable header instead (grant withdraw rights): also caught.
        let widened = text.replacingOccurrences(of: "\\\"read\\\"", with: "\\\"read\\\",\\\"withdraw\\\"")
        #expect(widened != text)
        try temporary.overwrite("api-okx.json", Array(widened.utf8))
        #expect(throws: VaultError.self) { try APIKeys.read(vault, venue: "okx") }

        // A file moved under another name fails too: the name is authenticated.
        try temporary.overwrite("api-okx.json", original)
        try FileManager.default.copyItem(at: temporary.directory.appendingPathComponent("api-okx.json"),
                                         to: temporary.directory.appendingPathComponent("api-binance.json"))
        #expect(throws: VaultError.self) { try APIKeys.read(vault, venue: "binance") }
        try FileManager.default.removeItem(at: temporary.directory.appendingPathComponent("api-binance.json"))
        #expect(try APIKeys.read(vault, venue: "okx").1.secret == okx.secret)

        // Truncated JSON is malformed, named by its path.
        try temporary.overwrite("api-okx.json", Array(original.prefix(40)))
        #expect(throws: VaultError.self) { try APIKeys.read(vault, venue: "okx") }
    }

    @Test func refusesFilesOthersCanRead() throws {
        let temporary = try TemporaryVault()
        defer { temporary.remove() }
        _ = try APIKeys.add(try temporary.create(), venue: "okx", credential: okx, permissions: ["read"], now: 0)
        let path = temporary.directory.appendingPathComponent("api-okx.json").path
        chmod(path, 0o644)
        #expect(throws: VaultError.exposed(path, mode: 0o644)) { try APIKeys.read(try temporary.unlock(), venue: "okx") }
        #expect("\(VaultError.exposed(path, mode: 0o644))".contains("chmod 600"))
    }

    @Test func rotationReplacesTheKeyAndRecordsTheOldOne() throws {
        let temporary = try TemporaryVault()
        defer { temporary.remove() }
        let vault = try temporary.create()
        _ = try APIKeys.add(vault, venue: "okx", credential: okx, permissions: ["read", "trade"], now: 1_000)
        #expect(throws: APIKeyError.alreadyStored("okx")) {
            try APIKeys.add(vault, venue: "okx", credential: okx, permissions: ["read"], now: 2_000)
        }
        let fresh = APICredential(apiKey: "99999999-0000-4000-8000-00000000ef01", secret: "0123456789ABCDEF0123", passphrase: "p2")
        let rotated = try APIKeys.rotate(vault, venue: "okx", credential: fresh, now: 90_000)
        #expect(rotated.keySuffix == "ef01" && rotated.created == 90_000 && rotated.permissions == ["read", "trade"])
        #expect(rotated.rotations.map(\.keySuffix) == ["abcd"])
        #expect(rotated.rotations.map(\.created) == [1_000] && rotated.rotations.map(\.retired) == [90_000])
        #expect(try APIKeys.read(vault, venue: "okx").1.secret == fresh.secret)
        #expect(rotated.ageDays(now: 90_000 + 86_400 * 3) == 3)
        #expect(throws: VaultError.self) { try APIKeys.rotate(vault, venue: "kraken", credential: fresh, now: 0) }
        #expect(throws: APIKeyError.passphraseRequired("okx")) {
            try APIKeys.rotate(vault, venue: "okx", credential: APICredential(apiKey: fresh.apiKey, secret: fresh.secret, passphrase: nil), now: 0)
        }
    }

    @Test func walletsOfEveryKindRoundTrip() throws {
        let temporary = try TemporaryVault()
        defer { temporary.remove() }
        let vault = try temporary.create()
        let fresh = try Wallets.create(vault, name: "hot", kind: .evm, now: 1)
        #expect(try EthereumAddress(parsing: fresh.address).checksummed == fresh.address)
        #expect(fresh.chains.contains("ethereum") && fresh.chains.contains("bsc"))

        // ethereum/tests "test1": a PBKDF2 keystore whose key is known.
        // Source: ethereum/tests KeyStoreTests/basic_tests.json, via ../shared/vectors/eth/keystore_v3.json
        let file = try sharedObject("vectors/eth/keystore_v3.json") as? [String: Any] ?? [:]
        let test1 = (file["ethereum_tests_basic"] as? [String: [String: Any]])?["test1"] ?? [:]
        let json = try JSONSerialization.data(withJSONObject: test1["json"] ?? [:])
        let imported = try Wallets.importKeystore(vault, name: "cold", json: json, password: Array("testpassword".utf8), now: 2)
        let expected = try EthereumPrivateKey(bytes: Hex.decode("7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d"))
        #expect(imported.address == expected.address.checksummed)
        #expect(throws: WalletError.duplicate(imported.address, existing: "cold")) {
            try Wallets.importKeystore(vault, name: "cold2", json: json, password: Array("testpassword".utf8), now: 3)
        }

        let watched = try Wallets.watch(vault, name: "treasury", address: "0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae", now: 4)
        #expect(watched.address == "0xde0B295669a9FD93d5F28D9Ec85E40f4cb697BAe" && !watched.kind.canSign)
        #expect(throws: EthereumAddress.ParseError.self) {
            try Wallets.watch(vault, name: "typo", address: "0xde0B295669a9FD93d5F28D9Ec85E40f4cb697BAE", now: 4)
        }
        let sol = try Wallets.create(vault, name: "sol", kind: .solana, now: 5)
        let desk = try Wallets.exchange(vault, name: "binance-main", venue: "binance", now: 6)
        #expect(throws: WalletError.nameTaken("hot")) { try Wallets.create(vault, name: "hot", kind: .evm, now: 7) }
        #expect(throws: VaultError.badName("Hot Wallet")) { try Wallets.create(vault, name: "Hot Wallet", kind: .evm, now: 7) }

        let reopened = try temporary.unlock()
        let loaded = try Wallets.loadAll(reopened)
        #expect(Set(loaded.map(\.name)) == ["hot", "cold", "treasury", "sol", "binance-main"])
        #expect(loaded.first { $0.name == "binance-main" } == desk)

        // Export: a keystore that decrypts to the same account, a keygen file that reads back as the same keypair.
        let keystore = try Wallets.export(reopened, name: "cold", password: Array("export pw".utf8), scrypt: .init(n: 1 << 10))
        #expect(try Keystore.decrypt(keystore, password: Array("export pw".utf8)).address == expected.address)
        let keygen = try Wallets.export(reopened, name: "sol", password: [])
        #expect(try SolanaKeypair(keygenJSON: keygen).publicKey.description == sol.address)
        let imported2 = try Wallets.importSolana(try temporary.create(inAnother: "bob"), name: "sol", keygenJSON: keygen, now: 8)
        #expect(imported2.address == sol.address)
        #expect(String(decoding: try Wallets.export(reopened, name: "treasury", password: []), as: UTF8.self) == watched.address + "\n")
        #expect(throws: WalletError.exportNeedsPassword) { try Wallets.export(reopened, name: "hot", password: []) }
    }

    @Test func anEntryMovedIntoAnotherUsersVaultDoesNotOpen() throws {
        let temporary = try TemporaryVault()
        defer { temporary.remove() }
        _ = try APIKeys.add(try temporary.create("same passphrase"), venue: "okx", credential: okx, permissions: [], now: 0)
        let bob = try temporary.create(inAnother: "bob", passphrase: "same passphrase")
        try FileManager.default.copyItem(at: temporary.directory.appendingPathComponent("api-okx.json"),
                                         to: bob.directory.appendingPathComponent("api-okx.json"))
        #expect(throws: VaultError.self) { try APIKeys.read(bob, venue: "okx") }
    }
}

extension TemporaryVault {
    func create(inAnother user: String, passphrase: String = "another passphrase") throws -> Vault {
        try Vault.create(at: root.appendingPathComponent("vault/\(user)"), user: user, passphrase: Array(passphrase.utf8),
                         kdf: Vault.KDF.fresh(n: 1 << 10))
    }
}
