/// An error object a node answered with (JSON-RPC 2.0 "Error object"): the code, the message and, when the node sent
/// hex `data` (a revert's encoded reason), its bytes.
public struct RPCErrorObject: Sendable, Hashable, CustomStringConvertible {
    public let method: String
    public let code: Int
    public let message: String
    /// `data` as bytes when it is a hex string (eth_call's revert data: `Error(string)`, a custom error, a panic).
    public let data: [UInt8]?
    /// `data` as JSON text when it is anything else.
    public let otherData: String?

    public init(method: String, code: Int, message: String, data: [UInt8]?, otherData: String?) {
        self.method = method
        self.code = code
        self.message = message
        self.data = data
        self.otherData = otherData
    }

    public var description: String {
        "\(method) answered error \(code): \(message.prefix(300))" + (data.map { " (data: \($0.count) bytes)" } ?? "")
    }
}

/// Why an RPC call gave no result.
public enum EVMRPCError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No answer from `endpoint`. `outcomeUnknown`: the request may have reached the node and been acted on (it
    /// timed out, or the connection dropped after it was sent); false when it never left (connection refused).
    case transport(endpoint: String, method: String, reason: String, outcomeUnknown: Bool)
    /// The node answered with an error object.
    case rpc(RPCErrorObject)
    /// The answer is not what JSON-RPC and the method's spec say: which method, which field, what is wrong.
    case malformed(endpoint: String, method: String, field: String, problem: String)
    /// `endpoint` serves another chain than the configured one.
    case wrongChain(endpoint: String, expected: UInt64, actual: UInt64)
    /// Every URL of the chain was tried and none answered; each one's failure, in the order tried.
    case allEndpointsFailed(method: String, failures: [EVMRPCError])
    /// A configured URL is not an http(s) URL (described without quoting it: it may hold a key).
    case badURL(String)

    public var description: String {
        switch self {
        case .transport(let endpoint, let method, let reason, let unknown):
            "\(method) to \(endpoint): \(reason)" + (unknown ? " (it may have been acted on)" : "")
        case .rpc(let object): object.description
        case .malformed(let endpoint, let method, let field, let problem):
            "\(method) from \(endpoint): malformed answer, \(field): \(problem)"
        case .wrongChain(let endpoint, let expected, let actual):
            "\(endpoint) serves chain \(actual), not the configured chain \(expected)"
        case .allEndpointsFailed(let method, let failures):
            "\(method): no RPC URL answered: " + failures.map(\.description).joined(separator: "; ")
        case .badURL(let what): "bad RPC URL: \(what)"
        }
    }

    /// Whether a request that ended so may have been executed by a node (a transaction sent, then no answer).
    public var outcomeUnknown: Bool {
        switch self {
        case .transport(_, _, _, let unknown): unknown
        case .malformed: true
        case .allEndpointsFailed(_, let failures): failures.contains { $0.outcomeUnknown }
        case .rpc, .wrongChain, .badURL: false
        }
    }
}
