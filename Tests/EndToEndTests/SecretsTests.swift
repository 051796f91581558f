import Foundation
import GRDB
import Testing

extension EndToEnd {
    /// Keys and wallets loaded into a running dexter: the secrets stay in the vault. Every log line, the ledger file
    /// (and its WAL), every screen and every command's output are searched for them.
    @Suite(.serialized) struct SecretsTests {
        let data = NSTemporaryDirectory() + "dexter-secrets-\(UUID().uuidString)"
        var environment: [String: String] {
            ["XDG_DATA_HOME": data, "XDG_STATE_HOME": data + "/state", "XDG_CONFIG_HOME": data + "/config", "HOME": data]
        }

        let passphrase = "vault-Passphrase-7781"
        let binanceKey = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
        let binanceSecret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
        let okxKey = "37c541a1-1f6e-4d2b-9c3a-0a8e5b7d2f91"
        let okxSecret = "3F1D7A9B2C4E6F8011223344556677AB"
        let okxPassphrase = "okx-Api-Passphrase-55"
        /// ethereum/tests KeyStoreTests/basic_tests.json "test1" (MIT): a PBKDF2 keystore and its known key.
        let keystore = """
            {"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"6087dab2f9fdbbfaddc31a909735c1e6"},\
            "ciphertext":"5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46","kdf":"pbkdf2",\
            "kdfparams":{"c":262144,"dklen":32,"prf":"hmac-sha256","salt":"ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"},\
            "mac":"517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2"},\
            "id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","version":3}
            """
        let keystorePassword = "testpassword"
        let privateKey = "7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d"

        func dexter(_ arguments: [String], input: String? = nil) throws -> (status: Int32, output: String, error: String) {
            try Binary.run(arguments, environment: environment, input: input)
        }

