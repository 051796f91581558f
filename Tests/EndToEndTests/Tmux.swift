import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A real terminal: the binary runs in a tmux session; the test types keys and reads the screen.
struct Tmux {
    let session: String
    let socket: String

    init(name: String) {
        session = name
        socket = NSTemporaryDirectory() + "dexter-tmux-\(UUID().uuidString.prefix(8))"
    }

    /// Runs a tmux command through the shell and returns what it printed. `system` waits for the tmux client
    /// only; the server that `new-session` forks holds no pipe of ours, so nothing waits on it.
    @discardableResult
    func run(_ arguments: [String]) throws -> String {
        let output = NSTemporaryDirectory() + "dexter-tmux-out-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let quoted = (["tmux", "-S", socket] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        _ = system(quoted.joined(separator: " ") + " </dev/null >'\(output)' 2>&1")
        return (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
    }

    func start(_ command: String, width: Int = 80, height: Int = 24, environment: [String: String],
               term: String = "xterm-256color") throws {
        let exports = environment.map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
        // The shell stays after dexter exits (and ignores Ctrl-C itself), so the test can read dexter's exit code
        // and the restored screen.
        try run(["new-session", "-d", "-s", session, "-x", "\(width)", "-y", "\(height)",
                 "env \(exports) TERM=\(term) LANG=C.UTF-8 sh -c \"trap '' INT; \(command); echo EXIT=\\$?; sleep 120\""])
    }

    func screen() throws -> String { try run(["capture-pane", "-p", "-t", session]) }

    func keys(_ keys: String...) throws { try run(["send-keys", "-t", session] + keys) }

    func resize(width: Int, height: Int) throws {
        try run(["resize-window", "-t", session, "-x", "\(width)", "-y", "\(height)"])
    }

    func alternateScreenOn() throws -> Bool {
        try run(["display-message", "-p", "-t", session, "#{alternate_on}"]).trimmingCharacters(in: .whitespacesAndNewlines) == "1"
    }

    func panePID() throws -> Int32 {
        Int32(try run(["display-message", "-p", "-t", session, "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    /// Polls the screen until `predicate` holds, or fails after `timeout` seconds with the last screen.
    @discardableResult
    func waitFor(_ what: String, timeout: Double = 20, _ predicate: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try screen()
            if predicate(last) { return last }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let timeout = TmuxTimeout(what: what, screen: last)
        // Also on stderr, plainly: the test report has been seen to drop an issue whose text came from a screen.
        FileHandle.standardError.write(Data("tmux \(session): \(timeout)\n".utf8))
        throw timeout
    }

    func kill() { _ = try? run(["kill-server"]) }

    /// Presses `key` (approve) on the selected opportunity (or cycle) and waits for its confirmation, or for the
    /// refusal of that very one: a refusal of an earlier one stays in the log panel and must not pass for this one's.
    /// Nil when nothing is selected.
    @discardableResult
    func approveSelected(key: String = "a", confirmation: String = "Approve?") throws -> String? {
        let before = try waitFor("an opportunity selected", timeout: 90) { $0.contains("▶") }
        guard let id = Self.selectedOpportunity(before) else { return nil }
        try keys(key)
        // A row that vanished before the key reached it (crosses and cycles last fractions of a second) leaves
        // nothing selected and nothing said: the caller tries the next one.
        return try waitFor("#\(id)'s confirmation or its refusal") { screen in
            screen.contains(confirmation) || screen.contains("nothing to approve") || !screen.contains("▶")
                || screen.split(separator: "\n").contains { line in
                    line.contains("#\(id) ") && (line.contains("no longer profit") || line.contains("is gone") || line.contains("is stale")
                        || line.contains("still in flight"))
                }
        }
    }

    /// The id of the selected row: an opportunity's ("│▶  7 ETH/USDT …") or a cycle's ("▶  c3 USDT→…").
    static func selectedOpportunity(_ screen: String) -> String? {
        guard let line = screen.split(separator: "\n").first(where: { $0.contains("▶") }),
              let marker = line.range(of: "▶") else { return nil }
        var rest = line[marker.upperBound...].drop { $0 == " " }
        if rest.first == "c" { rest = rest.dropFirst() }
        let id = rest.prefix { $0.isNumber }
        return id.isEmpty ? nil : String(id)
    }
}

/// Every end-to-end suite runs inside this one, one suite at a time: they start real processes and terminals, and
/// timing-sensitive screens should not compete with a hundred crash-test processes for two cores.
@Suite(.serialized) enum EndToEnd {}

struct TmuxTimeout: Error, CustomStringConvertible {
    let what: String
    let screen: String
    /// Printable characters only: a stray control character in a captured screen can swallow the test report.
    var description: String {
        "timed out waiting for \(what); the screen was:\n"
            + String(screen.unicodeScalars.filter { $0 == "\n" || $0.value >= 0x20 && $0.value != 0x7f }.map(Character.init))
    }
}

/// config.toml.example without its venues, balances, wallets and simulator market: the rest of a desk (limits,
/// risk, keys), for a test to add the live venues it starts.
enum ExampleConfig {
    static func withoutVenues() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let example = try String(contentsOf: root.appendingPathComponent("config.toml.example"), encoding: .utf8)
        let dropped = ["[venues", "[balances", "[sim.venues", "[sim.assets", "[sim.chains", "[chains", "[leg_risk.routes",
                       "[wallets", "[[wallets", "[[sim"]
        var kept: [Substring] = []
        var keeping = true
        for line in example.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("[") { keeping = !dropped.contains { line.hasPrefix($0) } }
            if keeping { kept.append(line) }
        }
        return kept.joined(separator: "\n")
    }
}

enum Binary {
    /// The dexter built beside this test bundle (.build/<triple>/debug/dexter).
    static var dexter: String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidates = [
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("dexter").path,
            root.appendingPathComponent(".build/debug/dexter").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[1]
    }

    /// Runs dexter (or another program) to completion without a terminal.
    static func run(_ arguments: [String], environment: [String: String] = [:], input: String? = nil,
                    executable: String? = nil) throws -> (status: Int32, output: String, error: String)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable ?? dexter)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        let inputPipe = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : inputPipe
        try process.run()
        if let input {
            inputPipe.fileHandleForWriting.write(Data(input.utf8))
            try inputPipe.fileHandleForWriting.close()
        }
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }
}
