import DexterCore
import TOMLKit

/// Typed access to a TOML table that turns every mismatch into a `ConfigError` naming the key and its line.
struct ConfigReader {
    let table: TOMLTable
    let path: [String]
    let file: String
    let source: ConfigSourceMap

    func error(_ key: String?, _ problem: String) -> ConfigError {
        let fullPath = key.map { path + [$0] } ?? path
        return ConfigError(file: file, line: source.line(of: fullPath), key: fullPath.joined(separator: "."), problem: problem)
    }

    var keys: [String] { table.keys }

    func has(_ key: String) -> Bool { table[key] != nil }

    private func value(_ key: String) throws -> TOMLValueConvertible {
        guard let value = table[key] else { throw error(key, "missing; expected a value here") }
        return value
    }

    static func describe(_ value: TOMLValueConvertible) -> String {
        switch value.type {
        case .string: return "\"\(value.string ?? "")\" (a string)"
        case .int: return "\(value.int ?? 0) (an integer)"
        case .double: return "\(value.double ?? 0) (a float)"
        case .bool: return "\(value.bool ?? false) (a boolean)"
        case .table: return "a table"
        case .array: return "an array"
        default: return "a \(value.type)"
        }
    }

    func string(_ key: String) throws -> String {
        let value = try value(key)
        guard let text = value.string else { throw error(key, "expected a string, found \(Self.describe(value))") }
        return text
    }

    func optionalString(_ key: String) throws -> String? { has(key) ? try string(key) : nil }

    func optionalBool(_ key: String) throws -> Bool? {
        guard has(key) else { return nil }
        let value = try value(key)
        guard let flag = value.bool else { throw error(key, "expected true or false, found \(Self.describe(value))") }
        return flag
    }

    /// Exact amounts are strings, so TOML never turns them into floats.
    func decimal(_ key: String, example: String = "0.001") throws -> FixedDecimal {
        let value = try value(key)
        guard let text = value.string else {
            throw error(key, "expected a decimal string like \"\(example)\", found \(Self.describe(value))")
        }
        do { return try FixedDecimal(parsing: text) } catch let parseError as DecimalParseError {
            throw error(key, "expected a decimal string like \"\(example)\", but \(parseError)")
        }
    }

    func positiveDecimal(_ key: String, example: String = "0.001") throws -> FixedDecimal {
        let number = try decimal(key, example: example)
        guard number.isPositive else { throw error(key, "expected a positive amount, found \"\(number)\"") }
        return number
    }

    func int(_ key: String, range: ClosedRange<Int> = Int.min...Int.max) throws -> Int {
        let value = try value(key)
        guard value.type == .int, let number = value.int else {
            throw error(key, "expected an integer, found \(Self.describe(value))")
        }
        guard range.contains(number) else { throw error(key, "expected an integer in \(range), found \(number)") }
        return number
    }

    func optionalInt(_ key: String, range: ClosedRange<Int> = Int.min...Int.max) throws -> Int? {
        has(key) ? try int(key, range: range) : nil
    }

    /// A float; an integer is accepted too, since `3` and `3.0` mean the same here.
    func double(_ key: String, range: ClosedRange<Double> = -.infinity ... .infinity) throws -> Double {
        let value = try value(key)
        let number: Double
        if value.type == .double, let double = value.double { number = double }
        else if value.type == .int, let int = value.int { number = Double(int) }
        else { throw error(key, "expected a number, found \(Self.describe(value))") }
        guard range.contains(number) else { throw error(key, "expected a number in \(range), found \(number)") }
        return number
    }

    func optionalDouble(_ key: String, range: ClosedRange<Double> = -.infinity ... .infinity) throws -> Double? {
        has(key) ? try double(key, range: range) : nil
    }

    func table(_ key: String) throws -> ConfigReader {
        let value = try value(key)
        guard let table = value.table else { throw error(key, "expected a table, found \(Self.describe(value))") }
        return ConfigReader(table: table, path: path + [key], file: file, source: source)
    }

    func optionalTable(_ key: String) throws -> ConfigReader? { has(key) ? try table(key) : nil }

    /// An array of tables (`[[key]]`), each read with its index in the path.
    func tables(_ key: String) throws -> [ConfigReader] {
        guard has(key) else { return [] }
        let value = try value(key)
        guard let array = value.array else { throw error(key, "expected an array of tables ([[\(key)]]), found \(Self.describe(value))") }
        return try array.enumerated().map { index, element in
            guard let table = element.table else {
                throw error(key, "expected an array of tables, but element \(index + 1) is \(Self.describe(element))")
            }
            return ConfigReader(table: table, path: path + [key], file: file, source: source)
        }
    }

    func strings(_ key: String) throws -> [String] {
        let value = try value(key)
        guard let array = value.array else { throw error(key, "expected an array of strings, found \(Self.describe(value))") }
        return try array.enumerated().map { index, element in
            guard let text = element.string else {
                throw error(key, "expected an array of strings, but element \(index + 1) is \(Self.describe(element))")
            }
            return text
        }
    }

    func symbol(_ text: String, key: String) throws -> Symbol {
        do { return try Symbol(parsing: text) } catch { throw self.error(key, "\(error)") }
    }

    /// Refuses a key that moved to `[sim.*]`, saying where it went, so an old config tells its owner what to change:
    /// "[venues.binance] noise_bps moved to [sim.venues.binance]". The first such key in the file is named.
    func rejectMoved(_ knobs: Set<String>) throws {
        let moved = keys.filter(knobs.contains).map { (key: $0, line: source.line(of: path + [$0])) }
        guard let first = moved.min(by: { ($0.line ?? 0, $0.key) < ($1.line ?? 0, $1.key) }) else { return }
        let table = path.map(Self.headerKey).joined(separator: ".")
        throw ConfigError(file: file, line: first.line, key: "",
                          problem: "[\(table)] \(first.key) moved to [sim.\(table)] \(Self.movedHint)")
    }

    static let movedHint = "(simulator knobs live under [sim.*]; see config.toml.example)"

    /// A key as a table header writes it: bare when TOML allows, quoted otherwise (`"BTC/USDT"`).
    static func headerKey(_ key: String) -> String {
        key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") } ? key : "\"\(key)\""
    }

    /// Rejects keys this table does not know, so a typo is an error and not a silently ignored setting.
    func allowOnly(_ known: Set<String>) throws {
        for key in keys where !known.contains(key) {
            throw error(key, "unknown key; expected one of \(known.sorted().joined(separator: ", "))")
        }
    }
}
