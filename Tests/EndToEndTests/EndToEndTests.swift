import Foundation
import GRDB
import Testing

extension EndToEnd {
    /// The real binary in a real terminal, as a trader uses it.
    @Suite(.serialized) struct EndToEndTests {
        let data = NSTemporaryDirectory() + "dexter-e2e-\(UUID().uuidString)"

        var environment: [String: String] { ["XDG_DATA_HOME": data, "XDG_CONFIG_HOME": data + "/config", "HOME": data] }
        var ledgerPath: String { data + "/dexter/sim.sqlite" }

        func tradeCount() throws -> Int {
            guard FileManager.default.fileExists(atPath: ledgerPath) else { return 0 }
            return try DatabaseQueue(path: ledgerPath).read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM trades") ?? 0 }
        }

        func arbitrageCount() throws -> Int {
            guard FileManager.default.fileExists(atPath: ledgerPath) else { return 0 }
            return try DatabaseQueue(path: ledgerPath).read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM arbitrages") ?? 0 }
        }

        /// Start on the embedded market, wait for an opportunity, approve it with keys, quit, and find the trade in
        /// the SQLite file.
        @Test func approveATradeWithKeysAndFindItInTheLedger() throws {
            let tmux = Tmux(name: "dexter-e2e")
            defer { tmux.kill() }
            try tmux.start("'\(Binary.dexter)' --seed 7", environment: environment)
            try tmux.waitFor("the SIM screen") { $0.contains("SIM") && $0.contains("Opportunities") }
            var booked = 0
            for _ in 1...8 where try tradeCount() == 0 {
                guard let screen = try tmux.approveSelected(), screen.contains("Approve?") else { continue }
                #expect(screen.contains("Re-priced on the market now"))
                #expect(screen.contains("y confirm and send"))
                let before = try arbitrageCount()
                try tmux.keys("y")
                // Done is shown only after the commit: the arbitrage is in the file by the time the screen says so.
                let deadline = Date().addingTimeInterval(30)
                while try arbitrageCount() == before, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
                booked = try arbitrageCount()
                // The arbitrage, and its unwind when a leg came back short.
                #expect(booked == before + 1 || booked == before + 2)
                // The outcome on screen: the booking's line, or, when a leg came back short, its correction's after it;
                // or, once a later notice has taken the status line (a small screen shows no log), the P&L panel's
                // count of the arbitrages booked.
                try tmux.waitFor("the outcome on screen") {
                    ($0.contains("realised $") && ($0.contains("vs est.") || $0.contains("unwind of"))) || $0.contains("arbs \(booked) ")
                }
            }
            #expect(booked > 0)
            #expect(try tradeCount() > 0, "no approval filled in 8 attempts")
            let screen = try tmux.screen()
            #expect(screen.contains("realised"))
            try tmux.keys("q")
            let after = try tmux.waitFor("dexter to exit") { $0.contains("EXIT=") }
            #expect(after.contains("EXIT=0"))
            #expect(try tmux.alternateScreenOn() == false, "the terminal is given back")

            // The trade is in the SQLite file, and the CLI lists it.
            let rows = try DatabaseQueue(path: ledgerPath).read { db in
                try Row.fetchAll(db, sql: "SELECT exchange, pair, side, amount, price, fee, profit_usd, created_at, user FROM trades")
            }
            #expect(!rows.isEmpty)
            for row in rows {
                #expect((row["amount"] as String).allSatisfy { $0.isNumber || $0 == "." })
                #expect(["buy", "sell"].contains(row["side"] as String))
            }
            let listing = try Binary.run(["ledger", "trades"], environment: environment)
            #expect(listing.status == 0)
            #expect(listing.output.contains(rows[0]["exchange"] as String))
            #expect(try DatabaseQueue(path: ledgerPath).read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") } == "ok")
        }

