import DexterCrypto
import Foundation

/// A JSON-RPC error object from `eth_call` / `eth_estimateGas`, read as the nodes write it:
/// - geth, erigon, reth, anvil, Nethermind ≥ 1.20: `{"code": 3, "message": "execution reverted: R", "data": "0x…"}`
///   (the message says only "execution reverted" when the data is a custom error or empty);
/// - Besu: `{"code": -32000, "message": "Execution reverted", "data": "0x…"}`;
/// - older Nethermind: `{"code": -32015, "message": "VM execution error.", "data": "Reverted 0x…"}`;
/// - Hardhat, Ganache and providers that wrap: the hex nested one or two levels down, `"data": {"data": "0x…"}`,
///   `"data": {"result": "0x…"}`, `"data": {"originalError": {"data": "0x…"}}`.
/// Anything else (insufficient funds for gas, a bad parameter) is not a revert and is kept verbatim.
public struct NodeCallError: Error, Sendable, Hashable, CustomStringConvertible {
    public let code: Int
    public let message: String
    /// The revert data's hex when the object carried one, unwrapped from whatever nesting it came in.
    public let revertData: [UInt8]?

    public init(code: Int, message: String, revertData: [UInt8]?) {
        self.code = code
        self.message = message
        self.revertData = revertData
    }

    public struct Unreadable: Error, Sendable, Hashable, CustomStringConvertible {
        public let problem: String
        public var description: String { "JSON-RPC error object unreadable: \(problem)" }
    }

    /// Reads the `error` member's JSON bytes.
    public init(json bytes: [UInt8]) throws(Unreadable) {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) } catch {
            throw Unreadable(problem: "not JSON")
        }
        guard let fields = object as? [String: Any] else { throw Unreadable(problem: "not an object") }
        try self.init(fields: fields)
    }

    /// Reads an `error` member already parsed by JSONSerialization.
    public init(fields: [String: Any]) throws(Unreadable) {
        guard let number = fields["code"] as? NSNumber, let code = Int(exactly: number.doubleValue) else {
            throw Unreadable(problem: "no integer code")
        }
        guard let message = fields["message"] as? String else { throw Unreadable(problem: "no message") }
        self.init(code: code, message: message, revertData: Self.revertHex(in: fields["data"], depth: 0))
    }

    /// The first hex string found where nodes put revert data, at most three objects deep.
    static func revertHex(in value: Any?, depth: Int) -> [UInt8]? {
        if let text = value as? String {
            // Older Nethermind: "Reverted 0x…".
            let hex = text.hasPrefix("Reverted ") ? String(text.dropFirst("Reverted ".count)) : text
            guard hex.hasPrefix("0x"), let bytes = try? HexData.parse(hex) else { return nil }
            return bytes
        }
        guard depth < 3, let object = value as? [String: Any] else { return nil }
        for key in ["data", "result", "originalError", "error"] {
            if let found = revertHex(in: object[key], depth: depth + 1) { return found }
        }
        return nil
    }

    /// Is this a revert, and why. nil when the node failed the call for another reason (kept in `message`).
    public func revert(errors table: CustomErrorTable = .common) -> RevertReason? {
        let lowered = message.lowercased()
        let saysReverted = code == 3 || lowered.hasPrefix("execution reverted") || lowered.hasPrefix("reverted")
            || lowered.contains("vm execution error") || lowered.contains("revert")
        if let data = revertData {
            if !data.isEmpty || saysReverted { return RevertDecoder.decode(data, errors: table) }
        }
        guard saysReverted else { return nil }
        // Words without data: "execution reverted: R" → R; a bare "execution reverted" → no reason.
        if lowered.hasPrefix("execution reverted"), let colon = message.range(of: ": ") {
            let reason = String(message[colon.upperBound...])
            return reason.isEmpty ? .empty : .nodeText(reason)
        }
        return .empty
    }

    public var description: String {
        if let reason = revert() { return "node error \(code): \(reason)" }
        return "node error \(code): \(message)"
    }
}
