import DexterCrypto
import Foundation

/// A Jupiter quote (Swap API `GET /swap/v1/quote`): exact base-unit amounts, and the answer kept whole to hand back
/// to `/swap` as the API requires.
public struct JupiterQuote: Sendable, Hashable {
    public let inputMint: SolanaPublicKey
    public let outputMint: SolanaPublicKey
    public let inAmount: UInt64
    public let outAmount: UInt64
    /// The least out (ExactIn) or the most in (ExactOut) the swap accepts.
    public let otherAmountThreshold: UInt64
    public let exactIn: Bool
    public let contextSlot: UInt64?
    /// Each step of its route: the pool (`ammKey`) and its DEX (`label`), as `routePlan` names them.
    public var route: [JupiterRouteStep] = []
    let raw: SolanaJSON
}

/// One pool a quote's route goes through.
public struct JupiterRouteStep: Sendable, Hashable {
    public let ammKey: String
    public let label: String
}

/// A swap transaction from Jupiter, read and not yet signed.
public struct JupiterSwapTransaction: Sendable, Hashable {
    public let message: [UInt8]
    public let lastValidBlockHeight: UInt64
    public let read: SolanaMessageReader
}

/// Why a Jupiter exchange failed, or why its transaction was not signed.
public enum JupiterError: Error, Sendable, Hashable, CustomStringConvertible {
    case transport(String)
    /// The API's own error: its HTTP status, errorCode and message.
    case api(status: Int, code: String, message: String)
    case malformed(field: String, reason: String)
    /// The swap transaction does not do what the quote says: what was checked and what was found.
    case refused(String)

    public var description: String {
        switch self {
        case .transport(let reason): "Jupiter: \(reason)"
        case .api(let status, let code, let message): "Jupiter HTTP \(status) \(code): \(message)"
        case .malformed(let field, let reason): "Jupiter answer malformed: \(field): \(reason)"
        case .refused(let reason): "Jupiter swap refused before signing: \(reason)"
        }
    }
}

/// Jupiter's answers read from JSON, apart from the HTTP client (what the fuzz target exercises).
enum JupiterWire {
    /// A QuoteResponse read: its mints, exact amounts and threshold, kept whole to hand back to `/swap`.
    static func readQuote(_ json: SolanaJSON) throws(JupiterError) -> JupiterQuote {
        guard case .object(let members) = json else { throw .malformed(field: "(answer)", reason: "not an object") }
        func key(_ name: String) throws(JupiterError) -> SolanaPublicKey {
            guard case .string(let text)? = members[name], let key = try? SolanaPublicKey(base58: text) else {
                throw .malformed(field: name, reason: "not a base-58 public key")
            }
            return key
        }
        func whole(_ name: String) throws(JupiterError) -> UInt64 {
            guard case .string(let text)? = members[name], let value = UInt64(text) else {
                throw .malformed(field: name, reason: "not a u64 decimal string")
            }
            return value
        }
        var route: [JupiterRouteStep] = []
        if case .array(let steps)? = members["routePlan"] {
            for (index, step) in steps.enumerated() {
                guard case .object(let fields) = step, case .object(let info)? = fields["swapInfo"],
                      case .string(let ammKey)? = info["ammKey"], case .string(let label)? = info["label"] else {
                    throw .malformed(field: "routePlan[\(index)].swapInfo", reason: "no ammKey and label")
                }
                route.append(JupiterRouteStep(ammKey: ammKey, label: label))
            }
        }
        return JupiterQuote(inputMint: try key("inputMint"), outputMint: try key("outputMint"),
                            inAmount: try whole("inAmount"), outAmount: try whole("outAmount"),
                            otherAmountThreshold: try whole("otherAmountThreshold"),
                            exactIn: members["swapMode"] == .string("ExactIn"),
                            contextSlot: members["contextSlot"]?.integer.flatMap { UInt64(exactly: $0) }, route: route,
                            raw: json)
    }

    /// A SwapResponse read: the message to sign — one signature, paid and signed by `user` alone — and its blockhash's
    /// last valid block height.
    static func readSwap(_ json: SolanaJSON, user: SolanaPublicKey) throws(JupiterError) -> JupiterSwapTransaction {
        guard case .object(let members) = json, case .string(let encoded)? = members["swapTransaction"],
              let wire = Data(base64Encoded: encoded) else {
            throw .malformed(field: "swapTransaction", reason: "not a base64 string")
        }
        guard let height = members["lastValidBlockHeight"]?.integer, let lastValid = UInt64(exactly: height) else {
            throw .malformed(field: "lastValidBlockHeight", reason: "not a u64")
        }
        // One signature slot (empty), then the message.
        let transaction = [UInt8](wire)
        guard transaction.count > 65, transaction[0] == 1 else {
            throw .refused("the transaction does not ask exactly one signature")
        }
        let message = Array(transaction[65...])
        let read: SolanaMessageReader
        do { read = try SolanaMessageReader(message) } catch {
            throw .malformed(field: "swapTransaction", reason: error.description)
        }
        guard read.requiredSignatures == 1, read.feePayer == user else {
            throw .refused("not a message signed and paid by \(user) alone")
        }
        return JupiterSwapTransaction(message: message, lastValidBlockHeight: lastValid, read: read)
    }
}
