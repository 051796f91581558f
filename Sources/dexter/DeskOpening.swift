import ArgumentParser
import DexterCore
import DexterCrypto
import DexterEngine
import DexterEVM
import DexterLedger
import DexterVenues
import Foundation
import Logging

/// A desk opened on config.toml: the screen (watch) and the served desk (serve) open it the same way.
struct OpenedDesk {
    let config: DeskConfig
    let userName: String
    let mode: DeskMode
    let ledgerPath: String
    let ledgerFile: DexterLedger.Ledger
    let engine: Engine
    let logger: Logger
}

enum DeskOpening {
    /// Reads config, opens the ledger and (when it exists) the member's vault, builds the venues and the engine.
    /// A LIVE desk checks every venue's key and then asks `confirmLive` before anything is sent.
    static func open(_ desk: DeskOptions, recorded: ReplayDeskOptions, trading: LiveOptions, user: String?,
                     ledger: String?, confirmLive: () throws -> Void, stderrLog: LogFormat? = nil) async throws -> OpenedDesk {
        let config = try desk.load()
        let userName = user ?? config.user ?? Paths.osUser
        try VaultAccess.checkUserName(userName)
        var engineConfig = config.engineConfig(user: userName)
        engineConfig.mode = try trading.deskMode(configured: engineConfig.mode, onRecording: recorded.isOn)
        let ledgerPath = try ledger ?? config.ledgerPath ?? Paths.defaultLedger(mode: engineConfig.mode)
        let logPath = config.logPath ?? Paths.defaultLog(mode: engineConfig.mode)
        try LogFile.start(path: logPath, stderrFormat: stderrLog)
        let logger = Logger(label: "dexter")
        logger.info("starting as \(userName) in \(engineConfig.mode), ledger \(ledgerPath)")
        let ledgerFile = try DexterLedger.Ledger(path: ledgerPath)
        engineConfig.deskUser = try DeskMembers.admit(userName, in: ledgerFile)
        // The vault is unlocked before the screen takes the terminal: the passphrase prompt needs it. A desk on a
        // recording trades on paper: it needs no keys.
        var liveAccess: LiveAccess?
        var aggregatorKeys: [AggregatorSource: String] = [:]
        if trading.isLive, !Vault.exists(at: Paths.vault(user: userName)) { liveAccess = try LiveAccess.open(config, vault: nil) }
        if !recorded.isOn, Vault.exists(at: Paths.vault(user: userName)) {
            do {
                let vault = try VaultAccess.open(user: userName, create: false)
                if trading.isLive { liveAccess = try LiveAccess.open(config, vault: vault) }
                aggregatorKeys = try DeskConfig.aggregatorVaultKeys(config, vault: vault)
                let contents = try DeskVault.load(vault, maxAgeDays: config.keyMaxAgeDays, now: VaultAccess.now())
                engineConfig.wallets = contents.wallets
                engineConfig.alerts = contents.alerts
                logger.notice("\(contents.summary)")
            } catch let error as ValidationError {
                throw error
            } catch {
                logger.error("vault not opened: \(error)")
                throw ValidationError("\(error)")
            }
        }
        // The paper venues remember what they executed beside the ledger, so a restart can settle orders in flight.
        let journalPath = ledgerPath + ".paper-venues.jsonl"
        let venues: VenueSet
        var clock: any Clock = WallClock()
        if recorded.isOn {
            let onRecording = try ReplayDesk(recorded, config: config, journalPath: journalPath)
            engineConfig = onRecording.engineConfig(engineConfig, stakeUSD: config.replay.stakeUSD)
            venues = onRecording.venues
            clock = onRecording.clock(speed: recorded.speed)
            let span = "\(onRecording.venue.start.iso8601) → \(onRecording.venue.end.iso8601)"
            logger.info("on the recording \(recorded.replay.joined(separator: " ")) at ×\(recorded.speed), \(span)")
        } else {
            // A live venue's funding is read from the newest payment the ledger holds (none: from now).
            let fundingSince = Dictionary(uniqueKeysWithValues: try config.liveVenues.compactMap { venue in
                try ledgerFile.reader.funding(venue: venue.spec.id.name, limit: 1).first.map { (venue.spec.id, $0.at) }
            })
            venues = try config.venueSet(seed: desk.seed, start: WallClock().now(), journalPath: journalPath,
                                         ledgerPath: ledgerPath, credentials: liveAccess?.credentials ?? [:],
                                         fundingSince: fundingSince, walletKeys: liveAccess?.walletKeys ?? [:],
                                         solanaKeys: liveAccess?.solanaKeys ?? [:],
                                         aggregatorKeys: aggregatorKeys)
        }
        if let liveAccess {
            engineConfig.alerts += try await liveAccess.check(venues)
            try confirmLive()
            engineConfig.reconciledVenues = config.liveVenues.map(\.spec.id)
            // A chain's balances are its signing wallet's: on the Wallets panel under that wallet, not as paper.
            for (chain, settings) in config.liveChains.sorted(by: { $0.key < $1.key }) where liveAccess.walletKeys[chain] != nil {
                guard let index = engineConfig.wallets.firstIndex(where: { $0.name == settings.wallet }),
                      !engineConfig.wallets[index].chains.contains(chain.name) else { continue }
                engineConfig.wallets[index].chains.insert(chain.name, at: 0)
            }
            if let solana = config.solanaChain, liveAccess.solanaKeys[solana.chain] != nil,
               let index = engineConfig.wallets.firstIndex(where: { $0.name == solana.wallet }),
               !engineConfig.wallets[index].chains.contains(solana.chain.name) {
                engineConfig.wallets[index].chains.insert(solana.chain.name, at: 0)
            }
            logger.notice("LIVE confirmed by \(userName) on \(engineConfig.reconciledVenues.map(\.name).joined(separator: ", "))")
        }
        let engine = try await Engine(config: engineConfig, venues: venues, ledger: ledgerFile, clock: clock,
                                      logger: Logger(label: "dexter.engine"))
        return OpenedDesk(config: config, userName: userName, mode: engineConfig.mode, ledgerPath: ledgerPath,
                          ledgerFile: ledgerFile, engine: engine, logger: logger)
    }
}
