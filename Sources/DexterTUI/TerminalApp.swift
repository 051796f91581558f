import DexterCore
import DexterEngine
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Set from a signal handler (Ctrl-C, SIGTERM, SIGHUP); the screen loop sees it and restores the terminal.
let stopRequested = Atomic<Bool>(false)

/// The terminal's settings before curses took it, for the crash handler to put back.
nonisolated(unsafe) private var savedTerminal = termios()
nonisolated(unsafe) private var haveSavedTerminal = false

/// The interactive front end: reads keys and the mouse, sends commands, renders the engine's latest snapshot.
public final class TerminalApp {
    private let board: SnapshotBoard
    private let send: @Sendable (EngineCommand) -> Void
    private var theme: Theme
    private let colour: Bool
    private let mouse: Bool
    private let loadTheme: (String) -> Result<Theme, ThemeError>
    private let reloadConfig: () -> Result<EngineCommand, ThemeError>
    private var controller: DeskController

    public struct ThemeError: Error, Sendable, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    public init(board: SnapshotBoard, theme: Theme, keymap: KeyMap = .standard, colour: Bool, mouse: Bool = true,
                loadTheme: @escaping (String) -> Result<Theme, ThemeError> = { .failure(ThemeError("no theme \"\($0)\"")) },
                reloadConfig: @escaping () -> Result<EngineCommand, ThemeError> = { .failure(ThemeError("no config to reload")) },
                send: @escaping @Sendable (EngineCommand) -> Void) {
        self.reloadConfig = reloadConfig
        self.board = board
        self.theme = theme
        self.colour = colour
        self.mouse = mouse
        self.loadTheme = loadTheme
        self.send = send
        self.controller = DeskController(keymap: keymap)
    }

    /// Runs until the trader quits or a signal asks to stop; the terminal is restored either way, a crash included.
    public func run() {
        Self.installSignalHandlers()
        let screen = CursesScreen(theme: theme, colour: colour, mouse: mouse)
        defer { screen.end() }
        var drawnVersion: UInt64 = .max
        var drawnAt: UInt64 = 0
        var dirty = true
        while !stopRequested.load(ordering: .relaxed) {
            let input = screen.read()
            if input == .resize { screen.clearAll() }
            guard let snapshot = board.current else { continue }
            if let input {
                dirty = true
                let size = screen.size
                for effect in controller.handle(input, snapshot: snapshot, width: size.width, height: size.height) {
                    switch effect {
                    case .send(let command): send(command)
                    case .quit: return
                    case .reloadConfig:
                        switch reloadConfig() {
                        case .success(let command): send(command)
                        case .failure(let error): controller.view.message = ("config not reloaded: \(error)", true)
                        }
                    case .theme(let name):
                        switch loadTheme(name) {
                        case .success(let loaded):
                            theme = loaded
                            screen.apply(loaded)
                            screen.invalidate()
                            controller.view.message = ("theme \(loaded.name)", false)
                        case .failure(let error):
                            controller.view.message = ("\(error)", true)
                        }
                    }
                }
            }
            let version = board.currentVersion
            // A key redraws at once; market changes redraw at most `refreshInterval` apart, which is what a thin
            // SSH link can carry (see `dexter-bench wire`).
            let now = monotonicNanoseconds()
            if dirty || (version != drawnVersion && now - drawnAt >= Self.refreshIntervalNanoseconds) {
                drawnAt = now
                let size = screen.size
                screen.draw(Panels.frame(snapshot, view: &controller.view, keymap: controller.keymap, width: size.width,
                                         height: size.height))
                drawnVersion = version
                dirty = false
            }
        }
    }

    /// 10 Hz.
    static let refreshIntervalNanoseconds: UInt64 = 100_000_000

    static func installSignalHandlers() {
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            signal(signalNumber) { _ in stopRequested.store(true, ordering: .relaxed) }
        }
        haveSavedTerminal = tcgetattr(STDIN_FILENO, &savedTerminal) == 0
        // A crash must not leave the trader's terminal in raw mode on the alternate screen: put it back, then die
        // as the signal would have.
        for signalNumber in [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP] {
            signal(signalNumber) { signalNumber in
                let reset = "\u{1b}[?1000l\u{1b}[?1002l\u{1b}[?1006l\u{1b}[0m\u{1b}[?25h\u{1b}[?1049l\r\n"
                _ = reset.utf8CString.withUnsafeBufferPointer { write(STDOUT_FILENO, $0.baseAddress, $0.count - 1) }
                if haveSavedTerminal { tcsetattr(STDIN_FILENO, TCSANOW, &savedTerminal) }
                signal(signalNumber, SIG_DFL)
                raise(signalNumber)
            }
        }
    }
}
