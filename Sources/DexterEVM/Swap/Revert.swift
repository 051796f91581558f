import BigInt
import DexterCrypto

/// Why a call reverted, read from its revert data (Solidity docs, "Error handling: Assert, Require, Revert and
/// Exceptions"): `Error(string)` from `require`/`revert("…")`, `Panic(uint256)` from compiler-inserted checks, a custom
/// error `E(args)` by its 4-byte selector, or nothing at all.
public enum RevertReason: Sendable, Hashable, CustomStringConvertible {
    /// `Error(string)`, selector 0x08c379a0.
    case message(String)
    /// `Panic(uint256)`, selector 0x4e487b71.
    case panic(code: BigUInt)
    /// A custom error found in the table, with its decoded arguments.
    case custom(CustomError, arguments: [ABIValue])
    /// A selector the table does not know: shown as hex with the raw data, never guessed.
    case unknown(selector: [UInt8], data: [UInt8])
    /// Revert data that is not even a selector (1–3 bytes), or a known selector whose arguments do not decode.
    case malformed(data: [UInt8], problem: String)
    /// `revert()` with no data; also what an invalid opcode or running out of gas looks like from outside.
    case empty
    /// The node said "execution reverted: …" in words but returned no data to decode.
    case nodeText(String)

    public static let errorSelector: [UInt8] = [0x08, 0xc3, 0x79, 0xa0]
    public static let panicSelector: [UInt8] = [0x4e, 0x48, 0x7b, 0x71]

    public var description: String {
        switch self {
        case .message(let text):
            if let gloss = UniswapReasonGlossary.words[text] { return "reverted: \"\(text)\" (\(gloss))" }
            return "reverted: \"\(text)\""
        case .panic(let code): return "panicked: 0x\(String(code, radix: 16, uppercase: false)) (\(Self.panicMeaning(code)))"
        case .custom(let error, let arguments):
            return "reverted with \(error.name)(" + arguments.map(Self.show).joined(separator: ", ") + ")"
        case .unknown(let selector, let data):
            return "reverted with unknown error \(Hex.encode(selector)) (data \(Hex.encode(data.prefix(260)))\(data.count > 260 ? "…" : ""))"
        case .malformed(let data, let problem): return "reverted with undecodable data \(Hex.encode(data.prefix(260))): \(problem)"
        case .empty: return "reverted without a reason (revert(), invalid opcode or out of gas)"
        case .nodeText(let text): return "reverted: \"\(text)\" (the node's words; no revert data returned)"
        }
    }

    /// Solidity's panic codes in words (docs "Panic via assert and Error via require"; libsolutil `ErrorCodes.h`).
    public static func panicMeaning(_ code: BigUInt) -> String {
        switch code {
        case 0x00: return "generic compiler-inserted panic"
        case 0x01: return "assert failed"
        case 0x11: return "arithmetic overflow or underflow outside an unchecked block"
        case 0x12: return "division or modulo by zero"
        case 0x21: return "conversion of a value too big or negative into an enum"
        case 0x22: return "access to an incorrectly encoded storage byte array"
        case 0x31: return ".pop() on an empty array"
        case 0x32: return "array, bytesN or slice index out of bounds"
        case 0x41: return "too much memory allocated or an array too large"
        case 0x51: return "call to a zero-initialized variable of internal function type"
        default: return "a panic code Solidity does not document"
        }
    }

    static func show(_ value: ABIValue) -> String {
        switch value {
        case .uint(let number): return String(number)
        case .int(let number): return String(number)
        case .address(let address): return address.checksummed
        case .bool(let flag): return String(flag)
        case .fixedBytes(let bytes), .bytes(let bytes): return Hex.encode(bytes)
        case .string(let text): return "\"\(text)\""
        case .array(let values): return "[" + values.map(show).joined(separator: ", ") + "]"
        case .tuple(let values): return "(" + values.map(show).joined(separator: ", ") + ")"
        }
    }
}

/// Decodes revert data. Never throws: whatever bytes a node returns become a reason that says what they are.
public enum RevertDecoder {
    public static func decode(_ data: [UInt8], errors table: CustomErrorTable = .common) -> RevertReason {
        if data.isEmpty { return .empty }
        guard data.count >= 4 else { return .malformed(data: data, problem: "\(data.count) bytes, shorter than a selector") }
        let selector = Array(data.prefix(4))
        let body = Array(data.dropFirst(4))
        switch selector {
        case RevertReason.errorSelector:
            do {
                guard case .string(let text) = try ABI.decode(body, as: [.string])[0] else {
                    return .malformed(data: data, problem: "Error(string) without a string")
                }
                return .message(text)
            } catch {
                return .malformed(data: data, problem: "Error(string): \(error.reason)")
            }
        case RevertReason.panicSelector:
            do {
                return .panic(code: try ABI.decode(body, as: [.uint(bits: 256)])[0].uintValue)
            } catch {
                return .malformed(data: data, problem: "Panic(uint256): \(error.reason)")
            }
        default:
            guard let known = table.error(for: selector) else { return .unknown(selector: selector, data: data) }
            do {
                return .custom(known, arguments: try ABI.decode(body, as: known.types))
            } catch {
                return .malformed(data: data, problem: "\(known.signature): \(error.reason)")
            }
        }
    }
}
