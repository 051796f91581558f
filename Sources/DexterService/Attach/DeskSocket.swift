import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// A WebSocket to a running desk, on its Unix socket (or a loopback port): for `dexter attach`, the event stream's
/// clients and the benchmarks. SwiftNIO's own upgrader and frame codec; frames sent are masked, as a client's must be.
public final class DeskSocket: Sendable {
    public enum Address: Sendable {
        case unix(String)
        case tcp(host: String, port: Int)
    }

    public struct Refused: Error, CustomStringConvertible {
        public let description: String
        /// The desk answered but would not open: the token (a failed upgrade says no more than that).
        public var byTheDesk = false
    }

    let channel: NIOAsyncChannel<WebSocketFrame, WebSocketFrame>

    private init(channel: NIOAsyncChannel<WebSocketFrame, WebSocketFrame>) { self.channel = channel }

    private enum Upgrade: Sendable {
        case webSocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>)
        case refused(HTTPResponseStatus)
    }

    /// Opens `path` (with its query) as `token`'s member.
    public static func open(_ address: Address, path: String, token: String) async throws -> DeskSocket {
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        let initializer: @Sendable (any Channel) -> EventLoopFuture<EventLoopFuture<Upgrade>> = { channel in
            channel.eventLoop.makeCompletedFuture {
                let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(maxFrameSize: 1 << 24) { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        .webSocket(try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(wrappingChannelSynchronously: channel))
                    }
                }
                var headers = HTTPHeaders()
                headers.add(name: "Host", value: "localhost")
                headers.add(name: "Authorization", value: "Bearer \(token)")
                headers.add(name: "Content-Length", value: "0")
                let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)
                let configuration = NIOTypedHTTPClientUpgradeConfiguration<Upgrade>(
                    upgradeRequestHead: head, upgraders: [upgrader],
                    notUpgradingCompletionHandler: { channel in
                        channel.eventLoop.makeCompletedFuture { .refused(.forbidden) }
                    })
                return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(
                    configuration: .init(upgradeConfiguration: configuration))
            }
        }
        let upgrade: EventLoopFuture<Upgrade>
        do {
            switch address {
            case .unix(let socketPath):
                upgrade = try await bootstrap.connect(unixDomainSocketPath: socketPath, channelInitializer: initializer)
            case .tcp(let host, let port):
                upgrade = try await bootstrap.connect(host: host, port: port, channelInitializer: initializer)
            }
        } catch {
            throw Refused(description: "no desk answers on \(address) (is dexter serve running?): \(error)")
        }
        switch try await upgrade.get() {
        case .webSocket(let channel): return DeskSocket(channel: channel)
        case .refused:
            throw Refused(description: "the desk refused the connection: the token is not a live one (dexter user token NAME)",
                          byTheDesk: true)
        }
    }

    /// Runs `body` with the text messages received and a sender; the socket is closed when it returns.
    public func run(_ body: (AsyncThrowingStream<String, any Error>, @escaping @Sendable (String) async throws -> Void) async throws -> Void)
        async throws {
        try await channel.executeThenClose { inbound, outbound in
            let (texts, continuation) = AsyncThrowingStream.makeStream(of: String.self)
            let reader = Task {
                var pending = ByteBuffer()
                do {
                    for try await frame in inbound {
                        switch frame.opcode {
                        case .text, .continuation:
                            var data = frame.unmaskedData
                            pending.writeBuffer(&data)
                            if frame.fin {
                                continuation.yield(String(buffer: pending))
                                pending.clear()
                            }
                        case .ping:
                            try await outbound.write(WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(),
                                                                    data: frame.unmaskedData))
                        case .connectionClose:
                            continuation.finish()
                            return
                        default: break
                        }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            defer { reader.cancel() }
            let send: @Sendable (String) async throws -> Void = { text in
                try await outbound.write(WebSocketFrame(fin: true, opcode: .text, maskKey: .random(),
                                                        data: ByteBuffer(string: text)))
            }
            try await body(texts, send)
            var close = ByteBuffer()
            close.write(webSocketErrorCode: .normalClosure)
            try? await outbound.write(WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: close))
        }
    }
}
