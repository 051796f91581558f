import BigInt
import DexterCrypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A private relay on 127.0.0.1 as Flashbots Protect behaves from outside: it answers `eth_chainId`, takes
/// `eth_sendPrivateTransaction({tx, maxBlockNumber, preferences})` or `eth_sendRawTransaction`, and hands the raw
/// transaction to the local node's `eth_sendRawTransaction` (a builder including it), answering with the node's
/// answer; or, `refusing`, answers every send with the JSON-RPC error given. It keeps every request it was sent.
public final class PrivateRelay: @unchecked Sendable {
    public enum Mode: Sendable {
        case forward(nodeURL: String)
        /// Answers the first send with its hash as if accepted, but never hands it on (a relay that lost it).
        case loseFirst(nodeURL: String)
        case refusing(code: Int, message: String)
        /// A congested builder: the first transaction calling one of `contracts` (the routers: a swap) is left out as
        /// if underpriced, and every later nonce queues behind it, as a mempool queues a nonce gap — each answered
        /// with its hash as accepted, resends too. Another transaction at the held nonce (a speed-up, a cancel) goes
        /// to the node, and the queue behind it after, in nonce order (where the next swap is held again). While
        /// `holding` is false no new swap is held.
        case holdSwaps(nodeURL: String, contracts: Set<String>)
    }

    public let port: Int
    public var url: String { "http://127.0.0.1:\(port)/protect" }
    /// Whether `holdSwaps` holds new swaps (true until a test says otherwise).
    public var holding: Bool {
        get { lock.withLock { holdingNow } }
        set { lock.withLock { holdingNow = newValue } }
    }
    private var holdingNow = true
    /// The swap held: its nonce and hash. Transactions at later nonces wait in `queued`.
    private var block: (nonce: BigUInt, hash: String)?
    private var queued: [(nonce: BigUInt, hash: String, raw: String)] = []
    private var heldHashes: Set<String> = []
    /// One send decided at a time, as one builder would.
    private let builder = NSLock()
    private let listener: Int32
    private let chainId: UInt64
    private let mode: Mode
    private let lock = NSLock()
    private var received: [[String: Any]] = []

    /// The non-eth_chainId requests received, parsed.
    public var requests: [[String: Any]] { lock.withLock { received } }

    /// The swap held back now, waiting for its replacement; nil when none is.
    public var heldNow: String? { builder.withLock { block?.hash } }

    /// The hashes of the transactions held back so far.
    public var held: Set<String> { lock.withLock { heldHashes } }

