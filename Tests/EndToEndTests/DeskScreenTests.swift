import Foundation
import Testing

extension EndToEnd {
    /// The desk as a trader drives it, in a real terminal: panels, keys, the command line, themes, the kill switch,
    /// the mouse, a stale opportunity, and keys rebound in config.
    @Suite(.serialized) struct DeskScreenTests {
        let data = NSTemporaryDirectory() + "dexter-desk-\(UUID().uuidString)"
        /// NO_COLOR emptied: a test runner may set it, and these tests look at colours.
        var environment: [String: String] {
            ["XDG_DATA_HOME": data, "XDG_STATE_HOME": data + "/state", "XDG_CONFIG_HOME": data + "/config", "HOME": data,
             "NO_COLOR": ""]
        }

        static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config.toml.example")

        /// config.toml.example with `replacements` applied; each must match, so the test fails loudly if the example moves.
        func config(_ name: String, _ replacements: [(String, String)]) throws -> String {
            var text = try String(contentsOf: Self.example, encoding: .utf8)
            for (old, new) in replacements {
                #expect(text.contains(old), "config.toml.example no longer has \(old)")
                text = text.replacingOccurrences(of: old, with: new)
            }
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
            let path = data + "/\(name).toml"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        func messageLine(_ screen: String) -> String {
            let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
            return lines.count >= 3 ? String(lines[lines.count - 3]) : ""
        }

        /// Seed 2 has an okx→binance SOL/USDT cross from 10.0 s to 10.5 s of market time (found with `dexter scan --json
        /// --fast --seed 2`, whose `market_seconds` is the same clock). Every feed drops at 10.2 s: the cross is still on
        /// screen when its quotes pass their 3 s bound, so it shows stale, and the approve key is refused with the reason.
        @Test func aStaleOpportunityIsDimmedAndCannotBeApproved() throws {
            defer { try? FileManager.default.removeItem(atPath: data) }
            let path = try config("stale", [("seed = 7\n", "seed = 2\n[[sim.outages]]\nafter_seconds = 10.2\nfor_seconds = 600\n")])
            let tmux = Tmux(name: "dexter-stale")
            defer { tmux.kill() }
            try tmux.start("'\(Binary.dexter)' --config '\(path)'", width: 100, height: 30, environment: environment)
            // Narrow the table to the okx crosses, then wait for the okx→binance one's quotes to pass their bound.
            try tmux.waitFor("the desk") { $0.contains("1 Opportunities") }
            try tmux.keys("/")
            try tmux.keys("-l", "okx")
            try tmux.keys("Enter")
            try tmux.waitFor("the cross gone stale, and the feed with it", timeout: 40) { screen in
                screen.contains("feed STALE")
                    && screen.split(separator: "\n").contains { $0.contains("▶") && $0.contains("binance") && $0.contains("okx") && $0.contains("stale") }
            }
            try tmux.keys("a")
            let refused = try tmux.waitFor("the refusal") { $0.contains("is stale") }
            #expect(messageLine(refused).contains("cannot be approved"))
            #expect(!refused.contains("Approve?"))
            try tmux.keys("q")
            #expect(try tmux.waitFor("exit") { $0.contains("EXIT=") }.contains("EXIT=0"))
        }

        @Test func panelsKeysCommandsThemesMouseAndTheKillSwitch() throws {
            defer { try? FileManager.default.removeItem(atPath: data) }
            let tmux = Tmux(name: "dexter-desk")
            defer { tmux.kill() }
            try tmux.start("'\(Binary.dexter)' --seed 7", width: 100, height: 30, environment: environment)
            try tmux.waitFor("the desk") { $0.contains("1 Opportunities") && $0.contains("7 Log") && $0.contains("6 Orders") }

            // Help lists the key table; any key closes it.
            try tmux.keys("?")
            // Each wait names the whole expected screen: a capture can land between two parts of one frame.
            try tmux.waitFor("help with the key table") {
                $0.contains("Keys") && $0.contains("kill switch") && $0.contains(":sort net|bps|age|pair|size")
            }
            try tmux.keys("Escape")
            try tmux.waitFor("help closed") { !$0.contains("any key closes") }

            // Focus the log by its number and zoom it; Esc unzooms.
            try tmux.keys("7", "z")
            try tmux.waitFor("the zoomed log alone") {
                $0.split(separator: "\n")[1].contains("7 Log") && !$0.contains("1 Opportunities")
            }
            try tmux.keys("Escape")
            try tmux.waitFor("the desk again") { $0.contains("1 Opportunities") && $0.contains("7 Log") }

            // The filter narrows the table as it is typed; Esc clears it.
            try tmux.keys("1", "/")
            try tmux.keys("-l", "zzz")
            try tmux.waitFor("the filter in the title") { $0.contains("filter \"zzz\"") }
            try tmux.keys("Escape")
            try tmux.waitFor("the filter cleared") { !$0.contains("filter \"zzz\"") }

            // Themes switch live: the status bar's background changes from dark's 236 to light's 253.
            // Checked as booleans: a failed expectation prints its operands, and raw escape sequences in the report
            // swallow it.
            func statusBar() throws -> Substring {
                try tmux.run(["capture-pane", "-e", "-p", "-t", tmux.session]).split(separator: "\n").first ?? ""
            }
            let dark = try statusBar()
            let darkBackground = dark.contains("48;5;236")
            #expect(darkBackground, "\(dark.debugDescription)")
            try tmux.keys(":")
            try tmux.keys("-l", "theme light")
            try tmux.keys("Enter")
            try tmux.waitFor("the theme message") { messageLine($0).contains("theme light") }
            // The message and the new colours may reach the terminal in two frames.
            var light = try statusBar()
            for _ in 0..<100 where !light.contains("48;5;253") {
                Thread.sleep(forTimeInterval: 0.1)
                light = try statusBar()
            }
            let lightBackground = light.contains("48;5;253") && !light.contains("48;5;236")
            #expect(lightBackground, "\(light.debugDescription)")
            try tmux.keys(":")
            try tmux.keys("-l", "theme no-such-theme")
            try tmux.keys("Enter")
            try tmux.waitFor("the theme error") { messageLine($0).contains("no theme \"no-such-theme\"") }

            // A click focuses the panel under it (SGR mouse report): click inside the Orders panel, then zoom, and the
            // zoomed panel is Orders. (Selecting a row by click is covered in DeskControllerTests: rows come and go
            // too fast here to aim at one.)
            let desk = try tmux.screen().split(separator: "\n", omittingEmptySubsequences: false)
            let ordersRow = try #require(desk.firstIndex { $0.contains("6 Orders") })
            try tmux.keys("-l", "\u{1b}[<0;5;\(ordersRow + 2)M")
            try tmux.keys("z")
            try tmux.waitFor("the clicked panel zoomed") { $0.split(separator: "\n")[1].contains("6 Orders") }
            try tmux.keys("Escape")
            try tmux.waitFor("the desk again") { $0.contains("1 Opportunities") && $0.contains("6 Orders") }
            try tmux.keys("1")

            // Reject the selection: booked, and said on screen.
            var rejected = false
            for attempt in 1...10 where !rejected {
                try tmux.waitFor("an opportunity to reject (attempt \(attempt))", timeout: 90) { $0.contains("▶") }
                try tmux.keys("x")
                rejected = (try? tmux.waitFor("the rejection", timeout: 3) { $0.contains("rejected") }) != nil
            }
            #expect(rejected)

            // The kill switch asks once, then halts; approving is refused until :resume.
            try tmux.keys("K")
            try tmux.waitFor("the kill switch question") { $0.contains("Halt all trading now?") }
            try tmux.keys("y")
            try tmux.waitFor("HALTED on the status bar, with who pulled it") {
                $0.split(separator: "\n")[0].contains("HALTED") && $0.contains("kill switch pulled by")
            }
            var refused = false
            for attempt in 1...10 where !refused {
                try tmux.waitFor("an opportunity (attempt \(attempt))", timeout: 90) { $0.contains("▶") }
                try tmux.keys("a")
                let answer = try tmux.waitFor("the refusal while halted") {
                    messageLine($0).contains("halted") || messageLine($0).contains("nothing to approve")
                }
                refused = messageLine(answer).contains("halted")
            }
            #expect(refused)
            try tmux.keys(":")
            try tmux.keys("-l", "resume")
            try tmux.keys("Enter")
            try tmux.waitFor("trading resumed") { $0.contains("trading resumed") && !$0.split(separator: "\n")[0].contains("HALTED") }

            // Wide enough, the detail panel sits beside the table.
            try tmux.resize(width: 140, height: 40)
            try tmux.waitFor("the detail panel beside the table") { $0.contains("2 Detail") }
            try tmux.keys("q")
            #expect(try tmux.waitFor("exit") { $0.contains("EXIT=") }.contains("EXIT=0"))
        }

        /// On an 8/16-colour terminal the theme's 256-colour roles fall back to the nearest basic colours; with
        /// NO_COLOR the roles are carried by attributes alone.
        @Test func basicColourTerminalsAndNoColourStillShowTheRoles() throws {
            defer { try? FileManager.default.removeItem(atPath: data) }
            for (term, noColor) in [("xterm", ""), ("xterm-256color", "1")] {
                let tmux = Tmux(name: "dexter-colours")
                defer { tmux.kill() }
                var environment = self.environment
                environment["NO_COLOR"] = noColor
                try tmux.start("'\(Binary.dexter)' --seed 7", width: 100, height: 30, environment: environment, term: term)
                try tmux.waitFor("the desk on \(term)") { $0.contains("1 Opportunities") }
                let statusBar = String(try tmux.run(["capture-pane", "-e", "-p", "-t", tmux.session]).split(separator: "\n")[0])
                // Booleans, not the raw bar: a failed expectation prints its operands, and escapes swallow the report.
                let no256 = !statusBar.contains("38;5;") && !statusBar.contains("48;5;")
                #expect(no256, "\(term): \(statusBar.debugDescription)")
                if noColor.isEmpty {
                    let basicBackground = statusBar.contains("\u{1b}[40m") || statusBar.contains("40m")
                    #expect(basicBackground, "basic background: \(statusBar.debugDescription)")
                } else {
                    let reverse = statusBar.contains("\u{1b}[7m")
                    #expect(reverse, "reverse video carries the status bar: \(statusBar.debugDescription)")
                }
                try tmux.keys("q")
                try tmux.waitFor("exit") { $0.contains("EXIT=") }
            }
        }

        @Test func keysReboundInConfigDriveTheDeskTheFooterAndHelp() throws {
            defer { try? FileManager.default.removeItem(atPath: data) }
            let path = try config("rebound", [("# approve = \"A\"\n", "approve = \"A\"\n")])
            let tmux = Tmux(name: "dexter-rebound")
            defer { tmux.kill() }
            try tmux.start("'\(Binary.dexter)' --seed 7 --config '\(path)'", width: 100, height: 30, environment: environment)
            // The footer is the last line drawn: wait for it, not only for the panels above it.
            let screen = try tmux.waitFor("the desk and its footer") {
                $0.contains("1 Opportunities") && $0.split(separator: "\n").last?.contains("approve") == true
            }
            #expect(screen.split(separator: "\n").last?.contains("A approve") == true, "\(screen)")
            try tmux.keys("?")
            try tmux.waitFor("help with the new key") { $0.contains("A          approve") }
            try tmux.keys("Escape")
            // The old key does nothing now; the new one approves. Crosses last a fraction of a second, so try a few.
            var reached = false
            for attempt in 1...8 where !reached {
                try tmux.waitFor("an opportunity (attempt \(attempt))", timeout: 90) { $0.contains("▶") && !$0.contains("any key closes") }
                try tmux.keys("a")
                Thread.sleep(forTimeInterval: 0.3)
                #expect(!(try tmux.screen()).contains("Approve?"), "the unbound key approved")
                guard let answer = try tmux.approveSelected(key: "A") else { continue }
                // The key answered (a confirmation or a refusal), not a row that vanished before it.
                reached = answer.contains("Approve?") || (answer.contains("▶") && !answer.contains("nothing to approve"))
                if answer.contains("Approve?") {
                    try tmux.keys("n")
                    // Until the engine has the cancel, its confirmation is still up and takes q as another cancel.
                    try tmux.waitFor("the confirmation closed") { !$0.contains("Approve?") && $0.contains("cancelled") }
                }
            }
            #expect(reached)
            try tmux.keys("q")
            #expect(try tmux.waitFor("exit") { $0.contains("EXIT=") }.contains("EXIT=0"))

            // A key that would mean two things is refused at start, naming both.
            let clash = try config("clash", [("# approve = \"A\"\n", "reject = \"a\"\n")])
            let result = try Binary.run(["scan", "--config", clash, "--seconds", "1"], environment: environment)
            #expect(result.status != 0)
            #expect(result.error.contains("key \"a\" would mean both approve and reject"), "\(result.error)")
        }
    }
}
