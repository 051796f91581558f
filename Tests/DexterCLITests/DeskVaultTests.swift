import DexterCore
import DexterCrypto
import DexterEngine
import DexterLedger
import Foundation
import Testing

@testable import dexter

/// What the screen learns from an unlocked vault: wallets by kind, exchange accounts with their key's age, and an
/// alert for every key past the configured rotation age.
@Suite struct DeskVaultTests {
    @Test func flagsKeysPastTheirRotationAgeAndLabelsEveryWallet() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("dexter-deskvault-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let vault = try Vault.create(at: root.appendingPathComponent("alice"), user: "alice", passphrase: Array("pass phrase".utf8),
                                     kdf: Vault.KDF.fresh(n: 1 << 10))
        let day: Int64 = 86_400
        _ = try APIKeys.add(vault, venue: "binance", credential: APICredential(apiKey: "AAAAAAAAAAAAwxyz", secret: "SSSSSSSSSSSSSSSS", passphrase: nil),
                            permissions: ["read", "trade"], now: 0)
        _ = try APIKeys.add(vault, venue: "kraken", credential: APICredential(apiKey: "KKKKKKKKKKKK1234", secret: "c2VjcmV0c2VjcmV0", passphrase: nil),
                            permissions: ["read"], now: 80 * day)
        _ = try Wallets.exchange(vault, name: "desk", venue: "binance", now: 0)
        let hot = try Wallets.create(vault, name: "hot", kind: .evm, now: 0)
        _ = try Wallets.watch(vault, name: "treasury", address: "0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae", now: 0)

        let contents = try DeskVault.load(vault, maxAgeDays: 90, now: 100 * day)
        #expect(contents.alerts == ["binance API key …wxyz is 100 days old: dexter keys rotate binance"])
        let desk = try #require(contents.wallets.first { $0.name == "desk" })
        #expect(desk.kind == .cex && desk.keyNote == "key …wxyz 100d ROTATE" && desk.keyOverdue)
        // Kraken has a key but no named account: it still gets one, so its age is on screen.
        let kraken = try #require(contents.wallets.first { $0.name == "kraken" })
        #expect(kraken.keyNote == "key …1234 20d" && !kraken.keyOverdue)
        #expect(contents.wallets.first { $0.name == "hot" }?.address == hot.address)
        #expect(contents.wallets.first { $0.name == "treasury" }?.kind == .evmWatch)
        #expect(contents.summary.contains("binance …wxyz (100d)") && contents.summary.contains("hot \(hot.address) (evm)"))
        #expect(!contents.summary.contains("SSSSSSSS"))
    }

    @Test func refusesUserNamesThatWouldEscapeTheVaultFolder() {
        for name in ["../bob", "a/b", ".hidden", "", "x y"] {
            #expect(throws: (any Error).self, "\(name)") { try VaultAccess.checkUserName(name) }
        }
        #expect(throws: Never.self) { try VaultAccess.checkUserName("alice.smith-2") }
    }
}

/// The wallets panel warns when a chain's gas token would not pay for a few swaps at today's gas price.
@Suite struct LowGasTests {
    @Test func aWalletShortOfGasIsFlaggedOnThatChainOnly() async throws {
        let text = DefaultConfig.text.replacingOccurrences(of: "[wallets.ethereum]\nETH = \"20\"", with: "[wallets.ethereum]\nETH = \"0.0001\"")
        #expect(text != DefaultConfig.text)
        let desk = try DeskConfig.parse(text, file: "config.toml")
        let path = NSTemporaryDirectory() + "dexter-gas-\(UUID().uuidString).sqlite"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let engine = try await Engine(config: desk.engineConfig(user: "gas"),
                                      venues: try desk.venueSet(seed: nil, start: WallClock().now(), journalPath: nil),
                                      ledger: try DexterLedger.Ledger(path: path))
        await engine.tick()
        await engine.publishNow()
        let wallets = try #require(engine.board.current?.wallets)
        let chains = wallets.flatMap(\.chains)
        #expect(chains.first { $0.chain == "ethereum" }?.lowGas == "ETH")
        #expect(chains.first { $0.chain == "bsc" }?.lowGas == nil)
        #expect(chains.first { $0.chain == "solana" }?.lowGas == nil)
    }
}
