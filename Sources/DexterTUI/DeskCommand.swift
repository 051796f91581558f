import DexterCore
import DexterEngine
/// What can be typed after `:`. Parsing is pure, so every command and every mistake is tested without a terminal.
public enum DeskCommand: Sendable, Hashable {
    case sort(SortKey)
    case filter(String)
    case theme(String)
    case focus(PanelId)
    case zoom
    case halt
    case reduce
    case resume
    /// A risk limit: `notional USD`, `daily-volume USD`, `position ASSET UNITS`.
    case limit(LimitChange)
    /// Read config.toml again (limits, automatic halts, deny list).
    case reload
    case help
    case quit

    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public let description: String
    }

    public static let summary = "sort net|bps|age|pair|size · filter TEXT · theme NAME · focus N|NAME · zoom · halt · reduce · resume · limit notional|daily-volume USD · limit position ASSET N · reload · help · q"

    public static func parse(_ line: String) throws(ParseError) -> DeskCommand {
        let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard let verb = words.first?.lowercased() else { throw ParseError(description: "empty command; try :help") }
        let argument = words.dropFirst().joined(separator: " ")
        switch verb {
        case "sort":
            guard let key = SortKey(rawValue: argument.lowercased()) else {
                throw ParseError(description: "sort by what? \(SortKey.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return .sort(key)
        case "filter", "f": return .filter(argument)
        case "theme":
            guard !argument.isEmpty else { throw ParseError(description: "theme needs a name: dark, light, high-contrast, mono") }
            return .theme(argument)
        case "focus":
            guard let panel = PanelId(naming: argument) else {
                throw ParseError(description: "no panel \"\(argument)\"; panels are 1–7: "
                                 + PanelId.allCases.map { $0.title.lowercased() }.joined(separator: ", "))
            }
            return .focus(panel)
        case "zoom", "z": return .zoom
        case "halt", "kill": return .halt
        case "resume": return .resume
        case "reduce", "reducing": return .reduce
        case "limit":
            let parts = Array(words.dropFirst())
            func amount(_ text: String) throws(ParseError) -> FixedDecimal {
                guard let value = FixedDecimal(text.replacingOccurrences(of: ",", with: "")), value.isPositive else {
                    throw ParseError(description: "\"\(text)\" is not a positive amount")
                }
                return value
            }
            switch (parts.first?.lowercased(), parts.count) {
            case ("notional", 2): return .limit(.maxNotionalPerTradeUSD(try amount(parts[1])))
            case ("daily-volume", 2): return .limit(.dailyVolumeUSD(try amount(parts[1])))
            case ("position", 3): return .limit(.maxPosition(Asset(parts[1].uppercased()), try amount(parts[2])))
            default: throw ParseError(description: "limit what? limit notional USD · limit daily-volume USD · limit position ASSET N")
            }
        case "reload": return .reload
        case "help", "h", "?": return .help
        case "q", "quit", "exit": return .quit
        default: throw ParseError(description: "unknown command \"\(verb)\"; try: \(summary)")
        }
    }
}
