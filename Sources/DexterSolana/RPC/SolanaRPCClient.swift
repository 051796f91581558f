import DexterCrypto
import DexterNet
import Foundation
import Synchronization

/// Solana JSON-RPC 2.0 over HTTP through several URLs (solana.com/docs/rpc/http). A call goes to the URL that last
/// answered; one that gives no answer, or a garbage one, moves the call to the next URL. Every method is safe to send
/// again, `sendTransaction` included: a signed transaction is identified by its signature, and the runtime never
/// executes one signature twice, so a second URL given the same bytes can only land the same transaction. Every read
/// states its commitment.
public final class SolanaRPCClient: Sendable {
    public let endpoints: [SolanaEndpoint]
    private let transport: HTTPTransport
    private let requestTimeout: Duration
    private let state = Mutex(State())

    private struct State {
        var nextId = 1
        var healthy = 0
    }

    /// `connectTimeout` bounds the connection attempt alone, so a dead URL costs that, not the request timeout.
    public init(urls: [String], requestTimeout: Duration = .seconds(10),
                connectTimeout: Duration = .seconds(1)) throws(SolanaRPCError) {
        guard !urls.isEmpty else { throw .badURL("no Solana RPC URL configured") }
        var endpoints: [SolanaEndpoint] = []
        for url in urls { endpoints.append(try SolanaEndpoint(url)) }
        self.endpoints = endpoints
        self.requestTimeout = requestTimeout
        transport = HTTPTransport(connectTimeout: connectTimeout)
    }

    /// The URL calls go to first.
    public var healthyEndpoint: SolanaEndpoint { endpoints[state.withLock { $0.healthy }] }

    // MARK: Methods

    public func latestBlockhash(_ commitment: SolanaCommitment) async throws(SolanaRPCError) -> SolanaBlockhash {
        let answer = try await call("getLatestBlockhash", [["commitment": .string(commitment.rawValue)]],
                                    as: SolanaWire.WithContext<SolanaWire.Blockhash>.self)
        return try checked("getLatestBlockhash") { () throws(SolanaRPCError.Field) in
            try SolanaBlockhash(answer.value, slot: answer.context.slot.value, field: "result.value")
        }
    }

    /// The account's lamports, owner and data (base64), or nil when no account exists there.
    public func accountInfo(_ key: SolanaPublicKey, _ commitment: SolanaCommitment) async throws(SolanaRPCError)
        -> (slot: UInt64, account: SolanaAccount?) {
        let answer = try await call("getAccountInfo", [.string(key.description), readConfig(commitment, base64: true)],
                                    as: SolanaWire.WithContext<SolanaWire.Account?>.self)
        let account = try checked("getAccountInfo") { () throws(SolanaRPCError.Field) in
            try answer.value.map { (value) throws(SolanaRPCError.Field) in try SolanaAccount(value, field: "result.value") }
        }
        return (answer.context.slot.value, account)
    }

    /// Up to 100 accounts read at one slot, in the order asked (nil where none exists).
    public func multipleAccounts(_ keys: [SolanaPublicKey], _ commitment: SolanaCommitment) async throws(SolanaRPCError)
        -> (slot: UInt64, accounts: [SolanaAccount?]) {
        let answer = try await call("getMultipleAccounts",
                                    [.array(keys.map { .string($0.description) }), readConfig(commitment, base64: true)],
                                    as: SolanaWire.WithContext<[SolanaWire.Account?]>.self)
        guard answer.value.count == keys.count else {
            throw malformed("getMultipleAccounts", "result.value", "\(answer.value.count) accounts for \(keys.count) asked")
        }
        var accounts: [SolanaAccount?] = []
        for (index, entry) in answer.value.enumerated() {
            accounts.append(try checked("getMultipleAccounts") { () throws(SolanaRPCError.Field) in
                try entry.map { (value) throws(SolanaRPCError.Field) in
                    try SolanaAccount(value, field: "result.value[\(index)]")
                }
            })
        }
        return (answer.context.slot.value, accounts)
    }

    /// Lamports.
    public func balance(_ key: SolanaPublicKey, _ commitment: SolanaCommitment) async throws(SolanaRPCError)
        -> (slot: UInt64, lamports: UInt64) {
        let answer = try await call("getBalance", [.string(key.description), readConfig(commitment, base64: false)],
                                    as: SolanaWire.WithContext<SolanaWire.U64>.self)
        return (answer.context.slot.value, answer.value.value)
    }

