import DexterTUI

/// What an attached screen and the desk say to each other over the WebSocket at /attach. The desk renders (the
/// same panels as the in-process screen, from its own snapshots) and sends whole frames; the screen paints them
/// and sends back what the member typed, clicked and resized.
public enum AttachWire {
    /// One line per input: `size W H`, `key NAME`, `char C`, `click X Y`, `wheel X Y up|down`.
    public static func encode(_ input: Input) -> String {
        switch input {
        case .key(.character(let character)): return "char \(character)"
        case .key(let key): return "key \(keyName(key))"
        case .click(let x, let y): return "click \(x) \(y)"
        case .wheel(let x, let y, let up): return "wheel \(x) \(y) \(up ? "up" : "down")"
        case .resize: return "resize"
        }
    }

    public static func size(width: Int, height: Int) -> String { "size \(width) \(height)" }

    public enum Message: Equatable, Sendable {
        case input(Input)
        case size(width: Int, height: Int)
    }

    /// nil for anything malformed: the desk ignores it rather than guess.
    public static func decode(_ line: String) -> Message? {
        if line.hasPrefix("char "), line.count == 6, let character = line.last { return .input(.key(.character(character))) }
        let words = line.split(separator: " ").map(String.init)
        switch (words.first, words.count) {
        case ("key", 2): return keys[words[1]].map { .input(.key($0)) }
        case ("click", 3):
            guard let x = Int(words[1]), let y = Int(words[2]), x >= 0, y >= 0 else { return nil }
            return .input(.click(x: x, y: y))
        case ("wheel", 4):
            guard let x = Int(words[1]), let y = Int(words[2]), x >= 0, y >= 0, ["up", "down"].contains(words[3]) else { return nil }
            return .input(.wheel(x: x, y: y, up: words[3] == "up"))
        case ("size", 3):
            guard let width = Int(words[1]), let height = Int(words[2]), (1...1000).contains(width),
                  (1...1000).contains(height) else { return nil }
            return .size(width: width, height: height)
        case ("resize", 1): return .input(.resize)
        default: return nil
        }
    }

    static let keys: [String: Key] = [
        "up": .up, "down": .down, "pageUp": .pageUp, "pageDown": .pageDown, "home": .home, "end": .end,
        "enter": .enter, "escape": .escape, "tab": .tab, "backTab": .backTab, "backspace": .backspace,
    ]

    static func keyName(_ key: Key) -> String {
        keys.first { $0.value == key }?.key ?? "escape"
    }

    /// A frame: each row's characters, and each row's colour roles as runs (start, length, role index).
    public struct Frame: Codable, Sendable, Equatable {
        public var w: Int
        public var h: Int
        public var rows: [String]
        public var roles: [[[Int]]]

        public init(_ canvas: Canvas) {
            w = canvas.width
            h = canvas.height
            rows = (0..<canvas.height).map(canvas.line)
            roles = (0..<canvas.height).map { y in
                var runs: [[Int]] = []
                for x in 0..<canvas.width {
                    let role = Self.index[canvas[x, y].role] ?? 0
                    if let last = runs.last, last[2] == role, last[0] + last[1] == x {
                        runs[runs.count - 1][1] += 1
                    } else {
                        runs.append([x, 1, role])
                    }
                }
                return runs
            }
        }

        /// The canvas again; nil when the frame does not hold together.
        public var canvas: Canvas? {
            guard w >= 0, h >= 0, w <= 1000, h <= 1000, rows.count == h, roles.count == h else { return nil }
            var canvas = Canvas(width: w, height: h)
            for y in 0..<h {
                guard rows[y].count == w else { return nil }
                canvas.put(rows[y], x: 0, y: y)
                for run in roles[y] {
                    guard run.count == 3, run[0] >= 0, run[1] >= 0, run[0] + run[1] <= w,
                          Self.roles.indices.contains(run[2]) else { return nil }
                    canvas.paint(Rect(x: run[0], y: y, width: run[1], height: 1), role: Self.roles[run[2]])
                }
            }
            return canvas
        }

        static let roles = ColorRole.allCases
        static let index = Dictionary(uniqueKeysWithValues: ColorRole.allCases.enumerated().map { ($1, $0) })
    }

    /// What the desk sends: a frame, a theme to switch to, or goodbye (with why).
    public struct ServerMessage: Codable, Sendable, Equatable {
        public var frame: Frame?
        public var theme: String?
        public var bye: String?

        public init(frame: Frame? = nil, theme: String? = nil, bye: String? = nil) {
            self.frame = frame
            self.theme = theme
            self.bye = bye
        }
    }
}
