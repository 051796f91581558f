import Logging

/// One log record as one line for stderr, in logfmt or JSON: what journald and log shippers read. The record is
/// written exactly as logged; nothing is masked, since dexter never logs a secret in the first place.
struct LogLine {
    var time: String
    var level: Logger.Level
    var logger: String
    var message: String
    var metadata: Logger.Metadata = [:]

    /// The fields every record carries; metadata under one of these names is written as `meta.<name>`.
    static let reservedKeys: Set<String> = ["ts", "level", "logger", "msg"]

    func formatted(_ format: LogFormat) -> String {
        switch format {
        case .logfmt: return logfmt
        case .json: return json
        }
    }

    // MARK: logfmt

    /// `ts=… level=info logger=dexter.engine msg="…" key=value`: msg always quoted, other values when they must be;
    /// nested metadata flattened to dotted keys, sorted; an array as its elements joined by commas.
    var logfmt: String {
        var fields = ["ts=" + time, "level=" + level.rawValue, "logger=" + Self.logfmtValue(logger),
                      "msg=" + Self.quoted(message)]
        for (key, value) in Self.flattened(metadata, prefix: "") {
            fields.append(Self.logfmtKey(key) + "=" + Self.logfmtValue(value))
        }
        return fields.joined(separator: " ")
    }

    static func flattened(_ metadata: Logger.Metadata, prefix: String) -> [(String, String)] {
        metadata.keys.sorted().flatMap { key -> [(String, String)] in
            let name = prefix.isEmpty && reservedKeys.contains(key) ? "meta." + key : prefix + key
            switch metadata[key]! {
            case .dictionary(let nested): return flattened(nested, prefix: name + ".")
            case .array(let values): return [(name, values.map(\.description).joined(separator: ","))]
            case let value: return [(name, value.description)]
            }
        }
    }

    /// A bare value unless it is empty or holds a space, `=`, `"` or a control character.
    static func logfmtValue(_ text: String) -> String {
        let needsQuotes = text.isEmpty || text.unicodeScalars.contains {
            $0 == " " || $0 == "=" || $0 == "\"" || isControl($0) || $0.properties.isWhitespace
        }
        return needsQuotes ? quoted(text) : text
    }

    /// A key is never quoted in logfmt: anything that would need quoting becomes `_`.
    static func logfmtKey(_ key: String) -> String {
        let cleaned = String(String.UnicodeScalarView(key.unicodeScalars.map {
            $0 == "=" || $0 == "\"" || isControl($0) || $0.properties.isWhitespace ? "_" : $0
        }))
        return cleaned.isEmpty ? "_" : cleaned
    }

    static func quoted(_ text: String) -> String { "\"" + escaped(text) + "\"" }

    // MARK: JSON

    /// One JSON object: ts, level, logger, msg, then the metadata with its own nesting (sorted, so lines compare).
    var json: String {
        var members = [("ts", "\"" + Self.escaped(time) + "\""), ("level", "\"" + level.rawValue + "\""),
                       ("logger", Self.jsonString(logger)), ("msg", Self.jsonString(message))]
        for key in metadata.keys.sorted() {
            members.append((Self.reservedKeys.contains(key) ? "meta." + key : key, Self.jsonValue(metadata[key]!)))
        }
        return "{" + members.map { Self.jsonString($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    static func jsonValue(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let text): return jsonString(text)
        case .stringConvertible(let value): return jsonString(value.description)
        case .array(let values): return "[" + values.map(jsonValue).joined(separator: ",") + "]"
        case .dictionary(let nested):
            return "{" + nested.keys.sorted().map { jsonString($0) + ":" + jsonValue(nested[$0]!) }.joined(separator: ",") + "}"
        }
    }

    static func jsonString(_ text: String) -> String { "\"" + escaped(text) + "\"" }

    // MARK: escaping, shared

    /// The escapes JSON defines, which logfmt readers (go-logfmt, Loki, Vector) take inside quotes too: `\"`, `\\`,
    /// `\n`, `\r`, `\t`, and `\u00XX` for every other control character (C0, DEL, C1), so a line stays one line and
    /// no terminal escape reaches a reader's screen.
    static func escaped(_ text: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where isControl(scalar): out += "\\u" + hex4(scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
            || scalar == "\u{2028}" || scalar == "\u{2029}"  // line separators some readers split on
    }

    static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
