import DexterEngine
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Set from a signal handler (Ctrl-C, SIGTERM, SIGHUP); the screen loop sees it and restores the terminal.
let stopRequested = Atomic<Bool>(false)

/// The interactive front end: reads keys, sends commands, renders the engine's latest snapshot.
public final class TerminalApp {
    private let board: SnapshotBoard
    private let send: @Sendable (EngineCommand) -> Void
    private let theme: Theme
    private let keymap: KeyMap
    private let colour: Bool
    private var view = ViewState()

    public init(board: SnapshotBoard, theme: Theme, keymap: KeyMap = .standard, colour: Bool,
                send: @escaping @Sendable (EngineCommand) -> Void) {
        self.board = board
        self.theme = theme
        self.keymap = keymap
        self.colour = colour
        self.send = send
    }

    /// Runs until the trader quits or a signal asks to stop; the terminal is restored either way.
    public func run() {
        installSignalHandlers()
        let screen = CursesScreen(theme: theme, colour: colour)
        defer { screen.end() }
        var drawnVersion: UInt64 = .max
        var dirty = true
        while !stopRequested.load(ordering: .relaxed) {
            let (key, resized) = screen.readKey()
            if resized { screen.clearAll(); dirty = true }
            guard let snapshot = board.current else { continue }
            if let key {
                dirty = true
                if handle(key, snapshot) == .quit { break }
            }
            let version = board.currentVersion
            if dirty || version != drawnVersion {
                let size = screen.size
                screen.draw(Panels.frame(snapshot, view: &view, keymap: keymap, width: size.width, height: size.height))
                drawnVersion = version
                dirty = false
            }
        }
    }

    private func handle(_ key: Key, _ snapshot: Snapshot) -> Action? {
        // While a confirmation is up, only confirm and cancel mean anything: no stray key can approve another row.
        if let confirmation = snapshot.confirmation {
            switch keymap.action(for: key) {
            case .confirm: send(.confirm(confirmation.repriced.id))
            case .cancel, .quit: send(.cancelApproval)
            default: break
            }
            return nil
        }
        if view.overlay == .help { view.overlay = .none; return nil }
        guard let action = keymap.action(for: key) else { return nil }
        let opportunities = snapshot.opportunities
        switch action {
        case .up: view.move(by: -1, in: opportunities)
        case .down: view.move(by: 1, in: opportunities)
        case .pageUp: view.move(by: -10, in: opportunities)
        case .pageDown: view.move(by: 10, in: opportunities)
        case .top: view.move(by: -opportunities.count, in: opportunities)
        case .bottom: view.move(by: opportunities.count, in: opportunities)
        case .detail: view.overlay = view.overlay == .detail ? .none : .detail
        case .cancel: view.overlay = .none
        case .help: view.overlay = .help
        case .approve:
            view.reconcile(with: opportunities)
            if let id = view.selectedId { view.overlay = .none; send(.requestApproval(id)) }
        case .reject:
            view.reconcile(with: opportunities)
            if let id = view.selectedId { send(.reject(id)) }
        case .confirm: break
        case .quit: return .quit
        }
        return action
    }

    private func installSignalHandlers() {
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            signal(signalNumber) { _ in stopRequested.store(true, ordering: .relaxed) }
        }
    }
}
