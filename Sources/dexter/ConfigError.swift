import Foundation

/// A config problem, named by key and line, saying what was expected: "config.toml:42: venues.binance.taker_fee:
/// expected a decimal string like "0.001", found 0.001 (a float)".
struct ConfigError: Error, CustomStringConvertible, Equatable {
    let file: String
    let line: Int?
    let key: String
    let problem: String

    var description: String {
        let place = line.map { "\(file):\($0)" } ?? file
        return key.isEmpty ? "\(place): \(problem)" : "\(place): \(key): \(problem)"
    }
}

/// Finds the line a key is written on, so that an error can point at it. TOML tables are headers (`[a.b]`) or
/// inline tables (`x = { ... }`); the key's line is the one that assigns its last component inside the longest
/// header that is a prefix of its path. A table written only through deeper headers (`[assets.BTC]` for `assets`)
/// is at its first one.
struct ConfigSourceMap {
    private let lines: [Substring]

    init(text: String) { lines = text.split(separator: "\n", omittingEmptySubsequences: false) }

    func line(of path: [String]) -> Int? {
        var sectionStart = 0
        var sectionDepth = 0
        var best: Int?
        var firstDeeperHeader: Int?
        for (index, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") {
                // A table, or an element of an array of tables ([[sim.outages]]: its first element's line).
                let header = Self.components(String(line.drop { $0 == "[" }.prefix { $0 != "]" }))
                if header.count <= path.count, Array(path.prefix(header.count)) == header {
                    sectionStart = index
                    sectionDepth = header.count
                    if header.count == path.count { return index + 1 }
                    best = index + 1
                } else {
                    if firstDeeperHeader == nil, header.count > path.count, Array(header.prefix(path.count)) == path {
                        firstDeeperHeader = index + 1
                    }
                    if sectionDepth > 0 && index > sectionStart { sectionDepth = -1 }
                }
                continue
            }
            guard sectionDepth >= 0, index >= sectionStart, path.count > sectionDepth else { continue }
            let key = Self.components(String(line.prefix { $0 != "=" }).trimmingCharacters(in: .whitespaces))
            if let first = key.first, first == path[sectionDepth] { return index + 1 }
        }
        return best ?? firstDeeperHeader
    }

    static func components(_ key: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var quoted = false
        for character in key {
            if character == "\"" { quoted.toggle(); continue }
            if character == "." && !quoted { parts.append(current.trimmingCharacters(in: .whitespaces)); current = ""; continue }
            current.append(character)
        }
        parts.append(current.trimmingCharacters(in: .whitespaces))
        return parts
    }
}