        /// `c` moves the selection onto the cycles under the table; a cycle is approved with the same keys as a
        /// pair, goes leg by leg, and is booked as one arbitrage under its path.
        @Test func approveACycleWithKeysAndFindItInTheLedger() throws {
            let tmux = Tmux(name: "dexter-e2e-cycle")
            defer { tmux.kill() }
            try tmux.start("'\(Binary.dexter)' --seed 7", environment: environment)
            try tmux.waitFor("the SIM screen") { $0.contains("SIM") && $0.contains("Opportunities") }
            try tmux.keys("c")
            var approved = false
            let before = try arbitrageCount()
            /// Waits for a booking, or until `refused` says this approval will not bring one.
            func booked(unless refused: () throws -> Bool) throws -> Bool {
                let deadline = Date().addingTimeInterval(60)
                while try arbitrageCount() == before, Date() < deadline {
                    if try refused() { break }
                    Thread.sleep(forTimeInterval: 0.1)
                }
                return try arbitrageCount() > before
            }
            for attempt in 1...8 where !approved {
                try tmux.waitFor("a selected cycle (attempt \(attempt))", timeout: 90) { screen in
                    screen.split(separator: "\n").contains { $0.contains("▶") && $0.contains("@") && $0.contains("→") }
                }
                // The refusal of this very cycle: an earlier one's stays in the log panel.
                guard let screen = try tmux.approveSelected(confirmation: "Approve cycle?") else { continue }
                guard screen.contains("Approve cycle?") else {
                    // An earlier approval of this cycle is still executing: its booking is the one to wait for.
                    if screen.contains("still in flight") { approved = try booked { false } }
                    continue
                }
                #expect(screen.contains("Re-priced on the market now") && screen.contains("1. ") && screen.contains("3. "))
                // "Cycle c3 USDT→…": the id the confirmation is for.
                let id = screen.range(of: "Cycle c").map { String(screen[$0.upperBound...].prefix { $0.isNumber }) } ?? "?"
                try tmux.keys("y")
                // Booked, or refused on the market as it is when confirmed (then the next attempt, not a minute's
                // wait). Progress lines (approved, a leg sold back) are not refusals.
                let refusals = ["no longer profitable", "blocked by screening", "still in flight", "is stale", "halted",
                                "cancelled", "dropped", "nothing was sent", "is down", "rejected"]
                approved = try booked {
                    try tmux.screen().split(separator: "\n").contains { line in
                        line.contains("cycle #\(id) ") && refusals.contains { line.contains($0) }
                    }
                }
            }
            #expect(approved, "no cycle could be approved in 8 attempts")
            let paths = try DatabaseQueue(path: ledgerPath).read { db in
                try String.fetchAll(db, sql: "SELECT pair FROM arbitrages WHERE kind = 'arbitrage'")
            }
            #expect(paths.contains { $0.split(separator: "→").count >= 4 }, "booked under the cycle's path: \(paths)")
            try tmux.keys("q")
            _ = try tmux.waitFor("dexter to exit") { $0.contains("EXIT=") }
        }

        @Test func ctrlCSigtermAndACrashGiveTheTerminalBack() throws {
            for (name, stop) in [("ctrl-c", "C-c"), ("sigterm", "TERM"), ("crash", "SEGV")] {
                let tmux = Tmux(name: "dexter-\(name)")
                defer { tmux.kill() }
                try tmux.start("'\(Binary.dexter)' --seed 3", environment: environment)
                try tmux.waitFor("the SIM screen") { $0.contains("Opportunities") }
                #expect(try tmux.alternateScreenOn())
                if stop == "C-c" {
                    try tmux.keys(stop)
                } else {
                    let pid = try Binary.shell("pgrep -P \(try tmux.panePID())")
                    _ = try Binary.shell("kill -\(stop) \(pid)")
                }
                let after = try tmux.waitFor("dexter to exit on \(name)") { $0.contains("EXIT=") }
                // A crash still dies of its signal (139 = 128 + SIGSEGV), after putting the terminal back.
                #expect(after.contains(stop == "SEGV" ? "EXIT=139" : "EXIT=0"), "\(name): \(after)")
                #expect(try tmux.alternateScreenOn() == false, "\(name) leaves the terminal in the alternate screen")
            }
        }

