import ArgumentParser
import DexterCrypto
import DexterEVM
import Foundation
import Logging

/// `dexter keys`: exchange API keys in the vault.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Store, list and rotate exchange API keys (encrypted in the vault, never shown).",
        discussion: """
            Keys are sealed with AES-256-GCM under a key derived (scrypt) from your vault passphrase, in \
            $XDG_DATA_HOME/dexter/vault/<user>/, owner-only files. Secrets are read without echo.
            """,
        subcommands: [Add.self, List.self, Rotate.self])

    /// Exchanges whose keys dexter knows how to use, and any venue in the config.
    static let knownVenues: Set<String> = ["binance", "binance-usdm", "bybit", "okx", "coinbase", "kraken"]

    static func checkVenue(_ venue: String, config: DeskConfig) throws -> String {
        let name = venue.lowercased()
        let configured = Set(config.venues.filter { $0.spec.kind == .exchange }.map(\.spec.id.name))
        // An aggregator's key (1inch, 0x) is stored under its name too, for [chains.NAME.aggregators.*].
        let aggregators = Set(AggregatorSource.allCases.map(\.rawValue))
        guard knownVenues.contains(name) || configured.contains(name) || aggregators.contains(name) else {
            let known = knownVenues.union(configured).union(aggregators).sorted().joined(separator: ", ")
            throw ValidationError("unknown venue \"\(venue)\"; known: \(known)")
        }
        return name
    }

    static func askCredential(venue: String) throws -> APICredential {
        let prompts = VenueCredentialShape.prompts(venue)
        let key = try SecretPrompt.readText("\(venue) \(prompts.key)")
        let secret = VenueCredentialShape.hasSecret(venue) ? try SecretPrompt.readText("\(venue) \(prompts.secret)") : ""
        let passphrase = VenueCredentialShape.needsPassphrase(venue) ? try SecretPrompt.readText("\(venue) API passphrase") : nil
        return APICredential(apiKey: key, secret: secret, passphrase: passphrase)
    }

    static func startLog(_ config: DeskConfig) {
        try? LogFile.start(path: config.logPath ?? Paths.defaultLog(mode: .sim))
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a venue's API key (asks for key, secret and, where the venue has one, passphrase).")

        @Argument(help: "Venue: binance, binance-usdm, bybit, okx, coinbase, kraken; or an aggregator: 1inch, 0x.")
        var venue: String

        @Option(name: .long, help: "What the key may do, as granted on the venue (comma-separated).")
        var permissions: String = "read,trade"

        @OptionGroup var who: UserOptions

        func run() throws {
            let (user, config) = try who.resolve()
            let venue = try KeysCommand.checkVenue(self.venue, config: config)
            let permissions = permissions.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                .filter { !$0.isEmpty }
            let vault = try VaultAccess.open(user: user, create: true)
            let info = try APIKeys.add(vault, venue: venue, credential: try KeysCommand.askCredential(venue: venue),
                                       permissions: permissions, now: VaultAccess.now())
            KeysCommand.startLog(config)
            Logger(label: "dexter.vault").notice("\(user) added the \(venue) API key …\(info.keySuffix) (\(permissions.joined(separator: ",")))")
            AuditCommand.append(action: "key added", detail: "\(venue) …\(info.keySuffix) (\(permissions.joined(separator: ",")))",
                                user: user, ledgerPath: config.ledgerPath)
            print("Stored the \(venue) key …\(info.keySuffix) (\(permissions.joined(separator: ", "))) for \(user).")
            if permissions.contains("withdraw") {
                print("Warning: this key can withdraw. An arbitrage desk needs read and trade only.")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List stored keys: venue, key suffix, permissions, age. Never a secret.")

        @OptionGroup var who: UserOptions

        func run() throws {
            let (user, config) = try who.resolve()
            let keys = try APIKeys.list(at: Paths.vault(user: user))
            guard !keys.isEmpty else {
                print("No API keys for \(user). Add one with: dexter keys add VENUE")
                return
            }
            let now = VaultAccess.now()
            let permissionsWidth = max(12, keys.map { $0.permissions.joined(separator: ",").count }.max() ?? 0) + 2
            print("VENUE     KEY     " + "PERMISSIONS".padding(toLength: permissionsWidth, withPad: " ", startingAt: 0) + "AGE    ROTATIONS")
            for key in keys {
                let overdue = key.ageDays(now: now) >= config.keyMaxAgeDays
                let row = key.venue.padding(toLength: 10, withPad: " ", startingAt: 0)
                    + ("…" + key.keySuffix).padding(toLength: 8, withPad: " ", startingAt: 0)
                    + key.permissions.joined(separator: ",").padding(toLength: permissionsWidth, withPad: " ", startingAt: 0)
                    + VaultAccess.age(since: key.created, now: now).padding(toLength: 7, withPad: " ", startingAt: 0)
                    + "\(key.rotations.count)"
                    + (overdue ? "   older than \(config.keyMaxAgeDays)d: rotate it (dexter keys rotate \(key.venue))" : "")
                print(row)
            }
        }
    }

    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Replace a venue's key with a new one; the rotation is recorded.")

        @Argument(help: "Venue whose key is replaced.")
        var venue: String

        @OptionGroup var who: UserOptions

        func run() throws {
            let (user, config) = try who.resolve()
            let venue = try KeysCommand.checkVenue(self.venue, config: config)
            let vault = try VaultAccess.open(user: user, create: false)
            let (old, _) = try APIKeys.read(vault, venue: venue)
            let info = try APIKeys.rotate(vault, venue: venue, credential: try KeysCommand.askCredential(venue: venue),
                                          now: VaultAccess.now())
            KeysCommand.startLog(config)
            Logger(label: "dexter.vault").notice("\(user) rotated the \(venue) API key …\(old.keySuffix) → …\(info.keySuffix)")
            AuditCommand.append(action: "key rotated", detail: "\(venue) …\(old.keySuffix) → …\(info.keySuffix)",
                                user: user, ledgerPath: config.ledgerPath)
            print("Rotated the \(venue) key: …\(old.keySuffix) retired, …\(info.keySuffix) in use. Revoke the old key on \(venue).")
        }
    }
}
