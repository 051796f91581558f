import Foundation
import GRDB
import Testing
#if canImport(Glibc)
import Glibc
#endif

extension EndToEnd {
    /// A desk run as a service (dexter serve) with its members' screens attached (dexter attach), each in a real
    /// terminal: each screen is its member's, with their role checked by the engine; quitting a screen leaves the
    /// desk running; stopping the desk says who was attached and tells their screens; tokens open only their own
    /// member's screen, and only while live.
    @Suite(.serialized) struct ServeAttachTests {
        /// Short: the socket's path must fit a sockaddr_un (108 bytes).
        let data = NSTemporaryDirectory() + "dexter-serve-\(UUID().uuidString.prefix(8))"
        var environment: [String: String] {
            ["XDG_DATA_HOME": data + "/data", "XDG_STATE_HOME": data + "/state", "XDG_CONFIG_HOME": data + "/config",
             "XDG_RUNTIME_DIR": data + "/run", "HOME": data, "NO_COLOR": ""]
        }
        var socket: String { data + "/run/dexter/sim.sock" }
        var ledger: String { data + "/data/dexter/sim.sqlite" }
        let admin = "olga"
        let adminPassphrase = "olga-vault-Passphrase-1"

        func dexter(_ arguments: [String], input: String? = nil) throws -> (status: Int32, output: String, error: String) {
            try Binary.run(arguments, environment: environment, input: input)
        }

        /// The admin (the desk's first start, with a vault) and `members` (name, role), each with a saved token.
        func makeDesk(_ members: [(String, String)]) throws {
            for folder in ["data", "state", "config", "run"] {
                try FileManager.default.createDirectory(atPath: data + "/" + folder, withIntermediateDirectories: true)
            }
            let first = try dexter(["user", "list", "--as", admin])
            #expect(first.status == 0 && first.output.contains("\(admin)          admin+trade"), "\(first.error)")
            let wallet = try dexter(["wallet", "new", "desk", "--user", admin], input: "\(adminPassphrase)\n\(adminPassphrase)\n")
            #expect(wallet.status == 0, "\(wallet.error)")
            for (name, role) in members {
                let added = try dexter(["user", "add", name, "--role", role, "--as", admin],
                                       input: "\(name)-vault-Passphrase\n\(name)-vault-Passphrase\n")
                #expect(added.status == 0, "\(added.error)")
            }
            for name in [admin] + members.map(\.0) {
                let token = try dexter(["user", "token", name, "--save", "--as", admin])
                #expect(token.status == 0 && token.output.hasPrefix("dxt_"), "\(token.error)")
            }
        }

