/// Why a node refused `eth_sendRawTransaction`, read from its message. The codes are not standardised (geth and
/// Erigon answer -32000 for nearly everything), so the words decide, as each client writes them:
/// - go-ethereum `core/txpool/errors.go`, `core/error.go`: "nonce too low", "nonce too high", "already known",
///   "replacement transaction underpriced", "transaction underpriced", "insufficient funds for gas * price + value";
/// - Erigon `txpoolcfg.DiscardReason`: "nonce too low", "already known", "existing txn with same hash" (older
///   "existing tx with same hash"), "replacement transaction underpriced", "could not replace existing tx",
///   "insufficient funds", "underpriced", "fee too low";
/// - Nethermind `TxPoolErrorMessages`: geth's phrases, plus "nonce too far in future";
/// - Besu `RpcErrorType`: "Nonce too low", "Nonce too high", "Known transaction", "Replacement transaction
///   underpriced", "Upfront cost exceeds account balance", "Transaction nonce is too distant from current sender nonce";
/// - py-evm, behind the local test node: "Invalid transaction nonce: Expected N, but got M".
/// Anything else is kept verbatim.
public enum SendRejection: Sendable, Hashable, CustomStringConvertible {
    /// The nonce is used on chain already: by this transaction (it was mined) or by another.
    case nonceTooLow
    /// The nonce is beyond what the node can queue for the sender: a gap before it.
    case nonceTooHigh
    /// The node holds this very transaction already: it was sent, nothing to do.
    case alreadyKnown
    /// Another transaction at this nonce is pending and this one does not pay enough more to replace it.
    case replacementUnderpriced
    /// The fee is below what the pool takes at all (its minimum, or the base fee).
    case underpriced
    /// The balance does not cover value + gas limit × max fee.
    case insufficientFunds
    /// Anything else, in the node's words.
    case other(String)

    public static func classify(_ message: String) -> SendRejection {
        let text = message.lowercased()
        func has(_ phrases: String...) -> Bool { phrases.contains { text.contains($0) } }
        // Order matters: "replacement transaction underpriced" also contains "underpriced".
        if has("replacement transaction underpriced", "could not replace existing tx") { return .replacementUnderpriced }
        if has("already known", "known transaction", "existing txn with same hash", "existing tx with same hash") {
            return .alreadyKnown
        }
        if has("nonce too low", "transaction nonce is too low") { return .nonceTooLow }
        if has("nonce too high", "nonce too far in future", "too distant from current sender nonce") { return .nonceTooHigh }
        if let expected = Self.pyEVMNonce(text) { return expected }
        if has("insufficient funds", "upfront cost exceeds account balance") { return .insufficientFunds }
        if has("transaction underpriced", "underpriced", "fee too low", "max fee per gas less than block base fee") {
            return .underpriced
        }
        return .other(message)
    }

    /// py-evm: "Invalid transaction nonce: Expected 5, but got 3" — low or high by the two numbers.
    private static func pyEVMNonce(_ text: String) -> SendRejection? {
        guard let range = text.range(of: "invalid transaction nonce: expected ") else { return nil }
        let rest = text[range.upperBound...]
        let parts = rest.split(whereSeparator: { !$0.isNumber }).compactMap { UInt64($0) }
        guard parts.count >= 2 else { return nil }
        return parts[1] < parts[0] ? .nonceTooLow : .nonceTooHigh
    }

    public var description: String {
        switch self {
        case .nonceTooLow: return "nonce too low"
        case .nonceTooHigh: return "nonce too high (a gap before it)"
        case .alreadyKnown: return "already known"
        case .replacementUnderpriced: return "replacement transaction underpriced"
        case .underpriced: return "transaction underpriced"
        case .insufficientFunds: return "insufficient funds"
        case .other(let message): return message
        }
    }
}
