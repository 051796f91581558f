import CNCurses
#if canImport(Glibc)
import Glibc
#endif

/// The only place that talks to curses: copies a canvas to the terminal (curses itself sends only the cells that
/// changed) and reads keys.
final class CursesScreen {
    private var pairs: [ColorRole: Int32] = [:]
    private var attributes: [ColorRole: attr_t] = [:]
    private var theme: Theme

    init(theme: Theme, colour: Bool) {
        setlocale(LC_ALL, "")
        initscr()
        cbreak()
        noecho()
        nonl()
        keypad(dexter_stdscr(), true)
        curs_set(0)
        set_escdelay(25)
        timeout(50)
        self.theme = theme
        if colour && has_colors() {
            start_color()
            use_default_colors()
        }
        apply(theme, colour: colour && has_colors())
    }

    func apply(_ theme: Theme, colour: Bool) {
        self.theme = colour ? theme : .mono
        let palette = dexter_colors()
        for (index, role) in ColorRole.allCases.enumerated() {
            let style = self.theme.style(role)
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

    func draw(_ canvas: Canvas) {
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

    /// The next key, or nil after the read timeout.
    func readKey() -> (key: Key?, resized: Bool) {
        let code = getch()
        switch code {
        case ERR: return (nil, false)
        case dexter_key_resize(): return (nil, true)
        case dexter_key_up(): return (.up, false)
        case dexter_key_down(): return (.down, false)
        case dexter_key_ppage(): return (.pageUp, false)
        case dexter_key_npage(): return (.pageDown, false)
        case dexter_key_home(): return (.home, false)
        case dexter_key_end(): return (.end, false)
        case dexter_key_enter(), 10, 13: return (.enter, false)
        case 27: return (.escape, false)
        case 32..<127: return (.character(Character(Unicode.Scalar(UInt8(code)))), false)
        default: return (nil, false)
        }
    }

    func clearAll() { clear() }

    /// Gives the terminal back as it was.
    func end() {
        curs_set(1)
        endwin()
    }
}