    public init(chainId: UInt64 = 31337, _ mode: Mode) throws {
        self.chainId = chainId
        self.mode = mode
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 16) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        guard bound else { throw CocoaError(.fileWriteUnknown) }
        self.listener = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        let relay = self
        Thread.detachNewThread { relay.serve() }
    }

    deinit {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func serve() {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            let relay = self
            Thread.detachNewThread { relay.handle(connection) }
        }
    }

    private func handle(_ connection: Int32) {
        defer { close(connection) }
        var buffer: [UInt8] = []
        while let body = Self.readRequest(connection, buffer: &buffer) {
            let request = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
            let id = request["id"] ?? NSNull()
            let method = request["method"] as? String ?? ""
            var answer: [String: Any] = ["jsonrpc": "2.0", "id": id]
            if method == "eth_chainId" {
                answer["result"] = "0x" + String(chainId, radix: 16)
            } else {
                let count = lock.withLock {
                    received.append(request)
                    return received.count
                }
                let params = request["params"] as? [Any] ?? []
                let raw = method == "eth_sendPrivateTransaction"
                    ? (params.first as? [String: Any])?["tx"] as? String : params.first as? String
                switch mode {
                case .refusing(let code, let message): answer["error"] = ["code": code, "message": message]
                case .loseFirst where count == 1:
                    answer["result"] = raw.flatMap(Self.hashOf) ?? NSNull()
                case .holdSwaps(let nodeURL, let contracts):
                    answer.merge(builder.withLock { holdOrForward(raw ?? "", nodeURL: nodeURL, contracts: contracts) }) { $1 }
                case .forward(let nodeURL), .loseFirst(let nodeURL):
                    let forwarded = Self.post(nodeURL, ["jsonrpc": "2.0", "id": 1, "method": "eth_sendRawTransaction",
                                                        "params": [raw ?? ""]])
                    if let error = forwarded["error"] { answer["error"] = error } else { answer["result"] = forwarded["result"] }
                }
            }
            let bytes = (try? JSONSerialization.data(withJSONObject: answer)) ?? Data()
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(bytes.count)\r\n\r\n"
            let reply = Array(head.utf8) + Array(bytes)
            _ = reply.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
    }

    /// A blocking POST from the relay's own thread (never a Swift concurrency task).
    private static func post(_ url: String, _ object: [String: Any]) -> [String: Any] {
        final class Answer: @unchecked Sendable { var object: [String: Any] = ["error": ["code": -32603, "message": "relay: node unreachable"]] }
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try? JSONSerialization.data(withJSONObject: object)
        let done = DispatchSemaphore(value: 0)
        let answer = Answer()
        URLSession.shared.dataTask(with: request) { data, _, _ in
            if let data, let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] { answer.object = object }
            done.signal()
        }.resume()
        done.wait()
        return answer.object
    }

    /// `holdSwaps`: holds, queues or forwards one raw transaction; the answer's result or error.
    private func holdOrForward(_ raw: String, nodeURL: String, contracts: Set<String>) -> [String: Any] {
        func forward(_ raw: String) -> [String: Any] {
            let answer = Self.post(nodeURL, ["jsonrpc": "2.0", "id": 1, "method": "eth_sendRawTransaction", "params": [raw]])
            return answer["error"].map { ["error": $0] } ?? ["result": answer["result"] ?? NSNull()]
        }
        guard let hash = Self.hashOf(raw), let bytes = try? Hex.decode(raw), bytes.first == 2,
              case .list(let fields) = try? RLP.decode(Array(bytes.dropFirst())), fields.count >= 8,
              case .bytes(let nonceBytes) = fields[1], case .bytes(let to) = fields[5] else { return forward(raw) }
        let nonce = BigUInt(Data(nonceBytes)), destination = Hex.encode(to).lowercased()
        let isSwap = contracts.contains { $0.lowercased() == destination }
        let accepted: [String: Any] = ["result": hash]
        guard let held = block else {
            guard isSwap, lock.withLock({ holdingNow }) else { return forward(raw) }
            block = (nonce, hash)
            lock.withLock { _ = heldHashes.insert(hash) }
            return accepted
        }
        if nonce < held.nonce { return forward(raw) }
        if nonce > held.nonce {
            if !queued.contains(where: { $0.hash == hash }) { queued.append((nonce, hash, raw)) }
            return accepted
        }
        if hash == held.hash { return accepted }
        // A replacement of the held swap: it goes, then what queued behind it, until the next swap to hold.
        let answer = forward(raw)
        block = nil
        let waiting = queued.sorted { $0.nonce < $1.nonce }
        queued = []
        for (index, next) in waiting.enumerated() {
            let nextTo = (try? Hex.decode(next.raw)).flatMap { bytes -> String? in
                guard case .list(let fields) = try? RLP.decode(Array(bytes.dropFirst())), fields.count >= 8,
                      case .bytes(let to) = fields[5] else { return nil }
                return Hex.encode(to).lowercased()
            }
            if let nextTo, contracts.contains(where: { $0.lowercased() == nextTo }), lock.withLock({ holdingNow }) {
                block = (next.nonce, next.hash)
                lock.withLock { _ = heldHashes.insert(next.hash) }
                queued = Array(waiting[(index + 1)...])
                break
            }
            _ = forward(next.raw)
        }
        return answer
    }

    /// One request's body (headers up to the blank line, then Content-Length bytes), or nil when the peer closed.
    public static func readRequest(_ connection: Int32, buffer: inout [UInt8]) -> [UInt8]? {
        let separator = Array("\r\n\r\n".utf8)
        while true {
            if let end = buffer.firstRange(of: separator) {
                let head = String(decoding: buffer[..<end.lowerBound], as: UTF8.self).lowercased()
                let length = head.firstMatch(of: /content-length:\s*(\d+)/).flatMap { Int($0.1) } ?? 0
                if buffer.count >= end.upperBound + length {
                    let body = Array(buffer[end.upperBound..<end.upperBound + length])
                    buffer.removeFirst(end.upperBound + length)
                    return body
                }
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            buffer += chunk[..<count]
        }
    }

    /// The hash a node would answer for raw transaction hex.
    public static func hashOf(_ raw: String) -> String? {
        guard let bytes = try? Hex.decode(raw) else { return nil }
        return Hex.encode(Keccak256.hash(bytes))
    }
}
