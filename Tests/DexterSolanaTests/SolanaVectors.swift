import Foundation
import SharedTestData
import Testing

/// Reads ../shared/vectors/solana (SOURCES.md there: the Orca Whirlpool and Raydium CPMM programs' own results in
/// LiteSVM). Big integers are decimal strings; account bytes base64.
enum SolanaVectors {
    static func json(_ name: String) throws -> [String: Any] {
        let data = try Shared.data("vectors/solana/\(name)")
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(name) is not a JSON object")
    }

    static func bytes(_ base64: Any?, _ what: String) throws -> [UInt8] {
        let text = try #require(base64 as? String, "\(what) is not a string")
        return [UInt8](try #require(Data(base64Encoded: text), "\(what) is not base64"))
    }

    static func integer<T: FixedWidthInteger>(_ value: Any?, _ what: String, as: T.Type = T.self) throws -> T {
        if let text = value as? String { return try #require(T(text), "\(what) \(text) is not a \(T.self)") }
        if let number = value as? NSNumber { return try #require(T(exactly: number.int64Value), "\(what) \(number)") }
        Issue.record("\(what) is missing")
        throw CancellationError()
    }
}
