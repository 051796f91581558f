import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// packaging/dexter.service as systemd reads it: `systemd-analyze verify` on a copy whose ExecStart is the dexter
/// built beside these tests (verify refuses a unit whose binary is missing), and the hardening the README promises.
@Suite struct ServiceUnitTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let installedBinary = "/usr/local/bin/dexter"

    static var unitText: String {
        get throws { try String(contentsOf: root.appendingPathComponent("packaging/dexter.service"), encoding: .utf8) }
    }

    /// The dexter built beside this test bundle (.build/<triple>/debug/dexter).
    static var builtDexter: String {
        let candidates = [Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("dexter").path,
                          root.appendingPathComponent(".build/debug/dexter").path]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[1]
    }

    static func run(_ executable: String, _ arguments: [String],
                    environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func systemdAnalyzeVerifiesTheUnitWithoutAWarning() throws {
        let analyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let tool = try #require(analyze, "systemd-analyze is missing: scripts/install-deps.sh installs systemd")
        let unit = try Self.unitText
        let execStart = "ExecStart=" + Self.installedBinary + " "
        #expect(unit.contains("\n" + execStart), "the unit must start \(Self.installedBinary)")
        #expect(FileManager.default.isExecutableFile(atPath: Self.builtDexter), "build dexter first: \(Self.builtDexter)")

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dexter-unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let copy = folder.appendingPathComponent("dexter.service")
        try unit.replacingOccurrences(of: "\n" + execStart, with: "\nExecStart=" + Self.builtDexter + " ")
            .write(to: copy, atomically: true, encoding: .utf8)

        let (status, output) = try Self.run(tool, ["verify", copy.path])
        // verify exits 0 on an unknown or unparsable key and only says so: any line about the unit is a failure.
        let problems = output.split(separator: "\n").filter { $0.contains("dexter.service") }
            .map { $0.replacingOccurrences(of: copy.path, with: "packaging/dexter.service") }
        let report = problems.isEmpty ? output : problems.joined(separator: "\n")
        #expect(status == 0 && problems.isEmpty, "systemd-analyze verify packaging/dexter.service (exit \(status)):\n\(report)")

        // systemd's own exposure score (0 to 10, lower is tighter): 1.x today; 2.0 means a protection went missing.
        let security = try Self.run(tool, ["security", "--offline=yes", "--threshold=20", "--no-pager", copy.path])
        let score = security.output.split(separator: "\n").first { $0.contains("Overall exposure level") } ?? "no score"
        let missing = security.output.split(separator: "\n").filter { $0.contains("✗") }.joined(separator: "\n")
        #expect(security.status == 0, "systemd-analyze security packaging/dexter.service above 2.0: \(score)\n\(missing)")
    }

    /// The sandbox and the paths the README's install steps rely on; removing one is a decision, not an accident.
    @Test func theUnitKeepsItsHardeningAndPaths() throws {
        let lines = Set(try Self.unitText.split(separator: "\n").map(String.init))
        let required = [
            "User=dexter", "DynamicUser=no", "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
            "PrivateDevices=yes", "ProtectKernelTunables=yes", "ProtectKernelModules=yes", "ProtectKernelLogs=yes",
            "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6", "CapabilityBoundingSet=", "SystemCallFilter=@system-service",
            "StateDirectory=dexter", "RuntimeDirectory=dexter", "LogsDirectory=dexter", "ConfigurationDirectory=dexter",
            "LoadCredential=passphrase:/etc/dexter/passphrase", "Restart=on-failure", "MemoryDenyWriteExecute=yes",
            "SystemCallFilter=~@privileged @resources", "SystemCallErrorNumber=EPERM",
            "ExecStart=/usr/local/bin/dexter serve --config /etc/dexter/config.toml --socket /run/dexter/dexter.sock",
        ]
        for line in required { #expect(lines.contains(line), "packaging/dexter.service lacks \(line)") }
        // The passphrase is a credential file, never the environment.
        #expect(!lines.contains { $0.hasPrefix("Environment") && $0.localizedCaseInsensitiveContains("pass") })
    }

    /// MemoryDenyWriteExecute and the syscall filter hold for dexter serve: inside the unit's seccomp rules
    /// (scripts/unit-sandbox.py, first shown to refuse a writable, executable mapping) it serves /health on its socket,
    /// logs logfmt to a piped stderr, and stops cleanly on SIGTERM.
    @Test func serveRunsInsideTheUnitsSandbox() throws {
        let sandbox = Self.root.appendingPathComponent("scripts/unit-sandbox.py").path
        let refused = try Self.run(sandbox, ["/usr/bin/python3", "-c", "import mmap; mmap.mmap(-1, 4096, prot=7)"])
        #expect(refused.status != 0 && refused.output.contains("Operation not permitted"), "the sandbox refuses nothing:\n\(refused.output)")

        let home = FileManager.default.temporaryDirectory.appendingPathComponent("dexter-sandbox-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let socket = home.path + "/dexter.sock"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: sandbox)
        process.arguments = [Self.builtDexter, "serve", "--socket", socket]
        process.environment = ProcessInfo.processInfo.environment.merging([
            "HOME": home.path, "XDG_DATA_HOME": home.path + "/data", "XDG_STATE_HOME": home.path + "/state",
            "XDG_CONFIG_HOME": home.path + "/config", "XDG_RUNTIME_DIR": home.path,
        ]) { $1 }.filter { $0.key != "DEXTER_CONFIG" && $0.key != "CREDENTIALS_DIRECTORY" }
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning, !FileManager.default.fileExists(atPath: socket), Date() < deadline { usleep(100_000) }

        let health = (try? Self.get("/health", socket: socket)) ?? "no answer"
        #expect(health.hasPrefix("HTTP/1.1 200") && health.contains("ok"), "GET /health in the sandbox:\n\(health)")
        let metrics = (try? Self.get("/metrics", socket: socket)) ?? "no answer"
        #expect(metrics.hasPrefix("HTTP/1.1 401"), "GET /metrics without a token in the sandbox:\n\(metrics.prefix(300))")

        process.terminate()
        process.waitUntilExit()
        let events = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0 && events.contains(#""event":"stopped""#),
                "dexter serve in the unit's sandbox (exit \(process.terminationStatus)):\n\(events)\n\(log)")
        let lines = log.split(separator: "\n")
        #expect(!lines.isEmpty && lines.allSatisfy { $0.hasPrefix("ts=") && $0.contains(" level=") && $0.contains(" msg=") },
                "serve's stderr on a pipe is logfmt:\n\(log)")
    }

    /// One HTTP/1.1 GET over a Unix socket, the whole answer (status line, headers, body).
    static func get(_ path: String, socket: String) throws -> String {
        struct SocketError: Error {}
        let descriptor = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw SocketError() }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { bytes in
            for (index, byte) in socket.utf8.prefix(bytes.count - 1).enumerated() { bytes[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw SocketError() }
        let request = "GET \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        _ = request.utf8CString.withUnsafeBufferPointer { write(descriptor, $0.baseAddress, $0.count - 1) }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count <= 0 { break }
            answer += buffer[0..<count]
        }
        return String(decoding: answer, as: UTF8.self)
    }
}
