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
        if let configPath {
            folders.append(URL(fileURLWithPath: configPath).deletingLastPathComponent().appendingPathComponent("themes").path)
        }
        folders.append(FileManager.default.currentDirectoryPath + "/themes")
        // Up from the binary, so a checkout's build (.build/<triple>/debug/dexter) finds the checkout's themes.
        if let executable = Bundle.main.executablePath {
            var folder = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
            for _ in 0..<5 where folder.path != "/" {
                folders.append(folder.appendingPathComponent("themes").path)
                folder = folder.deletingLastPathComponent()
            }
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
        return Theme(name: try root.optionalString("name") ?? URL(fileURLWithPath: file).lastPathComponent, styles: styles)
    }
}
