/// Why a Solana JSON-RPC call failed. URLs appear redacted to `scheme://host[:port]` (provider URLs carry keys).
public enum SolanaRPCError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A configured URL is unusable.
    case badURL(String)
    /// No answer (refused, reset, timed out) or not a JSON-RPC answer (a proxy's 502, a 429). `outcomeUnknown`: the
    /// node may have received the request and acted on it.
    case transport(endpoint: String, method: String, reason: String, outcomeUnknown: Bool)
    /// The node's own error object; for a transaction refused in preflight, `simulation` holds its `data`.
    case rpc(endpoint: String, method: String, code: Int, message: String, simulation: SolanaSimulation?)
    /// An answer that does not have the documented shape: the field (a path like `result.value[0].data`) and why.
    case malformed(endpoint: String, method: String, field: String, reason: String)
    /// Every URL failed, each for its reason.
    case allEndpointsFailed(method: String, failures: [SolanaRPCError])

    /// Whether a node may have acted on the request.
    public var outcomeUnknown: Bool {
        switch self {
        case .transport(_, _, _, let unknown): unknown
        case .allEndpointsFailed(_, let failures): failures.contains(where: \.outcomeUnknown)
        default: false
        }
    }

    public var description: String {
        switch self {
        case .badURL(let reason): return "bad Solana RPC URL: \(reason)"
        case .transport(let endpoint, let method, let reason, _): return "\(method) at \(endpoint): \(reason)"
        case .rpc(let endpoint, let method, let code, let message, _):
            return "\(method) at \(endpoint): node error \(code): \(message)"
        case .malformed(let endpoint, let method, let field, let reason):
            return "\(method) at \(endpoint): malformed answer: \(field): \(reason)"
        case .allEndpointsFailed(let method, let failures):
            return "\(method): every RPC URL failed: " + failures.map(\.description).joined(separator: "; ")
        }
    }
}
