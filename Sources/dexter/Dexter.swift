import ArgumentParser
import DexterCore
import DexterEngine
import DexterLedger
import DexterTUI
import Foundation

@main
struct Dexter: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dexter",
        abstract: "A keyboard-driven arbitrage workstation for the terminal.",
        discussion: """
            With no configuration, dexter runs on its embedded simulated market (SIM, paper trading). \
            Real venues, fees, balances, limits and the theme are set in config.toml; see config.toml.example.
            """,
        subcommands: [Watch.self, Scan.self, Run.self, Serve.self, Attach.self, Replay.self, VenuesCommand.self, AuditCommand.self, UserCommand.self, ReportCommand.self, LedgerCommand.self, KeysCommand.self, WalletCommand.self],
        defaultSubcommand: Watch.self)
}

/// Options every command that starts the market shares.
struct DeskOptions: ParsableArguments {
    @Option(name: .long, help: "Config file (default: $DEXTER_CONFIG, then $XDG_CONFIG_HOME/dexter/config.toml).")
    var config: String?

    @Option(name: .long, help: "Seed of the embedded market, overriding [sim] seed.")
    var seed: UInt64?

    func load() throws -> DeskConfig {
        do {
            return try DeskConfig.load(explicit: config, environment: ProcessInfo.processInfo.environment).config
        } catch let error as ConfigError {
            throw ValidationError("\(error)")
        }
    }
}

enum Paths {
    /// $XDG_DATA_HOME/dexter/<mode>.sqlite, creating the folder (0700: it holds the ledger and, later, secrets).
    static func defaultLedger(mode: DeskMode) throws -> String {
        let environment = ProcessInfo.processInfo.environment
        let dataHome = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? ".") + "/.local/share")
        let folder = dataHome + "/dexter"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        return folder + "/\(mode.rawValue.lowercased()).sqlite"
    }

    /// $XDG_STATE_HOME/dexter/<mode>.log.
    static func defaultLog(mode: DeskMode) -> String {
        let environment = ProcessInfo.processInfo.environment
        let stateHome = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? ".") + "/.local/state")
        return stateHome + "/dexter/\(mode.rawValue.lowercased()).log"
    }

    /// $XDG_DATA_HOME/dexter/vault/<user>: the user's encrypted keys and wallets.
    static func vault(user: String) -> URL {
        let environment = ProcessInfo.processInfo.environment
        let dataHome = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? ".") + "/.local/share")
        return URL(fileURLWithPath: dataHome + "/dexter/vault/\(user)")
    }

    static var osUser: String {
        if let pw = getpwuid(getuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "trader"
    }
}