        func token(_ name: String) throws -> String {
            try String(contentsOfFile: data + "/config/dexter/tokens/\(name)", encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// curl on the desk's socket: the status code and the body.
        func curl(_ path: String, as member: String? = nil) throws -> (code: Int, body: String) {
            var arguments = ["-s", "-w", "\n%{http_code}", "--max-time", "10", "--unix-socket", socket]
            if let member { arguments += ["-H", "Authorization: Bearer \(try token(member))"] }
            let result = try Binary.run(arguments + ["http://localhost\(path)"], executable: "/usr/bin/curl")
            var lines = result.output.split(separator: "\n", omittingEmptySubsequences: false)
            let code = Int(lines.popLast() ?? "") ?? 0
            return (code, lines.joined(separator: "\n"))
        }

        /// The audit trail as the API serves it, oldest first.
        func audit() throws -> [(action: String, user: String, detail: String)] {
            let answer = try curl("/v1/audit", as: admin)
            #expect(answer.code == 200, "GET /v1/audit: \(answer.body)")
            let entries = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [[String: Any]] ?? []
            return entries.map { ($0["action"] as? String ?? "", $0["user"] as? String ?? "", $0["detail"] as? String ?? "") }
        }

        func arbitrages(by user: String) throws -> Int {
            guard FileManager.default.fileExists(atPath: ledger) else { return 0 }
            return try DatabaseQueue(path: ledger).read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM arbitrages WHERE user = ?", arguments: [user]) ?? 0
            }
        }

        func statusBar(_ screen: String) -> String { String(screen.split(separator: "\n").first ?? "") }

        func messageLine(_ screen: String) -> String {
            let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
            return lines.count >= 3 ? String(lines[lines.count - 3]) : ""
        }

        /// A member's screen in its own terminal.
        func attach(_ name: String, extra: String = "") throws -> Tmux {
            let tmux = Tmux(name: "dexter-attach-\(name)")
            try tmux.start("'\(Binary.dexter)' attach --user \(name)\(extra)", width: 140, height: 40, environment: environment)
            return tmux
        }

        @Test func membersShareOneDeskEachWithTheirOwnScreenAndRole() throws {
            defer { try? FileManager.default.removeItem(atPath: data) }
            try makeDesk([("tina", "trader"), ("ann", "analyst"), ("rick", "risk-manager")])

            // The desk, headless, as its admin: the vault's passphrase on a pipe, never an argument.
            let desk = try ServedDesk(environment: environment, folder: data, passphrase: adminPassphrase, user: admin)
            defer { desk.kill() }
            let listening = try desk.waitFor("listening")
            #expect(listening["address"] as? String == "unix:" + socket)
            let attributes = try FileManager.default.attributesOfItem(atPath: socket)
            #expect(attributes[.type] as? FileAttributeType == .typeSocket)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600, "the socket is open to others: \(attributes)")

            // Three screens at once, each its member's, with their role.
            let trader = try attach("tina"), analyst = try attach("ann"), risk = try attach("rick")
            defer { for screen in [trader, analyst, risk] { screen.kill() } }
            for (screen, said) in [(trader, "user tina Trader"), (analyst, "user ann Analyst"), (risk, "user rick RiskManager")] {
                let shown = try screen.waitFor("\(said) on the status bar") { statusBar($0).contains(said) && $0.contains("1 Opportunities") }
                #expect(!shown.contains("user \(admin)"))
            }
            let attached = try curl("/v1/desk", as: admin)
            for name in ["tina", "ann", "rick"] { #expect(attached.body.contains("\"name\" : \"\(name)\""), "\(attached.body)") }

            // The analyst's approve is refused by the engine, in their words, and audited; nothing is approved.
            var analystScreens = [try press("a", on: analyst, until: "the analyst's refusal") {
                messageLine($0).contains("refused: approve needs the Trader role (ann is Analyst)")
            }]
            #expect(analystScreens.contains { messageLine($0).contains("refused: approve needs the Trader role (ann is Analyst)") })
            #expect(!analystScreens.contains { $0.contains("Approve?") })
            #expect(try audit().contains { $0.action == "refused" && $0.user == "ann" && $0.detail.contains("approve needs the Trader role") })

            // The trader approves with keys; the booking is the trader's. Only the trader sees the confirmation.
            for _ in 1...10 where try arbitrages(by: "tina") == 0 {
                guard let screen = try trader.approveSelected() else { continue }
                guard screen.contains("Approve?") else {
                    if screen.contains("still in flight") { try settle { try arbitrages(by: "tina") > 0 } }
                    continue
                }
                #expect(statusBar(screen).contains("user tina Trader"))
                analystScreens.append(try analyst.screen())
                try trader.keys("y")
                try settle { try arbitrages(by: "tina") > 0 }
            }
            #expect(try arbitrages(by: "tina") > 0, "the trader's approval was never booked")
            #expect(try arbitrages(by: "ann") == 0 && arbitrages(by: "rick") == 0)
            let traded = try DatabaseQueue(path: ledger).read { db in
                try String.fetchAll(db, sql: "SELECT DISTINCT user FROM trades")
            }
            #expect(traded == ["tina"], "trades booked as \(traded)")
            #expect(!analystScreens.contains { $0.contains("Approve?") }, "the analyst saw the trader's confirmation")
            #expect(!(try audit().contains { $0.action == "approve" && $0.user != "tina" }))

            // The risk manager pulls the kill switch: every screen shows HALTED, and the trader's approve is refused.
            try risk.keys("K")
            try risk.waitFor("the kill switch's confirmation") { $0.contains("Halt all trading now?") }
            try risk.keys("y")
            for screen in [trader, analyst, risk] {
                try screen.waitFor("HALTED on every screen") { statusBar($0).contains("HALTED") }
            }
            let halted = try audit()
            #expect(halted.contains { $0.action == "halt" && $0.user == "rick" })
            let refusal = messageLine(try press("a", on: trader, until: "the trader's refusal while halted") {
                messageLine($0).contains("trading is halted")
            })
            #expect(refusal.contains("trading is halted (kill switch pulled by rick)"), "\(refusal)")
            #expect(try audit().count(where: { $0.action == "approve" }) == halted.count(where: { $0.action == "approve" }))

            // The trader quits: that screen detaches, the desk runs on for the others.
            try trader.keys("q")
            let left = try trader.waitFor("the trader's screen to exit") { $0.contains("EXIT=") }
            #expect(left.contains("detached; the desk runs on") && left.contains("EXIT=0"), "\(left)")
            #expect(desk.isRunning)
            let before = statusBar(try analyst.screen())
            try analyst.waitFor("the analyst's screen still updating") { statusBar($0) != before }
            let health = try curl("/health")
            #expect(health.code == 200 && health.body.contains("ok"), "\(health)")
            let still = try curl("/v1/desk", as: admin)
            #expect(still.body.contains("\"name\" : \"ann\"") && still.body.contains("\"name\" : \"rick\"")
                && !still.body.contains("\"name\" : \"tina\""), "\(still.body)")

            // SIGTERM: the desk says who is attached, tells their screens, removes its socket and stops.
            let status = try desk.terminate()
            #expect(status == 0, "dexter serve exited \(status): \(desk.errors)")
            let stopping = try desk.waitFor("stopping", timeout: 1)
            #expect(stopping["reason"] as? String == "SIGTERM")
            #expect(Set(stopping["attached"] as? [String] ?? []) == ["ann", "rick"], "\(stopping)")
            #expect((stopping["attached"] as? [String])?.count == 2)
            _ = try desk.waitFor("stopped", timeout: 1)
            for screen in [analyst, risk] {
                let last = try screen.waitFor("the screen told the desk is stopping") { $0.contains("EXIT=") }
                #expect(last.contains("the desk is stopping"), "\(last)")
            }
            #expect(!FileManager.default.fileExists(atPath: socket), "the socket outlived the desk")
            let check = try dexter(["ledger", "check", "--ledger", ledger])
            #expect(check.output == "ok\n", "\(check.output)\(check.error)")
            #expect(try dexter(["audit", "verify", "--ledger", ledger]).status == 0)
        }

        @Test func aTokenOpensOnlyItsOwnMembersScreenAndOnlyWhileLive() throws {
            defer { try? FileManager.default.removeItem(atPath: data) }
            try makeDesk([("tina", "trader"), ("ann", "analyst")])
            let desk = try ServedDesk(environment: environment, folder: data, passphrase: adminPassphrase, user: admin)
            defer { desk.kill() }
            _ = try desk.waitFor("listening")

            // A screen open when its member's token is revoked: its next key detaches it, and acts on nothing.
            let trader = try attach("tina")
            defer { trader.kill() }
            try trader.waitFor("the trader's screen") { statusBar($0).contains("user tina Trader") }
            let revoked = try dexter(["user", "token", "tina", "--revoke", "--as", admin])
            #expect(revoked.status == 0 && revoked.output.contains("revoked tina's token"), "\(revoked.error)")
            let cut = try press("a", on: trader, until: "the revoked screen to exit or approve") {
                $0.contains("EXIT=") || $0.contains("Approve?")
            }
            #expect(cut.contains("EXIT="), "a screen whose token was revoked still acts as its member")
            #expect(cut.contains("token is no longer live"), "\(cut)")
            if !cut.contains("EXIT=") { try trader.keys("Escape") }

            // The revoked token (still saved where attach looks) opens nothing, and says why.
            let again = try attach("tina")
            defer { again.kill() }
            let refused = try again.waitFor("the revoked token refused") { $0.contains("EXIT=") }
            #expect(!refused.contains("EXIT=0"), "\(refused)")
            #expect(refused.contains("not a live token of tina's"), "\(refused)")

            // Another member's token (live) does not open this member's screen.
            let borrowed = try attach("tina", extra: " --token-file '\(data)/config/dexter/tokens/ann'")
            defer { borrowed.kill() }
            let notHers = try borrowed.waitFor("another member's token refused") { $0.contains("EXIT=") }
            #expect(!notHers.contains("EXIT=0") && notHers.contains("refused tina's screen"), "\(notHers)")
            #expect(!notHers.contains("user tina") && !notHers.contains("user ann"))
            // Ann's own token still opens ann's screen.
            let analyst = try attach("ann")
            defer { analyst.kill() }
            try analyst.waitFor("the analyst's screen") { statusBar($0).contains("user ann Analyst") }

            #expect(try desk.terminate() == 0, "\(desk.errors)")
            #expect(Set(try desk.waitFor("stopping", timeout: 1)["attached"] as? [String] ?? []) == ["ann"])
            #expect(try arbitrages(by: "tina") == 0)
        }

        /// Presses `key` with an opportunity listed until the screen shows `outcome`: a row can vanish between the frame
        /// read and the key reaching the desk ("nothing to approve"), so a key that found nothing is pressed again.
        func press(_ key: String, on screen: Tmux, until what: String, _ outcome: (String) -> Bool) throws -> String {
            var last = ""
            for _ in 1...20 {
                last = try screen.waitFor("an opportunity listed", timeout: 90) { $0.contains("▶") || outcome($0) }
                if outcome(last) { return last }
                try screen.keys(key)
                let deadline = Date().addingTimeInterval(3)
                repeat {
                    last = try screen.screen()
                    if outcome(last) { return last }
                    Thread.sleep(forTimeInterval: 0.1)
                } while Date() < deadline
            }
            throw TmuxTimeout(what: what, screen: last)
        }

        /// Waits until `done` or 30 s: an approval's outcome has no line of its own that an earlier one's could not pass for.
        func settle(_ done: () throws -> Bool) throws {
            let deadline = Date().addingTimeInterval(30)
            while try !done(), Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        }
    }
}

/// `dexter serve` as a supervisor runs it: the passphrase on its stdin (--passphrase-fd 0), its NDJSON on stdout.
final class ServedDesk {
    let process = Process()
    let output: String
    let errorPath: String

