import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A local exchange-protocol server of Tests/Servers (Python, loopback only), started for a test and stopped with
/// it: its launcher prints one JSON line of its URLs once everything listens; its control port injects faults and
/// tells its truth. Each venue's subclass names the URLs it serves.
public class LocalServer: @unchecked Sendable {
    public let controlURL: String
    /// The URLs the server printed, by name ("restUrl", "streamUrl"…).
    let urls: [String: String]
    private let process: Process

    /// The repository's root, from this file's place in it.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Starts `scripts/<script>` with `arguments`; `required` are the URLs the subclass reads.
    init(name: String, script: String, arguments: [String], required: [String]) throws {
        let process = Process()
        process.executableURL = Self.root.appendingPathComponent("scripts/\(script)")
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
        let printed = (try? JSONSerialization.jsonObject(with: line) as? [String: Any]) ?? [:]
        let urls = printed.compactMapValues { $0 as? String }
        guard let control = urls["controlUrl"], required.allSatisfy({ urls[$0] != nil }) else {
            process.terminate()
            throw LocalServerError(description: "the \(name) test server did not start (printed \(String(decoding: line, as: UTF8.self)))")
        }
        self.process = process
        self.urls = urls
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

public struct LocalServerError: Error, CustomStringConvertible {
    public let description: String
}
