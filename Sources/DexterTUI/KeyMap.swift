/// What a key does. One table of bindings drives dispatch, the footer hints and the help screen.
public enum Action: String, Sendable, CaseIterable, Hashable {
    case up, down, pageUp, pageDown, top, bottom, detail, approve, reject, confirm, cancel, help, quit
}

public enum Key: Sendable, Hashable {
    case character(Character)
    case up, down, pageUp, pageDown, home, end, enter, escape
}

public struct Binding: Sendable, Hashable {
    public init(keys: [Key], action: Action, description: String, inFooter: Bool) {
        self.keys = keys
        self.action = action
        self.description = description
        self.inFooter = inFooter
    }
    public let keys: [Key]
    public let action: Action
    public let description: String
    public let inFooter: Bool
}

public struct KeyMap: Sendable, Hashable {
    public var bindings: [Binding]

    public static let standard = KeyMap(bindings: [
        Binding(keys: [.up, .character("k")], action: .up, description: "up", inFooter: false),
        Binding(keys: [.down, .character("j")], action: .down, description: "down", inFooter: false),
        Binding(keys: [.pageUp], action: .pageUp, description: "page up", inFooter: false),
        Binding(keys: [.pageDown], action: .pageDown, description: "page down", inFooter: false),
        Binding(keys: [.home, .character("g")], action: .top, description: "best", inFooter: false),
        Binding(keys: [.end, .character("G")], action: .bottom, description: "last", inFooter: false),
        Binding(keys: [.enter], action: .detail, description: "detail", inFooter: true),
        Binding(keys: [.character("a")], action: .approve, description: "approve", inFooter: true),
        Binding(keys: [.character("x")], action: .reject, description: "reject", inFooter: true),
        Binding(keys: [.character("y")], action: .confirm, description: "confirm", inFooter: false),
        Binding(keys: [.character("n"), .escape], action: .cancel, description: "cancel", inFooter: false),
        Binding(keys: [.character("?")], action: .help, description: "help", inFooter: true),
        Binding(keys: [.character("q")], action: .quit, description: "quit", inFooter: true),
    ])

    public func action(for key: Key) -> Action? { bindings.first { $0.keys.contains(key) }?.action }

    public static func label(_ key: Key) -> String {
        switch key {
        case .character(let character): return String(character)
        case .up: return "↑"
        case .down: return "↓"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .home: return "Home"
        case .end: return "End"
        case .enter: return "⏎"
        case .escape: return "Esc"
        }
    }
}
