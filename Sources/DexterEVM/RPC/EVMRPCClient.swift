import DexterNet
import Synchronization

/// JSON-RPC 2.0 over HTTP to one chain through several URLs. Every URL's `eth_chainId` is checked before the URL is
/// used (at `connect`, or before its first use if it was down then): a URL on another chain is an error naming it.
/// A call goes to the URL that last answered; a connection refused moves to the next URL at once, and so does a
/// timeout or a garbage answer for reads (`RPCCall.isSafeToResend`), never for a transaction, whose outcome is then
/// unknown and reported so. URLs appear in errors redacted to `scheme://host[:port]` (they often hold API keys).
public final class EVMRPCClient: Sendable {
    public let chainId: UInt64
    public let endpoints: [RPCEndpoint]
    private let transport: HTTPTransport
    private let requestTimeout: Duration
    private let state = Mutex(State())

    private struct State {
        var nextId = 1
        /// The URL that answered last: calls start there.
        var healthy = 0
        /// URLs whose chain id was seen to be the configured one.
        var verified: Set<Int> = []
    }

    /// `connectTimeout` bounds the connection attempt alone, so a dead URL costs that, not the request timeout.
    public init(chainId: UInt64, urls: [String], requestTimeout: Duration = .seconds(10),
                connectTimeout: Duration = .seconds(1)) throws(EVMRPCError) {
        guard !urls.isEmpty else { throw .badURL("no RPC URL configured for chain \(chainId)") }
        var endpoints: [RPCEndpoint] = []
        for url in urls { endpoints.append(try RPCEndpoint(url)) }
        self.chainId = chainId
        self.endpoints = endpoints
        self.requestTimeout = requestTimeout
        transport = HTTPTransport(connectTimeout: connectTimeout)
    }

    /// The URL calls go to first.
    public var healthyEndpoint: RPCEndpoint { endpoints[state.withLock { $0.healthy }] }

    /// Checks `eth_chainId` on every URL. A URL on another chain fails the connection (a misconfiguration, never
    /// skipped over); a URL that does not answer is checked again before its first use. Fails when none answers.
    public func connect() async throws(EVMRPCError) {
        var failures: [EVMRPCError] = []
        for index in endpoints.indices {
            do {
                try await verify(index)
            } catch {
                if case .wrongChain = error { throw error }
                failures.append(error)
            }
        }
        if failures.count == endpoints.count { throw Self.combined(failures, method: "eth_chainId") }
        state.withLock { state in
            if !state.verified.contains(state.healthy), let first = state.verified.min() { state.healthy = first }
        }
    }

    /// One call; the node's error object is thrown as `.rpc`.
    public func call(_ method: String, _ params: [JSONValue] = []) async throws(EVMRPCError) -> RPCResult {
        try await call(RPCCall(method, params))
    }

    public func call(_ request: RPCCall) async throws(EVMRPCError) -> RPCResult {
        let id = takeIds(1)
        let body = Array(request.encoded(id: id).encoded.utf8)
        let asked = RPCAnswer.Asked(id: id, method: request.method)
        return try await exchange(body, method: request.method, safe: request.isSafeToResend) {
            bytes, endpoint throws(EVMRPCError) in
            RPCResult(value: try RPCAnswer.single(bytes, asked: asked, endpoint: endpoint), method: request.method,
                      endpoint: endpoint)
        }
    }

    /// Several calls in one HTTP request. Each call's own outcome comes back in the order given (a node's error for
    /// one call is that call's failure); the whole batch fails on no answer or an answer whose ids do not match.
    public func batch(_ requests: [RPCCall]) async throws(EVMRPCError) -> [Result<RPCResult, EVMRPCError>] {
        guard !requests.isEmpty else { return [] }
        let first = takeIds(requests.count)
        let asked = requests.enumerated().map { RPCAnswer.Asked(id: first + $0.offset, method: $0.element.method) }
        let body = Array(JSONValue.array(requests.enumerated().map { $0.element.encoded(id: first + $0.offset) }).encoded.utf8)
        let safe = requests.allSatisfy(\.isSafeToResend)
        let name = requests.count == 1 ? requests[0].method : "batch of \(requests.count)"
        return try await exchange(body, method: name, safe: safe) { bytes, endpoint throws(EVMRPCError) in
            try RPCAnswer.batch(bytes, asked: asked, endpoint: endpoint).enumerated().map { index, outcome in
                outcome.map { RPCResult(value: $0, method: requests[index].method, endpoint: endpoint) }
            }
        }
    }