        @Test func followsAResizeAndWorksAt80x24() throws {
            let tmux = Tmux(name: "dexter-resize")
            defer { tmux.kill() }
            try tmux.start("'\(Binary.dexter)' --seed 2", environment: environment)
            let small = try tmux.waitFor("the 80×24 screen") { $0.contains("Opportunities") && $0.contains("q quit") }
            let lines = small.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.first?.contains("SIM") == true)
            #expect(lines.allSatisfy { $0.count <= 80 })
            try tmux.resize(width: 120, height: 40)
            try tmux.waitFor("the 120×40 screen") { screen in
                screen.split(separator: "\n").first { $0.hasPrefix("┌─ 1 Opportunities") }.map { $0.count == 120 } ?? false
            }
            try tmux.keys("?")
            try tmux.waitFor("the help screen") { $0.contains("Keys") && $0.contains("approve") }
            try tmux.keys("q")
            try tmux.keys("q")
            try tmux.waitFor("dexter to exit") { $0.contains("EXIT=0") }
        }

        @Test func withoutATerminalItSaysSoAndPointsToScan() throws {
            let result = try Binary.run([], environment: environment)
            #expect(result.status == 2)
            #expect(result.error.contains("needs a terminal"))
            #expect(result.error.contains("dexter scan --json"))
        }

        @Test func scanStreamsDeterministicNDJSON() throws {
            let first = try Binary.run(["scan", "--json", "--fast", "--seconds", "30", "--seed", "11"], environment: environment)
            #expect(first.status == 0)
            let lines = first.output.split(separator: "\n")
            #expect(!lines.isEmpty)
            var opportunities = 0
            for line in lines {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                let event = try #require(object["event"] as? String)
                #expect(["new", "update", "gone", "cycles"].contains(event))
                if event == "gone" { continue }
                if event == "cycles" {
                    // The best cycles now: each of 3+ legs, closed, with exact amounts.
                    for cycle in try #require(object["cycles"] as? [[String: Any]]) {
                        let legs = try #require(cycle["legs"] as? [[String: Any]])
                        #expect(legs.count >= 3 && legs.first?["from"] as? String == legs.last?["to"] as? String)
                        #expect(cycle["net_usd"] is String && cycle["route"] is String)
                    }
                    continue
                }
                opportunities += 1
                for key in ["id", "pair", "legs", "gross", "fees", "gas", "slippage", "net", "net_bps", "expires_at"] {
                    #expect(object[key] != nil, "missing \(key)")
                }
                #expect(object["net"] is String, "amounts are exact strings")
                let legs = try #require(object["legs"] as? [[String: Any]])
                #expect(legs.count == 2 && legs[0]["side"] as? String == "buy" && legs[1]["side"] as? String == "sell")
                for leg in legs { #expect(leg["quote_age_ms"] != nil && leg["average_price"] != nil) }
            }
            #expect(opportunities > 0)
            // The same seed streams the same opportunities (times aside).
            let second = try Binary.run(["scan", "--json", "--fast", "--seconds", "30", "--seed", "11"], environment: environment)
            func strip(_ text: String) -> [String] {
                text.split(separator: "\n").map { line in
                    String(line).replacing(/"(detected_at|expires_at|venue_time|received_at)":"[^"]*"/, with: "")
                }
            }
            #expect(strip(first.output) == strip(second.output))
        }

        @Test func everyCommandHasHelp() throws {
            for command in [[], ["watch"], ["scan"], ["ledger"], ["ledger", "trades"]] {
                let result = try Binary.run(command + ["--help"], environment: environment)
                #expect(result.status == 0, "\(command)")
                #expect(result.output.contains("USAGE: dexter"), "\(command)")
            }
        }

        @Test func aBadConfigNamesKeyAndLine() throws {
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
            let path = data + "/bad.toml"
            let example = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("config.toml.example"), encoding: .utf8)
            #expect(example.contains("[limits]\n# Largest notional of one trade, in USD. Detection sizes opportunities within it.\nmax_notional_usd = \"25000\""))
            try example.replacingOccurrences(of: "sizes opportunities within it.\nmax_notional_usd = \"25000\"",
                                             with: "sizes opportunities within it.\nmax_notional_usd = 25000")
                .write(toFile: path, atomically: true, encoding: .utf8)
            let result = try Binary.run(["scan", "--config", path, "--seconds", "1"], environment: environment)
            #expect(result.status != 0)
            #expect(result.error.contains("\(path):"), "\(result.error)")
            #expect(result.error.contains("limits.max_notional_usd: expected a decimal string like \"25000\", found 25000 (an integer)"))
        }
    }
}

extension Binary {
    static func shell(_ command: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
