import BigInt
import DexterCrypto

/// Where signed transactions of a chain go. With a private URL configured, they go there and only there: a refusal or
/// an outage of the private route is reported, never answered by sending to the public mempool, where the swap could
/// be sandwiched (its loss is bounded by amountOutMinimum either way).
public struct SubmissionConfig: Sendable, Hashable {
    public enum PrivateMethod: Sendable, Hashable {
        /// `eth_sendRawTransaction` on the private URL (Flashbots Protect RPC, MEV Blocker, a builder's RPC).
        case sendRawTransaction
        /// Flashbots' `eth_sendPrivateTransaction({tx, maxBlockNumber?, preferences})`; `maxBlocksAhead` bounds how
        /// long the relay keeps trying (it clamps to 25), `fast` shares it with every registered builder.
        case sendPrivateTransaction(maxBlocksAhead: UInt64?, fast: Bool)
    }

    public var privateURL: String?
    public var privateMethod: PrivateMethod

    public init(privateURL: String? = nil, privateMethod: PrivateMethod = .sendRawTransaction) {
        self.privateURL = privateURL
        self.privateMethod = privateMethod
    }
}

/// The route a transaction took, for the screen.
public enum SubmissionRoute: Sendable, Hashable, CustomStringConvertible {
    case publicMempool(endpoint: String)
    case privateRelay(endpoint: String, method: String)

    public var isPrivate: Bool { if case .privateRelay = self { true } else { false } }

    public var description: String {
        switch self {
        case .publicMempool(let endpoint): "public mempool via \(endpoint)"
        case .privateRelay(let endpoint, let method): "private relay \(endpoint) (\(method))"
        }
    }
}

public enum SubmissionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The node or relay answered with an error: classified, with its words.
    case refused(route: SubmissionRoute, reason: SendRejection)
    /// No usable answer (none, or not a hash): the transaction may or may not have gone out (the error's
    /// `outcomeUnknown`); nothing else was tried.
    case unreachable(route: SubmissionRoute, error: EVMRPCError)
    /// The answer's hash is not the hash of the bytes sent.
    case hashMismatch(route: SubmissionRoute, sent: [UInt8], answered: [UInt8])

    public var description: String {
        switch self {
        case .refused(let route, let reason): "\(route) refused the transaction: \(reason)"
        case .unreachable(let route, let error):
            "\(route) did not answer (\(error)); not sent anywhere else" + (error.outcomeUnknown ? ", outcome unknown" : "")
        case .hashMismatch(let route, let sent, let answered):
            "\(route) answered hash \(Hex.encode(answered)) for transaction \(Hex.encode(sent))"
        }
    }
}

/// Sends signed bytes by the configured route.
public struct TransactionSubmitter: Sendable {
    public let publicClient: EVMRPCClient
    public let privateClient: EVMRPCClient?
    public let config: SubmissionConfig

    public init(publicClient: EVMRPCClient, config: SubmissionConfig) throws(EVMRPCError) {
        self.publicClient = publicClient
        self.config = config
        privateClient = try config.privateURL.map { url throws(EVMRPCError) in
            try EVMRPCClient(chainId: publicClient.chainId, urls: [url])
        }
    }

    /// The route the next transaction will take.
    public var route: SubmissionRoute {
        guard let privateClient else { return .publicMempool(endpoint: publicClient.healthyEndpoint.redacted) }
        let method = switch config.privateMethod {
        case .sendRawTransaction: "eth_sendRawTransaction"
        case .sendPrivateTransaction: "eth_sendPrivateTransaction"
        }
        return .privateRelay(endpoint: privateClient.healthyEndpoint.redacted, method: method)
    }

    /// Sends `raw`; `latestBlock` sets eth_sendPrivateTransaction's maxBlockNumber.
    public func submit(raw: [UInt8], latestBlock: UInt64) async throws(SubmissionError) -> (hash: [UInt8], route: SubmissionRoute) {
        let route = self.route
        let expected = Keccak256.hash(raw)
        let call: RPCCall
        switch (privateClient, config.privateMethod) {
        case (_, .sendPrivateTransaction(let ahead, let fast)) where privateClient != nil:
            var request: [String: JSONValue] = ["tx": .string(HexData.format(raw)), "preferences": ["fast": .bool(fast)]]
            if let ahead { request["maxBlockNumber"] = .string(Quantity.format(BigUInt(latestBlock + ahead))) }
            call = RPCCall("eth_sendPrivateTransaction", [.object(request)])
        default:
            call = RPCCall("eth_sendRawTransaction", [.string(HexData.format(raw))])
        }
        let answer: RPCResult
        do {
            answer = try await (privateClient ?? publicClient).call(call)
        } catch {
            if case .rpc(let object) = error { throw .refused(route: route, reason: SendRejection.classify(object.message)) }
            throw .unreachable(route: route, error: error)
        }
        let hash: [UInt8]
        do { hash = try answer.data(count: 32) } catch { throw .unreachable(route: route, error: error) }
        guard hash == expected else { throw .hashMismatch(route: route, sent: expected, answered: hash) }
        return (hash, route)
    }
}