        @Test func secretsNeverReachLogsLedgerScreenOrOutput() throws {
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: data) }
            var transcript = ""
            func record(_ result: (status: Int32, output: String, error: String), _ what: String) {
                #expect(result.status == 0, "\(what): \(result.error)")
                transcript += result.output + result.error
            }
            record(try dexter(["keys", "add", "binance"], input: "\(passphrase)\n\(passphrase)\n\(binanceKey)\n\(binanceSecret)\n"), "keys add binance")
            record(try dexter(["keys", "add", "okx"], input: "\(passphrase)\n\(okxKey)\n\(okxSecret)\n\(okxPassphrase)\n"), "keys add okx")
            let keystorePath = data + "/test1.json"
            try keystore.write(toFile: keystorePath, atomically: true, encoding: .utf8)
            record(try dexter(["wallet", "import", "cold", "--keystore", keystorePath], input: "\(passphrase)\n\(keystorePassword)\n"), "import")
            record(try dexter(["wallet", "new", "sol", "--chain", "solana"], input: "\(passphrase)\n"), "wallet new")
            record(try dexter(["wallet", "import", "desk", "--exchange", "binance"], input: "\(passphrase)\n"), "exchange account")
            let keypairPath = data + "/sol.json"
            let export = try dexter(["wallet", "export", "sol", "--out", keypairPath], input: "\(passphrase)\n")
            #expect(export.status == 0, "\(export.error)")
            let solanaSecret = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: keypairPath))) as? [Int])
            let seedHex = solanaSecret.prefix(32).map { String(format: "%02x", $0) }.joined()
            let seedJSON = solanaSecret.prefix(32).map(String.init).joined(separator: ",")
            try FileManager.default.removeItem(atPath: keypairPath)

            // Listings show who and what, not secrets.
            let keys = try dexter(["keys", "list"])
            record(keys, "keys list")
            #expect(keys.output.contains("binance   …\(binanceKey.suffix(4))") && keys.output.contains("okx       …2f91"))
            let wallets = try dexter(["wallet", "list"])
            record(wallets, "wallet list")
            #expect(wallets.output.contains("0x008AeEda4D805471dF9b2A5B0f38A0C3bCBA786b"))

            // A wrong passphrase is refused clearly, and says nothing of the right one.
            let wrong = try dexter(["keys", "rotate", "okx"], input: "not-the-passphrase\n")
            #expect(wrong.status != 0 && wrong.error.contains("wrong passphrase"))
            transcript += wrong.output + wrong.error

            // The desk, running with the vault unlocked: trade once so the ledger has rows.
            let tmux = Tmux(name: "dexter-secrets")
            defer { tmux.kill() }
            let exports = environment
            try tmux.start("'\(Binary.dexter)' --seed 7", width: 120, height: 40, environment: exports)
            try tmux.waitFor("the passphrase prompt") { $0.contains("Vault passphrase") }
            try tmux.keys(passphrase, "Enter")
            var screens = [try tmux.waitFor("the desk with the vault's wallets") { $0.contains("Wallets") && $0.contains("cold 0x008A…786b") }]
            #expect(screens[0].contains("desk key …\(binanceKey.suffix(4))"))
            /// Waits until the approval in flight has been booked (its fills in the ledger) or 30 s have passed: an
            /// earlier outcome's line stays on screen, so the screen cannot tell this approval's end.
            func settle(from before: Int) throws {
                let deadline = Date().addingTimeInterval(30)
                while try tradeCount() == before, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
            }
            for _ in 1...8 where try tradeCount() == 0 {
                guard let screen = try tmux.approveSelected() else { continue }
                screens.append(screen)
                guard screen.contains("Approve?") else {
                    // An earlier approval is still executing: its outcome comes first.
                    if screen.contains("still in flight") { try settle(from: 0) }
                    continue
                }
                try tmux.keys("y")
                try settle(from: 0)
                screens.append(try tmux.screen())
            }
            #expect(try tradeCount() > 0)
            try tmux.keys("q")
            screens.append(try tmux.waitFor("dexter to exit") { $0.contains("EXIT=") })

            let logPath = data + "/state/dexter/sim.log"
            let log = try String(contentsOfFile: logPath, encoding: .utf8)
            #expect(log.contains("vault unlocked for") && log.contains("binance …\(binanceKey.suffix(4))") && log.contains("cold 0x008A"))
            #expect(log.contains("approved") || log.contains("completed"))
            var ledgerBytes = Data()
            for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: data + "/dexter/sim.sqlite" + suffix) {
                ledgerBytes += try Data(contentsOf: URL(fileURLWithPath: data + "/dexter/sim.sqlite" + suffix))
            }
            #expect(ledgerBytes.count > 0)
            var vaultText = ""
            for file in try FileManager.default.contentsOfDirectory(atPath: data + "/dexter/vault") {
                for entry in try FileManager.default.contentsOfDirectory(atPath: data + "/dexter/vault/" + file) {
                    vaultText += try String(contentsOfFile: data + "/dexter/vault/\(file)/\(entry)", encoding: .utf8)
                }
            }

            let secrets = [passphrase, binanceKey, binanceSecret, okxKey, okxSecret, okxPassphrase, keystorePassword, privateKey,
                           privateKey.uppercased(), seedHex, seedJSON]
            let places: [(String, String)] = [("the log", log), ("the ledger", String(decoding: ledgerBytes, as: UTF8.self)),
                                              ("the ledger (latin1)", String(data: ledgerBytes, encoding: .isoLatin1) ?? ""),
                                              ("the screens", screens.joined(separator: "\n")), ("command output", transcript),
                                              ("the vault files", vaultText)]
            for (place, text) in places {
                for secret in secrets {
                    #expect(!text.contains(secret), "a secret (\(secret.count) characters) appears in \(place)")
                }
            }
        }

        func tradeCount() throws -> Int {
            let path = data + "/dexter/sim.sqlite"
            guard FileManager.default.fileExists(atPath: path) else { return 0 }
            return try DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM trades") ?? 0 }
        }
    }
}
