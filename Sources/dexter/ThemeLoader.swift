import DexterTUI
import Foundation
import TOMLKit

/// Reads themes/*.toml: `[roles]` maps each colour role to `{ fg = N, bg = N, bold = true, ... }`, palette
/// indexes 0–255 or -1 for the terminal's default.
enum ThemeLoader {
    static func load(_ name: String, configPath: String?) throws -> Theme {
        if name == "dark" && locate(name, configPath: configPath) == nil { return .dark }
        if name == "mono" && locate(name, configPath: configPath) == nil { return .mono }
        guard let path = locate(name, configPath: configPath) else {
            throw ConfigError(file: "config", line: nil, key: "theme",
                              problem: "no theme \"\(name)\": looked for \(name).toml in \(searchFolders(configPath).joined(separator: ", "))")
        }
        return try parse(String(contentsOfFile: path, encoding: .utf8), file: path)
    }

    static func searchFolders(_ configPath: String?) -> [String] {
        var folders: [String] = []
        if let themes = ProcessInfo.processInfo.environment["DEXTER_THEMES"] { folders.append(themes) }
        if let configPath { folders.append((configPath as NSString).deletingLastPathComponent + "/themes") }
        folders.append(FileManager.default.currentDirectoryPath + "/themes")
        // Beside the binary's checkout: .build/<config>/dexter → ../../themes.
        var folder = (CommandLine.arguments[0] as NSString).deletingLastPathComponent
        for _ in 0..<4 {
            folders.append(folder + "/themes")
            folder = (folder as NSString).deletingLastPathComponent
        }
        return folders
    }

    static func locate(_ name: String, configPath: String?) -> String? {
        if name.hasSuffix(".toml") { return FileManager.default.fileExists(atPath: name) ? name : nil }
        return searchFolders(configPath).map { "\($0)/\(name).toml" }.first { FileManager.default.fileExists(atPath: $0) }
    }

    static func parse(_ text: String, file: String) throws -> Theme {
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let error as TOMLParseError {
            throw ConfigError(file: file, line: error.source.begin.line, key: "", problem: "not valid TOML: \(error.description)")
        }
        let root = ConfigReader(table: table, path: [], file: file, source: ConfigSourceMap(text: text))
        try root.allowOnly(["name", "roles"])
        let roles = try root.table("roles")
        var styles: [ColorRole: Style] = [:]
        for key in roles.keys {
            guard let role = ColorRole(rawValue: key) else {
                throw roles.error(key, "unknown role; expected one of \(ColorRole.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let entry = try roles.table(key)
            try entry.allowOnly(["fg", "bg", "bold", "dim", "reverse"])
            func flag(_ name: String) throws -> Bool {
                guard entry.has(name) else { return false }
                guard let value = entry.table[name]?.bool else { throw entry.error(name, "expected true or false") }
                return value
            }
            styles[role] = Style(foreground: try entry.optionalInt("fg", range: -1...255) ?? -1,
                                 background: try entry.optionalInt("bg", range: -1...255) ?? -1,
                                 bold: try flag("bold"), dim: try flag("dim"), reverse: try flag("reverse"))
        }
        return Theme(name: try root.optionalString("name") ?? (file as NSString).lastPathComponent, styles: styles)
    }
}
