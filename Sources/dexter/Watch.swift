import ArgumentParser
import DexterCore
import DexterCrypto
import DexterEngine
import DexterEVM
import DexterLedger
import DexterTUI
import DexterVenues
import Foundation
import Logging

/// The interactive screen: the default command.
struct Watch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Watch opportunities live and approve them with a key (the default command).",
        discussion: """
            Keys: ↑/↓ or j/k move, Enter shows legs and costs, a approves (after a re-priced confirmation: y sends, \
            n cancels), x rejects, ? lists keys, q quits. With --replay FILE... the desk runs on a recorded day \
            (REPLAY mode, paper fills against the recorded books, its own ledger), at its recorded pace times --speed.
            """)

    @OptionGroup var desk: DeskOptions

    @OptionGroup var recorded: ReplayDeskOptions

    @OptionGroup var trading: LiveOptions

    @Option(name: .long, help: "User to trade as (default: config's user, then the OS user).")
    var user: String?

    @Option(name: .long, help: "Ledger file (default: $XDG_DATA_HOME/dexter/<mode>.sqlite: sim, paper, replay, live).")
    var ledger: String?

    @Option(name: .long, help: "Colour theme: dark, light, high-contrast, mono, or a path to a theme file.")
    var theme: String?

    func run() async throws {
        guard isatty(STDOUT_FILENO) == 1, isatty(STDIN_FILENO) == 1 else {
            FileHandle.standardError.write(Data("""
                dexter: the screen needs a terminal, and stdin/stdout is not one.
                For a stream of opportunities, use: dexter scan --json --seconds 10

                """.utf8))
            throw ExitCode(2)
        }
        let config = try desk.load()
        let userName = user ?? config.user ?? Paths.osUser
        try VaultAccess.checkUserName(userName)
        var engineConfig = config.engineConfig(user: userName)
        engineConfig.mode = try trading.deskMode(configured: engineConfig.mode, onRecording: recorded.isOn)
        let ledgerPath = try ledger ?? config.ledgerPath ?? Paths.defaultLedger(mode: engineConfig.mode)
        let logPath = config.logPath ?? Paths.defaultLog(mode: engineConfig.mode)
        try LogFile.start(path: logPath)
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
        let themeName = theme ?? config.theme
        let environment = ProcessInfo.processInfo.environment
        let noColor = environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        let resolvedTheme: Theme
        do { resolvedTheme = try ThemeLoader.load(themeName, configPath: desk.config) } catch {
            throw ValidationError("\(error)")
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
            try LiveAccess.confirm()
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
        let loop = Task { await engine.run() }
        let channel = engine.commandChannel()
        let board = engine.board
        let send = channel.send
        // Curses blocks on key reads: it gets a thread of its own, off the pool the engine runs on.
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                let configPath = desk.config
                TerminalApp(board: board, theme: resolvedTheme, keymap: config.keymap, colour: !noColor, mouse: config.mouse,
                            loadTheme: { name in
                                do { return .success(try ThemeLoader.load(name, configPath: configPath)) } catch {
                                    return .failure(TerminalApp.ThemeError("\(error)"))
                                }
                            },
                            reloadConfig: {
                                // A config that no longer parses is refused whole, with the reason on screen.
                                do {
                                    let fresh = try desk.load()
                                    return .success(.reloadConfig(ConfigReload(
                                        limits: fresh.limits, autoHalt: fresh.autoHalt,
                                        maxExposurePerVenueUSD: fresh.maxExposurePerVenueUSD,
                                        positionVaRBudgetUSD: fresh.positionVaRBudgetUSD, denyList: fresh.denyList,
                                        stopLoss: fresh.stopLoss, marginBuffer: fresh.marginBuffer)))
                                } catch {
                                    return .failure(TerminalApp.ThemeError("\(error)"))
                                }
                            },
                            send: send).run()
                continuation.resume()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        await engine.stop()
        await loop.value
        channel.task.cancel()
        logger.info("stopped")
    }
}