    // MARK: Failover

    private func takeIds(_ count: Int) -> Int {
        state.withLock { state in
            defer { state.nextId += count }
            return state.nextId
        }
    }

    /// Sends `body` to the healthy URL, then the others in turn while failing over is allowed.
    private func exchange<T>(_ body: [UInt8], method: String, safe: Bool,
                             read: ([UInt8], String) throws(EVMRPCError) -> T) async throws(EVMRPCError) -> T {
        var failures: [EVMRPCError] = []
        let start = state.withLock { $0.healthy }
        for offset in endpoints.indices {
            let index = (start + offset) % endpoints.count
            if !state.withLock({ $0.verified.contains(index) }) {
                do {
                    try await verify(index)
                } catch {
                    if case .wrongChain = error { throw error }
                    failures.append(error)
                    continue
                }
            }
            do {
                let outcome = try await post(body, to: endpoints[index], method: method, read: read)
                state.withLock { $0.healthy = index }
                return outcome
            } catch {
                switch error {
                case .rpc:
                    // An answer: the node is healthy, the call failed.
                    state.withLock { $0.healthy = index }
                    throw error
                default:
                    failures.append(error)
                    // Never send again what the node may have acted on.
                    if error.outcomeUnknown && !safe { throw error }
                }
            }
        }
        throw Self.combined(failures, method: method)
    }

    private static func combined(_ failures: [EVMRPCError], method: String) -> EVMRPCError {
        failures.count == 1 ? failures[0] : .allEndpointsFailed(method: method, failures: failures)
    }

    /// One HTTP exchange with one URL, read by `read`. A non-2xx status whose body is not a JSON-RPC answer is a
    /// transport failure (a proxy's 502, a provider's 429), its outcome unknown only for a 5xx.
    private func post<T>(_ body: [UInt8], to endpoint: RPCEndpoint, method: String,
                         read: ([UInt8], String) throws(EVMRPCError) -> T) async throws(EVMRPCError) -> T {
        let call = HTTPCall(.POST, endpoint.url, headers: ["Content-Type": "application/json"], body: body,
                            timeout: requestTimeout)
        let answer: HTTPAnswer
        do {
            answer = try await transport.send(call)
        } catch {
            throw .transport(endpoint: endpoint.redacted, method: method, reason: endpoint.scrub(error.description),
                             outcomeUnknown: error.outcomeUnknown)
        }
        do {
            return try read(answer.body, endpoint.redacted)
        } catch {
            if case .malformed = error, !(200..<300).contains(answer.status) {
                throw .transport(endpoint: endpoint.redacted, method: method, reason: "HTTP status \(answer.status)",
                                 outcomeUnknown: answer.status >= 500)
            }
            throw error
        }
    }

    /// Asks `endpoints[index]` its chain id; remembers it as verified when it is ours.
    private func verify(_ index: Int) async throws(EVMRPCError) {
        let endpoint = endpoints[index]
        let id = takeIds(1)
        let body = Array(RPCCall("eth_chainId").encoded(id: id).encoded.utf8)
        let asked = RPCAnswer.Asked(id: id, method: "eth_chainId")
        let actual = try await post(body, to: endpoint, method: "eth_chainId") { bytes, name throws(EVMRPCError) in
            try RPCResult(value: try RPCAnswer.single(bytes, asked: asked, endpoint: name), method: "eth_chainId",
                          endpoint: name).uint64()
        }
        guard actual == chainId else {
            throw .wrongChain(endpoint: endpoint.redacted, expected: chainId, actual: actual)
        }
        state.withLock { _ = $0.verified.insert(index) }
    }
}
