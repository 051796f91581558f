import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The local OKX-protocol server of Tests/Servers/okx (Python, loopback only), started for a test and stopped with
/// it. Its ports are the ones it printed; its control port injects faults and tells its truth.
public final class LocalOKX: @unchecked Sendable {
    public let restURL: String
    public let publicWSURL: String
    public let privateWSURL: String
    public let controlURL: String
    private let process: Process

    /// The repository's root, from this file's place in it.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Starts the server with `arguments` (`--speed 0` by default: its market moves only on `advance`).
    public init(_ arguments: [String] = ["--speed", "0"]) throws {
        let process = Process()
        process.executableURL = Self.root.appendingPathComponent("scripts/okx-server.sh")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line it prints is the JSON of its ports, once everything listens.
        var line = Data()
        let handle = output.fileHandleForReading
        while true {
            let byte = handle.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        guard let ports = try JSONSerialization.jsonObject(with: line) as? [String: Any],
              let rest = ports["restUrl"] as? String, let publicWS = ports["publicWsUrl"] as? String,
              let privateWS = ports["privateWsUrl"] as? String, let control = ports["controlUrl"] as? String else {
            process.terminate()
            throw LocalServerError(description: "the OKX test server did not start (printed \(String(decoding: line, as: UTF8.self)))")
        }
        self.process = process
        restURL = rest
        publicWSURL = publicWS
        privateWSURL = privateWS
        controlURL = control
    }

    deinit { stop() }

    /// Stops the server and waits for it to go (polling: Foundation's waitUntilExit spins a run loop that hangs
    /// when called from a Swift concurrency task).
    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<100 where process.isRunning { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// POSTs `json` to a control path (`/control/fault`, `/control/advance`…), returns the answer's JSON.
    @discardableResult
    public func control(_ path: String, _ json: [String: Any] = [:]) async throws -> Any {
        var request = URLRequest(url: URL(string: controlURL + path)!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: json)
        let (data, _) = try await URLSession.shared.data(for: request)
        return try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    }

    /// The bytes a control path answers.
    public func readBytes(_ path: String) async throws -> [UInt8] {
        let (data, _) = try await URLSession.shared.data(from: URL(string: controlURL + path)!)
        return Array(data)
    }

    /// GETs a control path (`/control/orders`, `/control/account`, `/control/book`…).
    public func read(_ path: String) async throws -> Any {
        let (data, _) = try await URLSession.shared.data(from: URL(string: controlURL + path)!)
        return try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    }
}
