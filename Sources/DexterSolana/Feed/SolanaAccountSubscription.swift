import DexterCrypto
import DexterNet
import Foundation
import Logging
import Synchronization

/// accountSubscribe on every watched pool's accounts over one WebSocket (solana.com/docs/rpc/websocket), kept by
/// DexterNet's WebSocketLink (reconnects with backoff). Live once every subscription is answered; a notification
/// marks its pool changed (the feed reads it again: the notification's own copy of the account would not bring the
/// tick arrays). A refusal or a message that is not the documented shape drops the connection; while it is down
/// the feed polls.
final class SolanaAccountSubscription: Sendable {
    private let link: WebSocketLink
    private let commitment: SolanaCommitment
    private let logger: Logger
    /// scheme://host:port: a provider's WebSocket URL carries its key.
    private let shown: String

    private struct State {
        var nextId = 1
        /// accountSubscribe requests not answered yet: request id → pool.
        var asked: [Int: Int] = [:]
        /// Subscription id → pool.
        var subscriptions: [UInt64: Int] = [:]
        var live = false
        var notifications = 0
        var told = false
    }
    private let state = Mutex(State())

    init(url: String, commitment: SolanaCommitment, logger: Logger) {
        self.commitment = commitment
        self.logger = logger
        let parts = URLComponents(string: url)
        shown = "\(parts?.scheme ?? "ws")://\(parts?.host ?? "?")" + (parts?.port.map { ":\($0)" } ?? "")
        link = WebSocketLink(settings: WebSocketSettings(url: url, pingEvery: .seconds(20), maxMessageBytes: 1 << 20,
                                                         backoff: Backoff(first: .milliseconds(200), cap: .seconds(10)),
                                                         stableAfter: .seconds(30)), logger: logger)
    }

    var isLive: Bool { state.withLock { $0.live } }
    var notifications: Int { state.withLock { $0.notifications } }

    /// Keeps the subscriptions until cancelled; `accounts` is asked again at every connection (the vaults are known
    /// once the pools were read).
    func run(accounts: @escaping @Sendable () -> [(SolanaPublicKey, Int)], poolCount: Int, wakes: SolanaPoolWakes) async {
        await link.run(Listener(subscription: self, accounts: accounts, poolCount: poolCount, wakes: wakes))
    }

    fileprivate func opened(_ link: WebSocketLink, accounts: [(SolanaPublicKey, Int)]) async throws {
        let requests = state.withLock { state -> [(Int, SolanaPublicKey)] in
            state.asked = [:]
            state.subscriptions = [:]
            state.live = false
            return accounts.map { key, pool in
                defer { state.nextId += 1 }
                state.asked[state.nextId] = pool
                return (state.nextId, key)
            }
        }
        for (id, key) in requests {
            let request: SolanaJSON = ["jsonrpc": "2.0", "id": .integer(Int64(id)), "method": "accountSubscribe",
                                       "params": [.string(key.description),
                                                  ["encoding": "base64", "commitment": .string(commitment.rawValue)]]]
            try await link.send(String(decoding: try JSONEncoder().encode(request), as: UTF8.self))
        }
    }

    fileprivate func received(_ bytes: [UInt8], poolCount: Int, wakes: SolanaPoolWakes) {
        let message: SolanaPubSubMessage
        do { message = try SolanaPubSubMessage(decoding: bytes) } catch {
            return fail("a message that is not JSON-RPC PubSub: \(error)")
        }
        switch message {
        case .subscribed(let id, let subscription):
            let nowLive = state.withLock { state -> Bool in
                guard let pool = state.asked.removeValue(forKey: id) else { return false }
                state.subscriptions[subscription] = pool
                guard state.asked.isEmpty, !state.live else { return false }
                state.live = true
                state.told = false
                return true
            }
            guard nowLive else { return }
            logger.info("solana: pool accounts pushed by \(shown); polling only while the socket is down")
            // What changed while nothing was subscribed is pushed by none: every pool is read once.
            wakes.changed(0..<poolCount)
        case .refused(let id, let message):
            guard id.map({ id in state.withLock { $0.asked[id] != nil } }) ?? true else { return }
            fail("accountSubscribe refused: \(message.prefix(120))")
        case .accountChanged(let subscription):
            let pool = state.withLock { state -> Int? in
                guard let pool = state.subscriptions[subscription] else { return nil }
                state.notifications += 1
                return pool
            }
            if let pool { wakes.changed(pool) }
        case .other:
            break
        }
    }

    fileprivate func closed(reason: String, retryIn: Duration?) {
        let tell = state.withLock { state -> Bool in
            state.live = false
            state.subscriptions = [:]
            defer { state.told = true }
            return !state.told
        }
        if tell, retryIn != nil { logger.warning("solana: \(shown) closed (\(reason)); polling pools until it is back") }
    }

    private func fail(_ reason: String) {
        state.withLock { $0.live = false }
        logger.warning("solana: \(shown): \(reason)")
        Task { await link.drop(reason: "dexter: \(reason.prefix(60))") }
    }
}

private struct Listener: WebSocketListener {
    let subscription: SolanaAccountSubscription
    let accounts: @Sendable () -> [(SolanaPublicKey, Int)]
    let poolCount: Int
    let wakes: SolanaPoolWakes

    func opened(_ link: WebSocketLink) async throws { try await subscription.opened(link, accounts: accounts()) }
    func received(_ message: [UInt8]) { subscription.received(message, poolCount: poolCount, wakes: wakes) }
    func closed(reason: String, retryIn: Duration?) { subscription.closed(reason: reason, retryIn: retryIn) }
}
