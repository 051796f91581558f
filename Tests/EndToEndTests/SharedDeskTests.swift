import Foundation
import Testing
import TestServers

extension EndToEnd {
    /// Three dexter processes on the simulated market share one desk on a real PostgreSQL: one served (tokyo, its
    /// kill switch on the API), two run headless. PostgreSQL is killed and started again mid-run; the desk-wide
    /// daily volume is contested by all three. Every box trades through the outage, the limit is never passed, the
    /// kill switch pulled on tokyo stops the other two, a member added on london is a member on every box, and afterwards the desk holds each box's ledger exactly
    /// (`ledger check --desk`) and every box's audit chain verifies there (`audit verify --desk`).
    @Suite(.serialized) struct SharedDeskTests {
        static let limit = 800_000

        @Test func threeProcessesShareOneDeskThroughAnOutageAndOneKillSwitch() throws {
            let postgres = try LocalPostgres()
            // Short: the served box's socket path must fit a sockaddr_un.
            let data = NSTemporaryDirectory() + "dexter-shared-\(UUID().uuidString.prefix(8))"
            for folder in ["", "/run", "/config"] {
                try FileManager.default.createDirectory(atPath: data + folder, withIntermediateDirectories: true)
            }
            defer { try? FileManager.default.removeItem(atPath: data) }
            let environment = ["XDG_DATA_HOME": data, "XDG_STATE_HOME": data, "XDG_CONFIG_HOME": data + "/config",
                               "XDG_RUNTIME_DIR": data + "/run", "HOME": data]
            let example = try String(contentsOf: Self.root.appendingPathComponent("config.toml.example"), encoding: .utf8)
            let boxes = ["tokyo", "london", "virginia"]
            for box in boxes {
                // The served box approves by policy too (the run boxes by --auto-approve).
                let own = box == "tokyo" ? example.replacingOccurrences(of: "\nenabled = false\nmin_net_usd", with: "\nenabled = true\nmin_net_usd") : example
                try (own + """

                    [desk]
                    postgres_url = "\(postgres.url)"
                    box = "\(box)"
                    daily_volume_usd = "\(Self.limit)"
                    reserve_slice_usd = "100000"
                    var_budget_usd = "50000000"

                    [desk.max_position]
                    ETH = "100000"
                    BTC = "10000"

                    """).write(toFile: "\(data)/\(box).toml", atomically: true, encoding: .utf8)
            }
            func arguments(_ box: String) -> [String] { ["--ledger", "\(data)/\(box).sqlite", "--config", "\(data)/\(box).toml"] }
            let token = try Binary.run(["user", "token", "olga", "--as", "olga"] + arguments("tokyo"), environment: environment)
            #expect(token.status == 0 && token.output.hasPrefix("dxt_"), "\(token.error)")
            let bearer = token.output.trimmingCharacters(in: .whitespacesAndNewlines)

            let served = try Self.start(["serve", "--user", "olga", "--socket", "\(data)/run/tokyo.sock"] + arguments("tokyo"),
                                        output: "\(data)/tokyo.out", environment: environment)
            let runs = try ["london", "virginia"].map { box in
                (box, try Self.start(["run", "--auto-approve", "--events", "--seconds", "45", "--seed", "7"] + arguments(box),
                                     output: "\(data)/\(box).out", environment: environment))
            }
            // Trading starts about 16 s in; PostgreSQL dies at 19 s and is back at 27 s; tokyo's kill switch at 35 s.
            Thread.sleep(forTimeInterval: 19)
            postgres.kill()
            Thread.sleep(forTimeInterval: 8)
            try postgres.start()
            // Olga, tokyo's admin, is the desk's: on london (its running dexter ships the change) she adds bob, making her
            // vault there first.
            Thread.sleep(forTimeInterval: 4)
            let added = try Binary.run(["user", "add", "bob", "--role", "trader", "--as", "olga"] + arguments("london"),
                                       environment: environment,
                                       input: "olga-vault-Passphrase-1\nolga-vault-Passphrase-1\nbob-vault-Passphrase-1\nbob-vault-Passphrase-1\n")
            #expect(added.status == 0, "user add on london: \(added.output) \(added.error)")
            Thread.sleep(forTimeInterval: 4)
            let pulled = Date()
            let halt = try Binary.run(["-s", "-w", "\n%{http_code}", "--max-time", "10", "--unix-socket", "\(data)/run/tokyo.sock",
                                       "-H", "Authorization: Bearer \(bearer)", "-H", "Content-Type: application/json",
                                       "-d", #"{"reason":"desk drill"}"#, "http://localhost/v1/desk/halt"],
                                      executable: "/usr/bin/curl")
            #expect(halt.output.hasSuffix("200"), "POST /v1/desk/halt: \(halt.output)")

            for (box, process) in runs {
                process.waitUntilExit()
                let said = try String(contentsOfFile: "\(data)/\(box).out", encoding: .utf8)
                #expect(process.terminationStatus == 0, "\(box): \(said.suffix(500))")
                let lines = said.split(separator: "\n").map(String.init)
                #expect(lines.contains { $0.contains(#""event":"booked""#) }, "\(box) booked trades")
                // The kill switch reached it from tokyo, and nothing was approved here after it.
                let halted = lines.firstIndex { $0.contains(#""kind":"halted""#) && $0.contains("desk drill") && $0.contains("(desk-wide, from box tokyo)") }
                #expect(halted != nil, "\(box) heard tokyo's kill switch: \(said.suffix(800))")
                if let halted {
                    #expect(!lines[halted...].contains { $0.contains(#""kind":"approved""#) }, "\(box) approved after the halt")
                    if let at = Self.time(of: lines[halted]) {
                        print("kill switch: tokyo's API to \(box)'s engine in \(Int((at.timeIntervalSince(pulled) * 1000).rounded())) ms")
                    }
                }
            }
            served.terminate()
            served.waitUntilExit()
            let servedSaid = try String(contentsOfFile: "\(data)/tokyo.out", encoding: .utf8)
            #expect(served.terminationStatus == 0, "tokyo: \(servedSaid.suffix(500))")

            // Bob is a member on every box, and said so in each box's audit trail.
            for box in ["tokyo", "virginia"] {
                let list = try Binary.run(["user", "list", "--as", "olga"] + arguments(box), environment: environment)
                #expect(list.output.split(separator: "\n").contains { $0.hasPrefix("bob ") && $0.contains("trader") },
                        "\(box): \(list.output) \(list.error)")
            }
            var trades = 0
            for box in boxes {
                let check = try Binary.run(["ledger", "check", "--desk"] + arguments(box), environment: environment)
                #expect(check.status == 0, "\(box): \(check.output) \(check.error)")
                #expect(check.output.contains("desk: box \(box) matches its ledger"), "\(check.output)")
                trades += Int(try postgres.psql("SELECT count(*) FROM desk_trades WHERE box = '\(box)'")) ?? 0
            }
            #expect(trades > 0)
            // The desk's trades are the union of the three ledgers', nothing else.
            #expect(try postgres.psql("SELECT count(*) FROM desk_trades") == String(trades))
            // The three contested one limit: reserved up to it, never past it, and what each box holds is accounted.
            let used = try postgres.psql("SELECT coalesce(sum(used), 0) FROM desk_usage WHERE kind = 'daily_volume_usd'")
            let held = try postgres.psql("SELECT coalesce(sum(granted - returned), 0) FROM desk_grants WHERE kind = 'daily_volume_usd'")
            #expect(Double(used) ?? .infinity <= Double(Self.limit), "reserved \(used) of \(Self.limit)")
            #expect(Double(used) ?? 0 > Double(Self.limit - 100_000), "the limit bound: reserved \(used) of \(Self.limit)")
            #expect(used == held, "the desk's usage \(used) is what its boxes hold, \(held)")
            // The standing caps were held while the boxes traded and handed back by each clean stop.
            let caps = try postgres.psql("SELECT string_agg(kind || '=' || used::text, ' ' ORDER BY kind) FROM desk_usage WHERE day = 'infinity'")
            #expect(caps.contains("position:ETH="), "\(caps)")
            #expect(try postgres.psql("SELECT count(*) FROM desk_usage WHERE day = 'infinity' AND used <> 0") == "0", "standing holds left: \(caps)")
            #expect(Int(try postgres.psql("SELECT count(*) FROM desk_grants WHERE day = 'infinity' AND granted > 0")) ?? 0 > 0, "the boxes held caps")
            print("desk-wide daily volume: reserved $\(used) of $\(Self.limit); booked $\(try postgres.psql("SELECT sum(notional_usd) FROM desk_trades")) in \(trades) fills")

            let verify = try Binary.run(["audit", "verify", "--desk", "--config", "\(data)/tokyo.toml"], environment: environment)
            #expect(verify.status == 0, "\(verify.output) \(verify.error)")
            #expect(verify.output.contains("desk: 3 box(es), every audit trail intact"), "\(verify.output)")
            // A desk that cannot be reached is said plainly, with the URL but never a password.
            let away = "\(data)/away.toml"
            try (example + "\n[desk]\npostgres_url = \"postgresql://dexter:hunter2@/desk?host=\(data)/nowhere\"\nbox = \"tokyo\"\n")
                .write(toFile: away, atomically: true, encoding: .utf8)
            let unreachable = try Binary.run(["audit", "verify", "--desk", "--config", away], environment: environment)
            #expect(unreachable.status != 0)
            #expect(unreachable.error.contains("could not be read") && !unreachable.error.contains("hunter2"), "\(unreachable.error)")
        }

        /// Starts dexter with stdout and stderr to a file (a pipe left unread would fill and stall it).
        static func start(_ arguments: [String], output: String, environment: [String: String]) throws -> Process {
            _ = FileManager.default.createFile(atPath: output, contents: nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Binary.dexter)
            process.arguments = arguments
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            let file = FileHandle(forWritingAtPath: output)
            process.standardOutput = file
            process.standardError = file
            process.standardInput = FileHandle.nullDevice
            try process.run()
            return process
        }

        /// The "at" of an NDJSON event line.
        static func time(of line: String) -> Date? {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let at = object["at"] as? String else { return nil }
            let format = ISO8601DateFormatter()
            format.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return format.date(from: at)
        }

        static var root: URL {
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        }
    }
}
