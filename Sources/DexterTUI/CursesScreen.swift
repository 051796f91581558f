import CNCurses
#if canImport(Glibc)
import Glibc
#endif

/// What the terminal sent.
public enum Input: Sendable, Hashable {
    case key(Key)
    /// A left click, or the wheel, at a screen cell.
    case click(x: Int, y: Int)
    case wheel(x: Int, y: Int, up: Bool)
    case resize
}

/// The only place that talks to curses: copies a canvas to the terminal (curses itself sends only the cells that
/// changed) and reads keys and the mouse.
public final class CursesScreen {
    private var attributes: [ColorRole: attr_t] = [:]
    private let colour: Bool
    private var screen: OpaquePointer?

    /// On the process's terminal, or (for the wire benchmark) on the given descriptors as terminal `type`.
    public init(theme: Theme, colour: Bool, mouse: Bool = true, terminal: (type: String, output: Int32, input: Int32)? = nil) {
        setlocale(LC_ALL, "")
        if let terminal {
            screen = newterm(terminal.type, fdopen(terminal.output, "w"), fdopen(terminal.input, "r"))
            set_term(screen)
        } else {
            initscr()
        }
        cbreak()
        noecho()
        nonl()
        keypad(dexter_stdscr(), true)
        curs_set(0)
        set_escdelay(25)
        timeout(50)
        self.colour = colour && has_colors()
        if self.colour {
            start_color()
            use_default_colors()
        }
        dexter_enable_mouse(mouse ? 1 : 0)
        apply(theme)
    }

    /// Maps every colour role to curses attributes. Called again to switch themes live.
    func apply(_ theme: Theme) {
        let theme = colour ? theme : .mono
        let palette = dexter_colors()
        for (index, role) in ColorRole.allCases.enumerated() {
            let style = theme.style(role)
            var attribute: attr_t = 0
            if style.bold { attribute |= dexter_a_bold() }
            if style.dim { attribute |= dexter_a_dim() }
            if style.reverse { attribute |= dexter_a_reverse() }
            if colour {
                let pair = Int32(index + 1)
                func fit(_ color: Int) -> Int16 { Int16(color < 0 ? -1 : (palette >= 256 ? color : Theme.basic(color) % max(8, Int(palette)))) }
                init_pair(Int16(pair), fit(style.foreground), fit(style.background))
                attribute |= dexter_color_pair(pair)
            }
            attributes[role] = attribute
        }
    }

    var size: (width: Int, height: Int) { (Int(dexter_cols()), Int(dexter_lines())) }

    /// Forces a full repaint on the next draw (after a theme change: every cell's attributes change).
    public func invalidate() { clearok(dexter_stdscr(), true) }

    public func draw(_ canvas: Canvas) {
        for y in 0..<canvas.height {
            var x = 0
            while x < canvas.width {
                let role = canvas[x, y].role
                var end = x
                var wide: [wchar_t] = []
                while end < canvas.width, canvas[end, y].role == role {
                    for scalar in canvas[end, y].character.unicodeScalars { wide.append(wchar_t(bitPattern: scalar.value)) }
                    end += 1
                }
                // The last cell of the screen would scroll it; leave it blank.
                if y == canvas.height - 1 && end == canvas.width && !wide.isEmpty { wide.removeLast() }
                wide.append(0)
                attrset(Int32(bitPattern: attributes[role] ?? 0))
                _ = wide.withUnsafeBufferPointer { mvaddwstr(Int32(y), Int32(x), $0.baseAddress) }
                x = end
            }
        }
        refresh()
    }

    /// The next input, or nil after the read timeout.
    func read() -> Input? {
        let code = getch()
        switch code {
        case ERR: return nil
        case dexter_key_resize(): return .resize
        case dexter_key_mouse():
            var x: Int32 = 0, y: Int32 = 0
            switch dexter_get_mouse(&x, &y) {
            case 1: return .click(x: Int(x), y: Int(y))
            case 4: return .wheel(x: Int(x), y: Int(y), up: true)
            case 5: return .wheel(x: Int(x), y: Int(y), up: false)
            default: return nil
            }
        case dexter_key_up(): return .key(.up)
        case dexter_key_down(): return .key(.down)
        case dexter_key_ppage(): return .key(.pageUp)
        case dexter_key_npage(): return .key(.pageDown)
        case dexter_key_home(): return .key(.home)
        case dexter_key_end(): return .key(.end)
        case dexter_key_btab(): return .key(.backTab)
        case dexter_key_backspace(), 127, 8: return .key(.backspace)
        case dexter_key_enter(), 10, 13: return .key(.enter)
        case 9: return .key(.tab)
        case 27: return .key(.escape)
        case 32..<127: return .key(.character(Character(Unicode.Scalar(UInt8(code)))))
        default: return nil
        }
    }

    func clearAll() { clear() }

    /// Gives the terminal back as it was.
    public func end() {
        dexter_enable_mouse(0)
        curs_set(1)
        endwin()
        if let screen { delscreen(screen) }
    }
}

/// A pseudo-terminal pair: what curses writes to `secondary` can be read, and counted, from `primary`.
public enum PseudoTerminal {
    public static func open(width: Int, height: Int) -> (primary: Int32, secondary: Int32)? {
        var primary: Int32 = -1, secondary: Int32 = -1
        guard dexter_open_pty(&primary, &secondary) == 0 else { return nil }
        var size = winsize(ws_row: UInt16(height), ws_col: UInt16(width), ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(secondary, UInt(TIOCSWINSZ), &size)
        return (primary, secondary)
    }
}
