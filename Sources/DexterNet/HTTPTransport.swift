import AsyncHTTPClient
import DexterCore
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// One HTTP request as a venue adapter builds it: nothing of NIO leaks out of this room.
public struct HTTPCall: Sendable, Hashable {
    public enum Method: String, Sendable { case GET, POST, PUT, DELETE }
    public var method: Method
    public var url: String
    public var headers: [String: String]
    public var body: [UInt8]?
    /// The whole exchange, connect to last byte. Past it the outcome is unknown to the caller: an order sent may
    /// have been placed.
    public var timeout: Duration

    public init(_ method: Method, _ url: String, headers: [String: String] = [:], body: [UInt8]? = nil,
                timeout: Duration = .seconds(10)) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

/// A response: status, headers (names lowercased) and the body's bytes.
public struct HTTPAnswer: Sendable, Hashable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// Why a request got no answer. `timedOut` and `connectionLost` after the request left mean the outcome is unknown.
public enum HTTPFailure: Error, Sendable, Hashable, CustomStringConvertible {
    case timedOut(after: Duration)
    case connectionFailed(String)
    case connectionLost(String)
    case answerTooLarge(limit: Int)
    case badURL(String)

    public var description: String {
        switch self {
        case .timedOut(let after): "no answer within \(after.secondsDouble) s"
        case .connectionFailed(let why): "could not connect: \(why)"
        case .connectionLost(let why): "connection lost before the answer: \(why)"
        case .answerTooLarge(let limit): "answer larger than \(limit) bytes"
        case .badURL(let url): "not a URL: \(url)"
        }
    }

    /// Whether the request may have reached the venue and been acted on.
    public var outcomeUnknown: Bool {
        switch self {
        case .timedOut, .connectionLost: true
        case .connectionFailed, .answerTooLarge, .badURL: false
        }
    }
}

/// HTTP for venue adapters: TLS by default (an https URL), a timeout on every request, answers read whole.
public final class HTTPTransport: Sendable {
    private let client: HTTPClient
    private let maxAnswerBytes: Int

    /// `connectTimeout` bounds the connection attempt alone (the shared client's is 10 s): with several URLs for one
    /// service, a dead one must be left after a moment, not after the whole request's timeout.
    public init(maxAnswerBytes: Int = 16 << 20, connectTimeout: Duration? = nil) {
        client = connectTimeout.map(ConnectTimeoutClients.client(for:)) ?? HTTPClient.shared
        self.maxAnswerBytes = maxAnswerBytes
    }

    public func send(_ call: HTTPCall) async throws(HTTPFailure) -> HTTPAnswer {
        guard URL(string: call.url)?.host != nil else { throw .badURL(call.url) }
        var request = HTTPClientRequest(url: call.url)
        request.method = HTTPMethod(rawValue: call.method.rawValue)
        for (name, value) in call.headers { request.headers.add(name: name, value: value) }
        if let body = call.body {
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let timeout = TimeAmount.nanoseconds(call.timeout.nanosecondsClamped)
        let client = client, limit = maxAnswerBytes, prepared = request
        // The client's deadline, and a clock of our own behind it: the timeout holds for the whole answer, body
        // included, even when the client's deadline does not fire (seen under load: a 3 s late answer came through
        // a 300 ms timeout).
        let outcome = await withTaskGroup(of: Result<HTTPAnswer, HTTPFailure>?.self) { group in
            group.addTask {
                do {
                    let response = try await client.execute(prepared, timeout: timeout)
                    let body = try await response.body.collect(upTo: limit)
                    var headers: [String: String] = [:]
                    for header in response.headers { headers[header.name.lowercased()] = header.value }
                    return .success(HTTPAnswer(status: Int(response.status.code), headers: headers,
                                               body: Array(body.readableBytesView)))
                } catch let error as HTTPClientError {
                    return .failure(Self.failure(error, call: call, limit: limit))
                } catch is NIOTooManyBytesError {
                    return .failure(.answerTooLarge(limit: limit))
                } catch {
                    return .failure(Self.failure(described: "\(error)"))
                }
            }
            group.addTask {
                // A backstop behind the client's own deadline, which normally answers first and says why (a refused
                // connection retried until the deadline reports its connect error, which is no unknown outcome).
                try? await Task.sleep(for: call.timeout + max(.milliseconds(250), call.timeout / 4))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .failure(.timedOut(after: call.timeout))
        }
        return try outcome.get()
    }

    /// A refused or unresolved connection never carried the request; anything else after connecting may have.
    static func failure(described error: String) -> HTTPFailure {
        let neverSent = ["Connection refused", "errno: 111", "connect", "resolve", "Scheme", "No such host"]
        return neverSent.contains { error.contains($0) } ? .connectionFailed(error) : .connectionLost(error)
    }

    static func failure(_ error: HTTPClientError, call: HTTPCall, limit: Int) -> HTTPFailure {
        switch error {
        case .deadlineExceeded, .readTimeout, .writeTimeout: .timedOut(after: call.timeout)
        case .connectTimeout, .invalidURL, .emptyHost, .emptyScheme: .connectionFailed("\(error)")
        case .remoteConnectionClosed, .cancelled: .connectionLost("\(error)")
        default: failure(described: "\(error)")
        }
    }
}

/// One client per connect timeout, kept for the life of the process as `HTTPClient.shared` is (a client must be shut
/// down before it is dropped; these are never dropped), so transports with the same timeout share connections.
private enum ConnectTimeoutClients {
    static let clients = Mutex<[Int64: HTTPClient]>([:])

    static func client(for timeout: Duration) -> HTTPClient {
        let nanoseconds = timeout.nanosecondsClamped
        return clients.withLock { clients in
            if let client = clients[nanoseconds] { return client }
            var configuration = HTTPClient.Configuration.singletonConfiguration
            configuration.timeout.connect = .nanoseconds(nanoseconds)
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
            clients[nanoseconds] = client
            return client
        }
    }
}
