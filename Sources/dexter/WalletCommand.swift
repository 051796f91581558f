import ArgumentParser
import DexterCrypto
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// `dexter wallet`: EVM accounts, watch-only addresses, Solana keypairs and exchange accounts, in the vault.
struct WalletCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wallet",
        abstract: "Create, import, list and export wallets (keys encrypted in the vault).",
        subcommands: [New.self, Import.self, List.self, Export.self])

    enum Chain: String, ExpressibleByArgument, CaseIterable {
        case evm, solana
    }

    static func logged(_ config: DeskConfig, _ message: String) {
        KeysCommand.startLog(config)
        Logger(label: "dexter.vault").notice("\(message)")
    }

    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a new key: an EVM account or a Solana keypair.")

        @Argument(help: "Wallet name (a-z, 0-9, '-', '_').")
        var name: String

        @Option(name: .long, help: "evm (Ethereum, BSC, Polygon, Arbitrum) or solana.")
        var chain: Chain = .evm

        @OptionGroup var who: UserOptions

        func run() throws {
            let (user, config) = try who.resolve()
            let vault = try VaultAccess.open(user: user, create: true)
            let info = try Wallets.create(vault, name: name, kind: chain == .evm ? .evm : .solana, now: VaultAccess.now())
            WalletCommand.logged(config, "\(user) created wallet \(info.name) \(info.address)")
            AuditCommand.append(action: "wallet created", detail: "\(info.name) \(info.address)", user: user, ledgerPath: config.ledgerPath)
            print("Created \(info.name): \(info.address) (\(info.chains.joined(separator: ", "))).")
            print("Back it up: dexter wallet export \(info.name) --out FILE")
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a keystore v3 file, a solana-keygen file, a watch-only address, or an exchange account.")

        @Argument(help: "Wallet name (a-z, 0-9, '-', '_').")
        var name: String

        @Option(name: .long, help: "A keystore v3 JSON file (geth, MetaMask, ethers); asks for its password.")
        var keystore: String?

        @Option(name: .customLong("solana-keypair"), help: "A solana-keygen JSON keypair file.")
        var solanaKeypair: String?

        @Option(name: .long, help: "An EVM address to watch, without its key.")
        var watch: String?

        @Option(name: .long, help: "An exchange account, traded through that venue's API key (dexter keys add VENUE).")
        var exchange: String?

        @OptionGroup var who: UserOptions

        func validate() throws {
            let given = [keystore, solanaKeypair, watch, exchange].compactMap { $0 }.count
            guard given == 1 else { throw ValidationError("give exactly one of --keystore, --solana-keypair, --watch, --exchange") }
        }

        func run() throws {
            let (user, config) = try who.resolve()
            let now = VaultAccess.now()
            let info: WalletInfo
            if let keystore {
                let json = try Self.readFile(keystore)
                let vault = try VaultAccess.open(user: user, create: true)
                var password = try SecretPrompt.read("Password of \((keystore as NSString).lastPathComponent)")
                defer { password.wipe() }
                info = try Wallets.importKeystore(vault, name: name, json: json, password: password, now: now)
            } else if let solanaKeypair {
                let json = try Self.readFile(solanaKeypair)
                info = try Wallets.importSolana(try VaultAccess.open(user: user, create: true), name: name, keygenJSON: json, now: now)
            } else if let watch {
                info = try Wallets.watch(try VaultAccess.open(user: user, create: true), name: name, address: watch, now: now)
            } else {
                let venue = try KeysCommand.checkVenue(exchange ?? "", config: config)
                info = try Wallets.exchange(try VaultAccess.open(user: user, create: true), name: name, venue: venue, now: now)
                if (try? APIKeys.list(at: Paths.vault(user: user)).contains { $0.venue == venue }) != true {
                    print("Note: no \(venue) API key is stored yet; add one with: dexter keys add \(venue)")
                }
            }
            WalletCommand.logged(config, "\(user) imported wallet \(info.name) (\(info.kind.rawValue)) \(info.address)")
            AuditCommand.append(action: "wallet imported", detail: "\(info.name) (\(info.kind.rawValue)) \(info.address)",
                                user: user, ledgerPath: config.ledgerPath)
            print("Imported \(info.name): \(info.kind.rawValue) \(info.address) (\(info.chains.joined(separator: ", "))).")
        }

        static func readFile(_ path: String) throws -> Data {
            guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
            return data
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List wallets: name, kind, address, chains.")

        @OptionGroup var who: UserOptions

        func run() throws {
            let (user, _) = try who.resolve()
            let wallets = try Wallets.list(at: Paths.vault(user: user))
            guard !wallets.isEmpty else {
                print("No wallets for \(user). Make one with: dexter wallet new NAME, or see: dexter wallet import --help")
                return
            }
            print("NAME          KIND       ADDRESS                                       CHAINS")
            for wallet in wallets {
                print(wallet.name.padding(toLength: 14, withPad: " ", startingAt: 0)
                      + wallet.kind.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)
                      + wallet.address.padding(toLength: 46, withPad: " ", startingAt: 0)
                      + wallet.chains.joined(separator: ","))
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export a wallet: EVM as keystore v3 (asks for a password), Solana as a solana-keygen file.",
            discussion: "A Solana keypair file is not encrypted (that is the format), so it is only written to a new 0600 file.")

        @Argument(help: "Wallet name.")
        var name: String

        @Option(name: .long, help: "File to write (created 0600; never overwritten). Keystores may go to stdout.")
        var out: String?

        @OptionGroup var who: UserOptions

        func run() throws {
            let (user, config) = try who.resolve()
            guard let listed = try Wallets.list(at: Paths.vault(user: user)).first(where: { $0.name == name }) else {
                throw VaultError.notFound("wallet \"\(name)\"")
            }
            if listed.kind == .solana && out == nil {
                throw ValidationError("a Solana keypair file holds the key in clear: give --out FILE")
            }
            let vault = try VaultAccess.open(user: user, create: false)
            var password: [UInt8] = []
            defer { password.wipe() }
            if listed.kind == .evm { password = try SecretPrompt.newPassphrase("Password for the exported keystore") }
            let data = try Wallets.export(vault, name: name, password: password)
            if let out {
                let descriptor = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
                guard descriptor >= 0 else { throw ValidationError("cannot create \(out): \(String(cString: strerror(errno)))") }
                defer { close(descriptor) }
                let written = data.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
                guard written == data.count, fsync(descriptor) == 0 else { throw ValidationError("cannot write \(out)") }
                print("Exported \(name) (\(listed.address)) to \(out).")
            } else {
                FileHandle.standardOutput.write(data)
                if listed.kind == .evm { FileHandle.standardOutput.write(Data("\n".utf8)) }
            }
            WalletCommand.logged(config, "\(user) exported wallet \(name) \(listed.address)")
            AuditCommand.append(action: "wallet exported", detail: "\(name) \(listed.address)", user: user, ledgerPath: config.ledgerPath)
        }
    }
}
