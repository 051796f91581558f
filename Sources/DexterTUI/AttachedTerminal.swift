import DexterCore
import Synchronization

/// What the desk last sent an attached screen: its newest frame (numbered), a theme to switch to, or goodbye.
public final class FrameInbox: Sendable {
    private struct State {
        var frame: Canvas?
        var version: UInt64 = 0
        var theme: String?
        var bye: String?
    }

    private let state = Mutex(State())

    public init() {}

    public func post(_ frame: Canvas) { state.withLock { $0.frame = frame; $0.version += 1 } }
    public func post(theme: String) { state.withLock { $0.theme = theme } }
    public func close(_ reason: String) { state.withLock { if $0.bye == nil { $0.bye = reason } } }

    var latest: (frame: Canvas?, version: UInt64) { state.withLock { ($0.frame, $0.version) } }
    func takeTheme() -> String? { state.withLock { state in defer { state.theme = nil }; return state.theme } }
    var bye: String? { state.withLock { $0.bye } }
}

/// The screen of a desk that runs elsewhere (`dexter attach`): it paints the frames the desk renders and sends back
/// what the member types, clicks and resizes. Everything the screen does is the desk's: quitting here only detaches.
public final class AttachedTerminal {
    private var theme: Theme
    private let colour: Bool
    private let mouse: Bool
    private let loadTheme: (String) -> Result<Theme, TerminalApp.ThemeError>

    public init(theme: Theme, colour: Bool, mouse: Bool = true,
                loadTheme: @escaping (String) -> Result<Theme, TerminalApp.ThemeError>) {
        self.theme = theme
        self.colour = colour
        self.mouse = mouse
        self.loadTheme = loadTheme
    }

    /// Runs until the desk says goodbye or the connection ends (the inbox closed), or a signal; returns why.
    /// `send` gets each input as `AttachWire`-style lines: the size first, then keys and clicks.
    public func run(inbox: FrameInbox, size: @escaping (Int, Int) -> Void, send: @escaping (Input) -> Void) -> String {
        TerminalApp.installSignalHandlers()
        let screen = CursesScreen(theme: theme, colour: colour, mouse: mouse)
        defer { screen.end() }
        var current = screen.size
        size(current.width, current.height)
        var drawn: UInt64 = 0
        while !stopRequested.load(ordering: .relaxed) {
            if let reason = inbox.bye { return reason }
            if let input = screen.read() {
                if input == .resize {
                    screen.clearAll()
                    current = screen.size
                    size(current.width, current.height)
                } else {
                    send(input)
                }
            }
            if let name = inbox.takeTheme(), case .success(let loaded) = loadTheme(name) {
                theme = loaded
                screen.apply(loaded)
                screen.invalidate()
                drawn = 0
            }
            let latest = inbox.latest
            if latest.version != drawn, let frame = latest.frame {
                screen.draw(frame)
                drawn = latest.version
            }
        }
        return "detached by a signal; the desk runs on"
    }
}
