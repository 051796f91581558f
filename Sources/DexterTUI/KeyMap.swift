/// What a key does. One table of bindings drives dispatch, the footer hints and the help screen.
public enum Action: String, Sendable, CaseIterable, Hashable {
    case up, down, pageUp = "page_up", pageDown = "page_down", top, bottom
    case detail, approve, reject, confirm, cancel, cycles
    case focusNext = "focus_next", focusPrevious = "focus_previous", zoom
    case focus1 = "focus_1", focus2 = "focus_2", focus3 = "focus_3", focus4 = "focus_4", focus5 = "focus_5",
         focus6 = "focus_6", focus7 = "focus_7", focus8 = "focus_8"
    case filter, command, sort, kill, help, quit
    /// On the Orders panel: the selected order.
    case speedUp = "speed_up", cancelOrder = "cancel_order"

    /// The panel a focus action jumps to.
    var panel: PanelId? {
        switch self {
        case .focus1: .opportunities
        case .focus2: .detail
        case .focus3: .positions
        case .focus4: .risk
        case .focus5: .wallets
        case .focus6: .orders
        case .focus7: .log
        case .focus8: .markets
        default: nil
        }
    }
}

public enum Key: Sendable, Hashable {
    case character(Character)
    case up, down, pageUp, pageDown, home, end, enter, escape, tab, backTab, backspace
}

public struct Binding: Sendable, Hashable {
    public let keys: [Key]
    public let action: Action
    public let description: String
    public let inFooter: Bool

    public init(keys: [Key], action: Action, description: String, inFooter: Bool) {
        self.keys = keys
        self.action = action
        self.description = description
        self.inFooter = inFooter
    }
}

public struct KeyMap: Sendable, Hashable {
    public var bindings: [Binding]

    public static let standard = KeyMap(bindings: [
        Binding(keys: [.up, .character("k")], action: .up, description: "up", inFooter: false),
        Binding(keys: [.down, .character("j")], action: .down, description: "down", inFooter: false),
        Binding(keys: [.pageUp, .character("u")], action: .pageUp, description: "page up", inFooter: false),
        Binding(keys: [.pageDown, .character("d")], action: .pageDown, description: "page down", inFooter: false),
        Binding(keys: [.home, .character("g")], action: .top, description: "first", inFooter: false),
        Binding(keys: [.end, .character("G")], action: .bottom, description: "last", inFooter: false),
        Binding(keys: [.enter], action: .detail, description: "detail", inFooter: true),
        Binding(keys: [.character("a")], action: .approve, description: "approve", inFooter: true),
        Binding(keys: [.character("x")], action: .reject, description: "reject", inFooter: true),
        Binding(keys: [.character("c")], action: .cycles, description: "select pairs / cycles", inFooter: false),
        Binding(keys: [.character("K")], action: .kill, description: "kill switch", inFooter: true),
        Binding(keys: [.character("F")], action: .speedUp, description: "speed up order (panel 6)", inFooter: false),
        Binding(keys: [.character("X")], action: .cancelOrder, description: "cancel order (panel 6)", inFooter: false),
        Binding(keys: [.character("y")], action: .confirm, description: "confirm", inFooter: false),
        Binding(keys: [.character("n"), .escape], action: .cancel, description: "cancel / close", inFooter: false),
        Binding(keys: [.tab], action: .focusNext, description: "next panel", inFooter: false),
        Binding(keys: [.backTab], action: .focusPrevious, description: "previous panel", inFooter: false),
        Binding(keys: [.character("1")], action: .focus1, description: "opportunities", inFooter: false),
        Binding(keys: [.character("2")], action: .focus2, description: "detail", inFooter: false),
        Binding(keys: [.character("3")], action: .focus3, description: "positions & P&L", inFooter: false),
        Binding(keys: [.character("4")], action: .focus4, description: "risk", inFooter: false),
        Binding(keys: [.character("5")], action: .focus5, description: "wallets", inFooter: false),
        Binding(keys: [.character("6")], action: .focus6, description: "orders", inFooter: false),
        Binding(keys: [.character("7")], action: .focus7, description: "log", inFooter: false),
        Binding(keys: [.character("8")], action: .focus8, description: "markets: best bid and ask", inFooter: false),
        Binding(keys: [.character("z")], action: .zoom, description: "zoom panel", inFooter: false),
        Binding(keys: [.character("/")], action: .filter, description: "filter", inFooter: true),
        Binding(keys: [.character(":")], action: .command, description: "command", inFooter: true),
        Binding(keys: [.character("s")], action: .sort, description: "next sort", inFooter: false),
        Binding(keys: [.character("?")], action: .help, description: "help", inFooter: true),
        Binding(keys: [.character("q")], action: .quit, description: "quit", inFooter: true),
    ])