    /// An SPL token account's balance in base units.
    public func tokenAccountBalance(_ key: SolanaPublicKey, _ commitment: SolanaCommitment) async throws(SolanaRPCError)
        -> (slot: UInt64, amount: SolanaTokenAmount) {
        let answer = try await call("getTokenAccountBalance",
                                    [.string(key.description), readConfig(commitment, base64: false)],
                                    as: SolanaWire.WithContext<SolanaWire.TokenAmount>.self)
        let amount = try checked("getTokenAccountBalance") { () throws(SolanaRPCError.Field) in
            try SolanaTokenAmount(answer.value, field: "result.value")
        }
        return (answer.context.slot.value, amount)
    }

    public func blockHeight(_ commitment: SolanaCommitment) async throws(SolanaRPCError) -> UInt64 {
        try await call("getBlockHeight", [["commitment": .string(commitment.rawValue)]], as: SolanaWire.U64.self).value
    }

    /// What the transaction (signed wire bytes) would do now. `sigVerify` checks its signatures too;
    /// `replaceRecentBlockhash` simulates it with the latest blockhash instead of its own (exclusive with sigVerify).
    public func simulate(_ transaction: [UInt8], _ commitment: SolanaCommitment, sigVerify: Bool = true,
                         replaceRecentBlockhash: Bool = false) async throws(SolanaRPCError) -> SolanaSimulation {
        let config: SolanaJSON = ["encoding": "base64", "commitment": .string(commitment.rawValue),
                                  "sigVerify": .bool(sigVerify), "replaceRecentBlockhash": .bool(replaceRecentBlockhash)]
        let answer = try await call("simulateTransaction", [.string(Data(transaction).base64EncodedString()), config],
                                    as: SolanaWire.WithContext<SolanaWire.Simulation>.self)
        return try SolanaSimulation(answer.value, field: "result.value", method: "simulateTransaction",
                                    endpoint: healthyEndpoint.redacted)
    }

    /// Hands the signed transaction to the node, which simulates it first unless `skipPreflight` (a refusal comes
    /// back as `.rpc` with the simulation). The node is told not to retry by itself (`maxRetries` 0): dexter decides
    /// when to send again, and only the same bytes. Returns the signature the node reports, checked against the
    /// transaction's own first signature.
    public func send(_ transaction: [UInt8], preflight: SolanaCommitment?,
                     skipPreflight: Bool = false) async throws(SolanaRPCError) -> String {
        var config: [String: SolanaJSON] = ["encoding": "base64", "skipPreflight": .bool(skipPreflight), "maxRetries": 0]
        if let preflight { config["preflightCommitment"] = .string(preflight.rawValue) }
        let signature = try await call("sendTransaction", [.string(Data(transaction).base64EncodedString()), .object(config)],
                                       as: String.self)
        if transaction.count > 65, transaction[0] >= 1 {
            let own = Base58.encode(Array(transaction[1..<65]))
            guard signature == own else {
                throw malformed("sendTransaction", "result", "signature \(signature.prefix(90)) is not the transaction's \(own)")
            }
        }
        return signature
    }

    /// Up to 256 statuses, in the order asked: nil for a signature the node does not know.
    public func signatureStatuses(_ signatures: [String], searchTransactionHistory: Bool = false)
        async throws(SolanaRPCError) -> (slot: UInt64, statuses: [SolanaSignatureStatus?]) {
        let answer = try await call("getSignatureStatuses",
                                    [.array(signatures.map { .string($0) }),
                                     ["searchTransactionHistory": .bool(searchTransactionHistory)]],
                                    as: SolanaWire.WithContext<[SolanaWire.SignatureStatus?]>.self)
        guard answer.value.count == signatures.count else {
            throw malformed("getSignatureStatuses", "result.value", "\(answer.value.count) statuses for \(signatures.count) asked")
        }
        var statuses: [SolanaSignatureStatus?] = []
        for (index, entry) in answer.value.enumerated() {
            guard let entry else { statuses.append(nil); continue }
            var commitment: SolanaCommitment?
            if let text = entry.confirmationStatus {
                guard let known = SolanaCommitment(rawValue: text) else {
                    throw malformed("getSignatureStatuses", "result.value[\(index)].confirmationStatus", "\(text.prefix(40))")
                }
                commitment = known
            }
            statuses.append(SolanaSignatureStatus(
                slot: entry.slot.value, confirmations: entry.confirmations?.value,
                error: entry.err.flatMap { $0 == .null ? nil : SolanaTransactionError($0) }, commitment: commitment))
        }
        return (answer.context.slot.value, statuses)
    }

