/// What a cell is for, not what colour it is: themes map roles to colours.
public enum ColorRole: String, Sendable, CaseIterable, Hashable {
    case normal, border, title, header, selected, profit, loss, stale, warning, halted, dim, accent, status, success
}

public struct Cell: Sendable, Hashable {
    public var character: Character
    public var role: ColorRole

    public init(_ character: Character = " ", _ role: ColorRole = .normal) {
        self.character = character
        self.role = role
    }
}

public struct Rect: Sendable, Hashable {
    public var x: Int, y: Int, width: Int, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }
    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    /// The inside of a bordered box.
    public var inset: Rect { Rect(x: x + 1, y: y + 1, width: width - 2, height: height - 2) }
}

/// An in-memory grid of cells: panels draw into it, the curses screen copies it out, tests read it back as text.
public struct Canvas: Sendable, Hashable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.cells = Array(repeating: Cell(), count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { if x >= 0, y >= 0, x < width, y < height { cells[y * width + x] = newValue } }
    }

    /// Writes `text` from (x, y), clipped to `limit` columns and the canvas edge. Returns the columns used.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, role: ColorRole = .normal, limit: Int = .max) -> Int {
        guard y >= 0, y < height else { return 0 }
        var column = x
        let end = min(width, limit == .max ? width : x + limit)
        for character in text {
            guard column < end else { break }
            if column >= 0 { cells[y * width + column] = Cell(character, role) }
            column += 1
        }
        return column - x
    }

    public mutating func fill(_ rect: Rect, _ character: Character = " ", role: ColorRole = .normal) {
        for row in rect.y..<min(rect.maxY, height) where row >= 0 {
            for column in rect.x..<min(rect.maxX, width) where column >= 0 {
                cells[row * width + column] = Cell(character, role)
            }
        }
    }

    /// Recolours a row span without changing its characters (a selection bar).
    public mutating func paint(_ rect: Rect, role: ColorRole) {
        for row in rect.y..<min(rect.maxY, height) where row >= 0 {
            for column in rect.x..<min(rect.maxX, width) where column >= 0 {
                cells[row * width + column].role = role
            }
        }
    }

    /// A box with a title in its top border.
    public mutating func box(_ rect: Rect, title: String, focused: Bool = false) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        let role: ColorRole = focused ? .accent : .border
        for column in rect.x + 1..<rect.maxX - 1 {
            self[column, rect.y] = Cell("─", role)
            self[column, rect.maxY - 1] = Cell("─", role)
        }
        for row in rect.y + 1..<rect.maxY - 1 {
            self[rect.x, row] = Cell("│", role)
            self[rect.maxX - 1, row] = Cell("│", role)
        }
        self[rect.x, rect.y] = Cell("┌", role)
        self[rect.maxX - 1, rect.y] = Cell("┐", role)
        self[rect.x, rect.maxY - 1] = Cell("└", role)
        self[rect.maxX - 1, rect.maxY - 1] = Cell("┘", role)
        if !title.isEmpty { put(" \(title) ", x: rect.x + 2, y: rect.y, role: .title, limit: rect.width - 4) }
    }

    /// Row `y` as plain text, for tests and goldens.
    public func line(_ y: Int) -> String { String(cells[(y * width)..<((y + 1) * width)].map(\.character)) }
    public var text: String { (0..<height).map(line).joined(separator: "\n") }
}

/// Pads or truncates to exactly `width` columns; numbers align right.
func fit(_ text: String, _ width: Int, right: Bool = false) -> String {
    guard width > 0 else { return "" }
    if text.count > width { return String(text.prefix(max(0, width - 1))) + "…" }
    let padding = String(repeating: " ", count: width - text.count)
    return right ? padding + text : text + padding
}
