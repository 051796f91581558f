import ArgumentParser
import DexterCrypto
import DexterEngine
import Foundation
import Logging

/// Who a keys or wallet command acts for: --user, then config's user, then the OS user.
struct UserOptions: ParsableArguments {
    @Option(name: .long, help: "Config file (default: $DEXTER_CONFIG, then $XDG_CONFIG_HOME/dexter/config.toml).")
    var config: String?

    @Option(name: .long, help: "Whose vault (default: config's user, then the OS user).")
    var user: String?

    func resolve() throws -> (user: String, config: DeskConfig) {
        let config: DeskConfig
        do { config = try DeskConfig.load(explicit: self.config, environment: ProcessInfo.processInfo.environment).config } catch {
            throw ValidationError("\(error)")
        }
        let name = user ?? config.user ?? Paths.osUser
        try VaultAccess.checkUserName(name)
        return (name, config)
    }
}

enum VaultAccess {
    static func checkUserName(_ name: String) throws {
        let allowed = name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)
        }
        guard allowed, !name.isEmpty, !name.hasPrefix("."), name.count <= 64 else {
            throw ValidationError("\"\(name)\" is not a usable user name (letters, digits, '.', '_', '-')")
        }
    }

    /// Unlocks the user's vault, creating it (with a new passphrase, asked twice) when `create` and there is none.
    /// At a terminal a wrong passphrase may be retried twice.
    static func open(user: String, create: Bool) throws -> Vault {
        let directory = Paths.vault(user: user)
        if !Vault.exists(at: directory) {
            guard create else { throw VaultError.noVault(user: user, path: directory.path) }
            FileHandle.standardError.write(Data("Creating \(user)'s vault in \(directory.path).\n".utf8))
            var passphrase = try SecretPrompt.newPassphrase("New vault passphrase for \(user)")
            defer { passphrase.wipe() }
            return try Vault.create(at: directory, user: user, passphrase: passphrase)
        }
        let attempts = PassphraseSource.current == nil && isatty(STDIN_FILENO) == 1 ? 3 : 1
        for attempt in 1...attempts {
            var passphrase = try PassphraseSource.current?.read() ?? SecretPrompt.read("Vault passphrase for \(user)")
            defer { passphrase.wipe() }
            do {
                return try Vault.unlock(at: directory, user: user, passphrase: passphrase)
            } catch VaultError.wrongPassphrase(let who) where attempt < attempts {
                FileHandle.standardError.write(Data("\(VaultError.wrongPassphrase(user: who)); try again.\n".utf8))
            }
        }
        throw VaultError.wrongPassphrase(user: user)
    }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }

    /// "12d", or "3h" for a key younger than a day.
    static func age(since created: Int64, now: Int64) -> String {
        let seconds = max(0, now - created)
        return seconds >= 86_400 ? "\(seconds / 86_400)d" : "\(seconds / 3_600)h"
    }
}

/// What the screen is told about the vault's contents once it is unlocked: labels and alerts, no secrets.
struct DeskVault {
    var wallets: [WalletLabel]
    var alerts: [String]
    /// One log line: every key by suffix and age, every wallet by address.
    var summary: String

    /// Authenticates every entry (a damaged file stops the start, it is never half-read) and describes them.
    static func load(_ vault: Vault, maxAgeDays: Int, now: Int64) throws -> DeskVault {
        let keys = try APIKeys.loadAll(vault).map(\.0)
        let wallets = try Wallets.loadAll(vault)
        var labels: [WalletLabel] = []
        var alerts: [String] = []
        func note(_ key: APIKeyInfo) -> (String, Bool) {
            let overdue = key.ageDays(now: now) >= maxAgeDays
            return ("key …\(key.keySuffix) \(VaultAccess.age(since: key.created, now: now))\(overdue ? " ROTATE" : "")", overdue)
        }
        for wallet in wallets {
            let kind: WalletLabel.Kind = switch wallet.kind {
            case .evm: .evm
            case .evmWatch: .evmWatch
            case .solana: .solana
            case .cex: .cex
            }
            var label = WalletLabel(name: wallet.name, kind: kind, address: wallet.address, chains: wallet.chains)
            if wallet.kind == .cex, let key = keys.first(where: { $0.venue == wallet.address }) {
                (label.keyNote, label.keyOverdue) = note(key)
            }
            labels.append(label)
        }
        // A key with no exchange account named for it still gets one, so its age is on screen.
        for key in keys where !labels.contains(where: { $0.kind == .cex && $0.address == key.venue }) {
            let (text, overdue) = note(key)
            labels.append(WalletLabel(name: key.venue, kind: .cex, address: key.venue, chains: [key.venue], keyNote: text,
                                      keyOverdue: overdue))
        }
        for key in keys where key.ageDays(now: now) >= maxAgeDays {
            alerts.append("\(key.venue) API key …\(key.keySuffix) is \(key.ageDays(now: now)) days old: dexter keys rotate \(key.venue)")
        }
        let keyText = keys.map { "\($0.venue) …\($0.keySuffix) (\(VaultAccess.age(since: $0.created, now: now)))" }.joined(separator: ", ")
        let walletText = wallets.map { "\($0.name) \($0.address) (\($0.kind.rawValue))" }.joined(separator: ", ")
        let summary = "vault unlocked for \(vault.user): \(keys.count) API key(s)\(keys.isEmpty ? "" : ": " + keyText); "
            + "\(wallets.count) wallet(s)\(wallets.isEmpty ? "" : ": " + walletText)"
        return DeskVault(wallets: labels, alerts: alerts, summary: summary)
    }
}
