/// A colour for a role: a palette index (0–255, -1 for the terminal default) and attributes.
public struct Style: Sendable, Hashable {
    public var foreground: Int
    public var background: Int
    public var bold: Bool
    public var dim: Bool
    public var reverse: Bool

    public init(foreground: Int = -1, background: Int = -1, bold: Bool = false, dim: Bool = false, reverse: Bool = false) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.dim = dim
        self.reverse = reverse
    }
}

/// Colour roles mapped to styles; read from themes/*.toml by the executable.
public struct Theme: Sendable, Hashable {
    public var name: String
    public var styles: [ColorRole: Style]

    public init(name: String, styles: [ColorRole: Style]) {
        self.name = name
        self.styles = styles
    }

    public func style(_ role: ColorRole) -> Style { styles[role] ?? styles[.normal] ?? Style() }

    /// Built in, so dexter looks right with no theme files at all.
    public static let dark = Theme(name: "dark", styles: [
        .normal: Style(), .border: Style(foreground: 240), .title: Style(foreground: 75, bold: true),
        .header: Style(foreground: 250, bold: true), .selected: Style(foreground: 16, background: 75, bold: true),
        .profit: Style(foreground: 114), .loss: Style(foreground: 203), .stale: Style(foreground: 242, dim: true),
        .warning: Style(foreground: 221, bold: true), .halted: Style(foreground: 231, background: 160, bold: true),
        .dim: Style(foreground: 245), .accent: Style(foreground: 117, bold: true),
        .status: Style(foreground: 252, background: 236), .success: Style(foreground: 120, bold: true),
    ])

    /// No colour at all, for NO_COLOR and terminals without it: attributes carry the roles.
    public static let mono = Theme(name: "mono", styles: [
        .normal: Style(), .border: Style(), .title: Style(bold: true), .header: Style(bold: true),
        .selected: Style(reverse: true), .profit: Style(), .loss: Style(bold: true), .stale: Style(dim: true),
        .warning: Style(bold: true), .halted: Style(bold: true, reverse: true), .dim: Style(dim: true),
        .accent: Style(bold: true), .status: Style(reverse: true), .success: Style(bold: true),
    ])

    /// The nearest of the 16 basic colours, for terminals without 256.
    static func basic(_ color: Int) -> Int {
        guard color >= 16 else { return color }
        if color >= 232 { return color >= 244 ? 7 : 8 }
        let index = color - 16
        let r = index / 36, g = (index / 6) % 6, b = index % 6
        let bright = max(r, g, b) >= 4
        let bits = (r >= 2 ? 1 : 0) | (g >= 2 ? 2 : 0) | (b >= 2 ? 4 : 0)
        return bits == 0 ? (bright ? 8 : 0) : bits + (bright ? 8 : 0)
    }
}