    /// Per recent slot, the lowest priority fee (µlamports per compute unit) a landed transaction paid, for
    /// transactions write-locking `accounts` (all of them when empty).
    public func recentPrioritizationFees(_ accounts: [SolanaPublicKey] = []) async throws(SolanaRPCError)
        -> [(slot: UInt64, microLamportsPerUnit: UInt64)] {
        let answer = try await call("getRecentPrioritizationFees", [.array(accounts.map { .string($0.description) })],
                                    as: [SolanaWire.PrioritizationFee].self)
        return answer.map { ($0.slot.value, $0.prioritizationFee.value) }
    }

    // MARK: Calls and failover

    private func readConfig(_ commitment: SolanaCommitment, base64: Bool) -> SolanaJSON {
        base64 ? ["commitment": .string(commitment.rawValue), "encoding": "base64"]
            : ["commitment": .string(commitment.rawValue)]
    }

    func malformed(_ method: String, _ field: String, _ reason: String) -> SolanaRPCError {
        .malformed(endpoint: healthyEndpoint.redacted, method: method, field: field, reason: reason)
    }

    func checked<T>(_ method: String, _ read: () throws(SolanaRPCError.Field) -> T) throws(SolanaRPCError) -> T {
        do {
            return try read()
        } catch {
            throw malformed(method, error.field, error.reason)
        }
    }

    /// One call: to the healthy URL, then each other in turn while the failure is the URL's (no answer, not
    /// JSON-RPC); a node's error object is the call's answer and goes back at once.
    func call<T: Decodable>(_ method: String, _ params: [SolanaJSON], as type: T.Type) async throws(SolanaRPCError) -> T {
        let id = state.withLock { state in
            defer { state.nextId += 1 }
            return state.nextId
        }
        let request: SolanaJSON = ["jsonrpc": "2.0", "id": .integer(Int64(id)), "method": .string(method),
                                   "params": .array(params)]
        let body = Array((try? JSONEncoder().encode(request)) ?? Data())
        var failures: [SolanaRPCError] = []
        let start = state.withLock { $0.healthy }
        for offset in endpoints.indices {
            let index = (start + offset) % endpoints.count
            let endpoint = endpoints[index]
            do throws(SolanaRPCError) {
                let answer = try await post(body, to: endpoint, method: method)
                do throws(SolanaRPCError) {
                    let value = try SolanaRPCAnswer.read(answer.body, as: type, id: id, method: method,
                                                         endpoint: endpoint.redacted)
                    state.withLock { $0.healthy = index }
                    return value
                } catch {
                    if case .rpc = error {
                        state.withLock { $0.healthy = index }
                        throw error
                    }
                    // Not a JSON-RPC answer under an error status: the URL's failure (a proxy's 502, a 429).
                    if !(200..<300).contains(answer.status) {
                        throw SolanaRPCError.transport(endpoint: endpoint.redacted, method: method,
                                                       reason: "HTTP status \(answer.status)",
                                                       outcomeUnknown: answer.status >= 500)
                    }
                    throw error
                }
            } catch {
                if case .rpc = error { throw error }
                failures.append(error)
            }
        }
        throw failures.count == 1 ? failures[0] : .allEndpointsFailed(method: method, failures: failures)
    }

    private func post(_ body: [UInt8], to endpoint: SolanaEndpoint, method: String) async throws(SolanaRPCError)
        -> HTTPAnswer {
        let call = HTTPCall(.POST, endpoint.url, headers: ["Content-Type": "application/json"], body: body,
                            timeout: requestTimeout)
        do {
            return try await transport.send(call)
        } catch {
            throw .transport(endpoint: endpoint.redacted, method: method, reason: endpoint.scrub(error.description),
                             outcomeUnknown: error.outcomeUnknown)
        }
    }
}
