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
        // The theme is resolved first: a bad one is said before anything opens.
        let config = try desk.load()
        let themeName = theme ?? config.theme
        let environment = ProcessInfo.processInfo.environment
        let noColor = environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        let resolvedTheme: Theme
        do { resolvedTheme = try ThemeLoader.load(themeName, configPath: desk.config) } catch {
            throw ValidationError("\(error)")
        }
        let opened = try await DeskOpening.open(desk, recorded: recorded, trading: trading, user: user, ledger: ledger,
                                                confirmLive: LiveAccess.confirm)
        let engine = opened.engine, logger = opened.logger
        let shared = await SharedDeskLink.start(config.sharedDesk, engine: engine, ledger: opened.ledgerFile)
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
                                    return .success(.reloadConfig(fresh.configReload))
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
        await shared?.stop()
        channel.task.cancel()
        logger.info("stopped")
    }
}