    init(environment: [String: String], folder: String, passphrase: String, user: String) throws {
        output = folder + "/serve.out"
        errorPath = folder + "/serve.err"
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: Binary.dexter)
        process.arguments = ["serve", "--user", user, "--passphrase-fd", "0"]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.standardOutput = FileHandle(forWritingAtPath: output)
        process.standardError = FileHandle(forWritingAtPath: errorPath)
        let input = Pipe()
        process.standardInput = input
        try process.run()
        input.fileHandleForWriting.write(Data((passphrase + "\n").utf8))
        try input.fileHandleForWriting.close()
    }

    var isRunning: Bool { process.isRunning }
    var errors: String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }

    var events: [[String: Any]] {
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// The first line of stdout whose "event" is `name`.
    func waitFor(_ name: String, timeout: Double = 60) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if let event = events.first(where: { $0["event"] as? String == name }) { return event }
            if !process.isRunning, !events.contains(where: { $0["event"] as? String == name }) { break }
            Thread.sleep(forTimeInterval: 0.1)
        } while Date() < deadline
        if let event = events.first(where: { $0["event"] as? String == name }) { return event }
        throw ServeTimeout(event: name, output: (try? String(contentsOfFile: output, encoding: .utf8)) ?? "", errors: errors)
    }

    /// SIGTERM, then its exit status.
    func terminate() throws -> Int32 {
        Glibc.kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        return process.terminationStatus
    }

    func kill() {
        if process.isRunning {
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

struct ServeTimeout: Error, CustomStringConvertible {
    let event: String
    let output: String
    let errors: String
    var description: String { "dexter serve never printed \"\(event)\"; stdout:\n\(output)\nstderr:\n\(errors)" }
}
