import BigInt
import Foundation
import SharedTestData
import Testing

/// Reads a vector file: from ../shared by its path there, or one kept in Fixtures/ that is not in ../shared
/// (see Fixtures/SOURCES.md).
enum Fixture {
    static func json(shared path: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Shared.data(path, sourceLocation: sourceLocation)) as? [String: Any] ?? [:]
    }

    static func cases(shared path: String, _ key: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
        try json(shared: path, sourceLocation: sourceLocation)[key] as? [[String: Any]] ?? []
    }

    static func json(_ name: String) throws -> [String: Any] {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures") else {
            throw FixtureError(name: name)
        }
        return try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] ?? [:]
    }
}

struct FixtureError: Error { let name: String }

extension Dictionary where Key == String, Value == Any {
    func big(_ key: String) -> BigUInt { BigUInt(self[key] as? String ?? "", radix: 10) ?? 0 }
    func signed(_ key: String) -> BigInt { BigInt(self[key] as? String ?? "", radix: 10) ?? 0 }
    func string(_ key: String) -> String { self[key] as? String ?? "" }
    func int(_ key: String) -> Int { self[key] as? Int ?? 0 }
    func bool(_ key: String) -> Bool { self[key] as? Bool ?? false }
    func object(_ key: String) -> [String: Any] { self[key] as? [String: Any] ?? [:] }
}
