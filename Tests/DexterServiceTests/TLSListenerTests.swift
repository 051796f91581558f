import AsyncHTTPClient
import DexterEngine
@testable import DexterService
import Foundation
import Logging
import NIOSSL
import Testing

/// The TCP door: TLS with the configured certificate, and no plain listener beyond loopback.
@Suite(.serialized) struct TLSListenerTests {
    /// A self-signed certificate for 127.0.0.1, made by openssl for this test.
    static func certificate(in folder: String) throws -> (certificate: String, key: String) {
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                             "-keyout", folder + "/key.pem", "-out", folder + "/cert.pem", "-days", "2", "-subj", "/CN=127.0.0.1",
                             "-addext", "subjectAltName=IP:127.0.0.1"]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        #expect(openssl.terminationStatus == 0)
        return (folder + "/cert.pem", folder + "/key.pem")
    }

    @Test func theTCPListenerSpeaksTLSWithTheConfiguredCertificate() async throws {
        let desk = try await ServedDesk.open()
        let tls = try Self.certificate(in: desk.folder)
        let (bound, signal) = AsyncStream.makeStream(of: String.self)
        let serving = Task {
            try await desk.service.serve(on: ServiceListeners(socketPath: desk.folder + "/run/tls.sock",
                                                              tcp: .init(host: "127.0.0.1", port: 0, tls: tls)),
                                         logger: Logger(label: "test")) { signal.yield($0) }
        }
        var address: String?
        for await said in bound where said.hasPrefix("https://") {
            address = said
            break
        }
        let url = try #require(address)
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(tls.certificate))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: configuration))
        var request = HTTPClientRequest(url: url + "/v1/desk")
        request.headers.add(name: "Authorization", value: "Bearer \(desk.tokens["ann"] ?? "")")
        let response = try await client.execute(request, timeout: .seconds(10))
        let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
        #expect(response.status == .ok && body.contains(#""name" : "ann""#), "\(body)")
        // A client that does not trust the certificate is not served.
        await #expect(throws: (any Error).self) {
            _ = try await HTTPClient.shared.execute(HTTPClientRequest(url: url + "/health"), timeout: .seconds(10))
        }
        try await client.shutdown()
        await desk.stopServing(serving)
        await desk.stop()
    }

    @Test func aPlainListenerBeyondLoopbackIsRefusedBeforeItBinds() async throws {
        let desk = try await ServedDesk.open()
        await #expect(throws: ListenerError.self) {
            try await desk.service.serve(on: ServiceListeners(socketPath: desk.folder + "/run/open.sock",
                                                              tcp: .init(host: "0.0.0.0", port: 0, tls: nil)),
                                         logger: Logger(label: "test"))
        }
        await desk.stop()
    }
}

extension ServedDesk {
    /// Ends the listeners of the service (every set of them) and waits for `task`'s.
    func stopServing(_ task: Task<Void, any Error>) async {
        await service.stopServing()
        _ = await task.result
    }
}
