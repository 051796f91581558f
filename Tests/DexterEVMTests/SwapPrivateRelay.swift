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
final class SwapPrivateRelay: @unchecked Sendable {
    enum Mode: Sendable {
        case forward(nodeURL: String)
        /// Answers the first send with its hash as if accepted, but never hands it on (a relay that lost it).
        case loseFirst(nodeURL: String)
        case refusing(code: Int, message: String)
    }

    let port: Int
    var url: String { "http://127.0.0.1:\(port)/protect" }
    private let listener: Int32
    private let chainId: UInt64
    private let mode: Mode
    private let lock = NSLock()
    private var received: [[String: Any]] = []

    /// The non-eth_chainId requests received, parsed.
    var requests: [[String: Any]] { lock.withLock { received } }

    init(chainId: UInt64 = 31337, _ mode: Mode) throws {
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
        while let body = ScriptedHTTPServer.readRequest(connection, buffer: &buffer) {
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

    /// The hash a node would answer for raw transaction hex.
    static func hashOf(_ raw: String) -> String? {
        guard let bytes = try? Hex.decode(raw) else { return nil }
        return Hex.encode(Keccak256.hash(bytes))
    }
}
