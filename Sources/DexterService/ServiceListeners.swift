import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOSSL
import OpenAPIHummingbird
import OpenAPIRuntime
import ServiceLifecycle

/// Where the desk listens: always its Unix socket (0600, in a 0700 folder), and a TCP port when configured —
/// with TLS unless the host is loopback.
public struct ServiceListeners: Sendable {
    public struct TCP: Sendable {
        public var host: String
        public var port: Int
        /// PEM files; required beyond loopback.
        public var tls: (certificate: String, key: String)?

        public init(host: String, port: Int, tls: (certificate: String, key: String)?) {
            self.host = host
            self.port = port
            self.tls = tls
        }

        public var isLoopback: Bool { ["127.0.0.1", "::1", "localhost"].contains(host) || host.hasPrefix("127.") }
    }

    public var socketPath: String
    public var tcp: TCP?

    public init(socketPath: String, tcp: TCP?) {
        self.socketPath = socketPath
        self.tcp = tcp
    }
}

public struct ListenerError: Error, CustomStringConvertible {
    public let description: String
}

extension DeskService {
    /// The HTTP and WebSocket routes, for one listener.
    func router() throws -> Router<BasicWebSocketRequestContext> {
        let router = Router(context: BasicWebSocketRequestContext.self)
        let transport = router
        let requestErrors = RequestErrorMiddleware(logger: Logger(label: "dexter.service"),
                                                   parameters: try DocumentedParameters(document: Self.openAPIData()))
        try DeskAPI(desk: self).registerHandlers(on: transport, serverURL: URL(string: "/")!, configuration: .init(),
                                                 middlewares: [requestErrors, CallerMiddleware(tokens: tokens)])
        addEventStream(to: router)
        addAttach(to: router)
        return router
    }

    /// Stops every listener gracefully: open requests finish, then each `serve` returns.
    public func stopServing() async {
        for group in running.withLock({ Array($0.values) }) { await group.triggerGracefulShutdown() }
    }

    /// Runs the listeners until `stopServing`; `ready` is called once each is bound (the socket already
    /// 0600).
    public func serve(on listeners: ServiceListeners, logger: Logger, ready: @escaping @Sendable (String) -> Void = { _ in }) async throws {
        try Self.prepareSocket(listeners.socketPath)
        let path = listeners.socketPath
        let localRouter = try router()
        let local = Application(
            router: localRouter, server: .http1WebSocketUpgrade(webSocketRouter: localRouter),
            configuration: .init(address: .unixDomainSocket(path: path), serverName: nil),
            onServerRunning: { _ in
                chmod(path, 0o600)
                ready("unix:\(path)")
            },
            logger: logger)
        var services: [any Service] = [local]
        if let tcp = listeners.tcp {
            let tcpRouter = try router()
            var server: HTTPServerBuilder = .http1WebSocketUpgrade(webSocketRouter: tcpRouter)
            if let tls = tcp.tls {
                let configuration = TLSConfiguration.makeServerConfiguration(
                    certificateChain: try NIOSSLCertificate.fromPEMFile(tls.certificate).map { .certificate($0) },
                    privateKey: .privateKey(try NIOSSLPrivateKey(file: tls.key, format: .pem)))
                server = try .tls(server, tlsConfiguration: configuration)
            } else if !tcp.isLoopback {
                throw ListenerError(description: "listening on \(tcp.host) beyond loopback needs TLS: set [service] tls_cert and tls_key")
            }
            let scheme = tcp.tls == nil ? "http" : "https"
            services.append(Application(
                router: tcpRouter, server: server,
                configuration: .init(address: .hostname(tcp.host, port: tcp.port), serverName: nil),
                onServerRunning: { channel in ready("\(scheme)://\(tcp.host):\(channel.localAddress?.port ?? tcp.port)") },
                logger: logger))
        }
        let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) },
                                                       gracefulShutdownSignals: [], logger: logger))
        running.withLock { $0[ObjectIdentifier(group)] = group }
        defer { running.withLock { _ = $0.removeValue(forKey: ObjectIdentifier(group)) } }
        try await group.run()
        unlink(path)
    }

    /// The socket's folder is made 0700; a socket file left by a desk that died is removed, one a live desk answers
    /// on is not.
    static func prepareSocket(_ path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        guard FileManager.default.fileExists(atPath: path) else { return }
        if UnixSocketProbe.answers(path) {
            throw ListenerError(description: "a desk is already serving on \(path) (dexter attach reaches it)")
        }
        unlink(path)
    }
}

/// Whether something accepts connections on a Unix socket.
enum UnixSocketProbe {
    static func answers(_ path: String) -> Bool {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in bytes.enumerated() { buffer[index] = byte }
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
            }
        }
    }
}
