import Foundation
import TestServers
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP server on 127.0.0.1 for the answers a real node never gives: it answers `eth_chainId` as a node of
/// `chainId` would (so the client will use it), and every other request as scripted — garbage bytes, an HTTP status,
/// or silence until the client gives up. It counts the requests it was sent.
final class ScriptedHTTPServer: @unchecked Sendable {
    enum Behaviour: Sendable {
        case answer(status: Int, body: String)
        /// Reads the request and never answers.
        case silent
    }

    let port: Int
    var url: String { "http://127.0.0.1:\(port)" }
    private let listener: Int32
    private let chainId: UInt64
    private let behaviour: Behaviour
    private let counts = Mutex<(chainId: Int, other: Int)>((0, 0))
    private let held = Mutex<[Int32]>([])

    init(chainId: UInt64 = 31337, _ behaviour: Behaviour) throws {
        self.chainId = chainId
        self.behaviour = behaviour
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(listener, socketAddress, length) == 0 && listen(listener, 16) == 0
                    && getsockname(listener, socketAddress, &length) == 0
            }
        }
        guard bound else { throw CocoaError(.fileWriteUnknown) }
        self.listener = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        let server = self
        Thread.detachNewThread { server.serve() }
    }

    deinit { stop() }

    /// Requests other than eth_chainId received so far.
    var requestsReceived: Int { counts.withLock { $0.other } }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for connection in held.withLock({ $0 }) { close(connection) }
        held.withLock { $0 = [] }
    }

    private func serve() {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            let server = self
            Thread.detachNewThread { server.handle(connection) }
        }
    }

    /// Keep-alive: request after request on one connection, until the client closes it.
    private func handle(_ connection: Int32) {
        var buffer: [UInt8] = []
        while let request = Self.readRequest(connection, buffer: &buffer) {
            let text = String(decoding: request, as: UTF8.self)
            if text.contains("\"eth_chainId\"") {
                counts.withLock { $0.chainId += 1 }
                let id = text.firstMatch(of: /"id":(\d+)/).map { String($0.1) } ?? "null"
                respond(connection, status: 200,
                        body: "{\"jsonrpc\":\"2.0\",\"id\":\(id),\"result\":\"0x\(String(chainId, radix: 16))\"}")
                continue
            }
            counts.withLock { $0.other += 1 }
            switch behaviour {
            case .answer(let status, let body): respond(connection, status: status, body: body)
            case .silent:
                held.withLock { $0.append(connection) }
                return
            }
        }
        close(connection)
    }

    private func respond(_ connection: Int32, status: Int, body: String) {
        let bytes = Array("HTTP/1.1 \(status) Scripted\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
        _ = bytes.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    static func readRequest(_ connection: Int32, buffer: inout [UInt8]) -> [UInt8]? {
        PrivateRelay.readRequest(connection, buffer: &buffer)
    }
}

/// A loopback port nothing listens on: bound, read, closed.
func deadPort() -> Int {
    let probe = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(probe) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(probe, $0, length) == 0 && getsockname(probe, $0, &length) == 0
        }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