    public func action(for key: Key) -> Action? { bindings.first { $0.keys.contains(key) }?.action }

    public func keys(for action: Action) -> [Key] { bindings.first { $0.action == action }?.keys ?? [] }

    /// The first key of an action, as the screen names it ("a", "⏎").
    public func label(for action: Action) -> String { keys(for: action).first.map(Self.label) ?? "?" }

    public struct RebindError: Error, Sendable, Hashable, CustomStringConvertible {
        public let description: String
    }

    /// The standard map with some actions given other keys: each listed action's keys are replaced. A key that
    /// would then mean two things is refused, naming both.
    public func rebinding(_ changes: [(action: String, keys: [String])]) throws(RebindError) -> KeyMap {
        var result = self
        for change in changes {
            guard let action = Action(rawValue: change.action) else {
                throw RebindError(description: "unknown action \"\(change.action)\"; actions are "
                                  + Action.allCases.map(\.rawValue).joined(separator: ", "))
            }
            guard !change.keys.isEmpty else { throw RebindError(description: "\(change.action): give at least one key") }
            var keys: [Key] = []
            for name in change.keys {
                guard let key = Self.parse(name) else {
                    throw RebindError(description: "\(change.action): \"\(name)\" is not a key (a single character, or one of "
                                      + Self.names.keys.sorted().joined(separator: ", ") + ")")
                }
                keys.append(key)
            }
            guard let index = result.bindings.firstIndex(where: { $0.action == action }) else { continue }
            let old = result.bindings[index]
            result.bindings[index] = Binding(keys: keys, action: action, description: old.description, inFooter: old.inFooter)
        }
        var owner: [Key: Action] = [:]
        for binding in result.bindings {
            for key in binding.keys {
                if let other = owner[key], other != binding.action {
                    throw RebindError(description: "key \"\(Self.label(key))\" would mean both \(other.rawValue) and \(binding.action.rawValue)")
                }
                owner[key] = binding.action
            }
        }
        return result
    }

    static let names: [String: Key] = [
        "Up": .up, "Down": .down, "PgUp": .pageUp, "PgDn": .pageDown, "Home": .home, "End": .end, "Enter": .enter,
        "Esc": .escape, "Tab": .tab, "BackTab": .backTab, "Backspace": .backspace, "Space": .character(" "),
    ]

    /// "a", "K", "Enter", "Esc", "PgDn"… (names are case-insensitive; a single character is itself).
    public static func parse(_ name: String) -> Key? {
        if name.count == 1, let character = name.first, character.isASCII, !character.isWhitespace { return .character(character) }
        return names.first { $0.key.lowercased() == name.lowercased() }?.value
    }

    public static func label(_ key: Key) -> String {
        switch key {
        case .character(" "): return "Space"
        case .character(let character): return String(character)
        case .up: return "↑"
        case .down: return "↓"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .home: return "Home"
        case .end: return "End"
        case .enter: return "⏎"
        case .escape: return "Esc"
        case .tab: return "Tab"
        case .backTab: return "S-Tab"
        case .backspace: return "⌫"
        }
    }
}
