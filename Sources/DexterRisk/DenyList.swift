import Foundation
import DexterCore

/// Addresses no transfer or on-chain trade may touch (a sanctions list kept locally). Read from a file with one
/// address per line, or a CSV whose fields include addresses; EVM addresses match in any case.
public struct DenyList: Sendable, Hashable {
    public private(set) var addresses: Set<String> = []

    /// Why a deny-list file could not be read, naming the line.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public let line: Int
        public let text: String
        public var description: String { "line \(line): \"\(text)\" is not an EVM (0x + 40 hex) or Solana (base58) address" }
    }

    public init(addresses: [String] = []) {
        for address in addresses { self.addresses.insert(Self.normalized(address)) }
    }

    /// Lines starting with # and blank lines are skipped. A line without commas must be an address; in a CSV line
    /// every field that is an address counts and the rest (names, dates, a header) are ignored.
    public init(text: String) throws(ParseError) {
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces.union(.init(charactersIn: "\r")))
            if line.isEmpty || line.hasPrefix("#") { continue }
            if !line.contains(",") {
                guard Self.isAddress(line) else { throw ParseError(line: index + 1, text: String(line.prefix(60))) }
                addresses.insert(Self.normalized(line))
                continue
            }
            for field in line.split(separator: ",") {
                let value = field.trimmingCharacters(in: .whitespaces.union(.init(charactersIn: "\"")))
                if Self.isAddress(value) { addresses.insert(Self.normalized(value)) }
            }
        }
    }

    public var count: Int { addresses.count }

    public func contains(_ address: String) -> Bool { addresses.contains(Self.normalized(address)) }

    static func normalized(_ address: String) -> String { address.hasPrefix("0x") ? address.lowercased() : address }

    /// An EVM address (0x + 40 hex) or a Solana one (32–44 base58 characters).
    public static func isAddress(_ text: String) -> Bool {
        if text.hasPrefix("0x") {
            return text.count == 42 && text.dropFirst(2).allSatisfy(\.isHexDigit)
        }
        let base58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
        return (32...44).contains(text.count) && text.allSatisfy { base58.contains($0) }
    }
}
