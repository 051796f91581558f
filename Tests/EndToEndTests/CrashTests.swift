import Foundation
import GRDB
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension EndToEnd {
    /// The headless desk books a burst of auto-approved trades and is killed with SIGKILL at random moments, again and
    /// again on the same ledger. After every kill the ledger passes SQLite's integrity check and dexter's own
    /// reconciliation (balances equal their journal, every booking has its orders), and every booking dexter
    /// acknowledged on stdout — which it does only after the commit — is in the file.
    @Suite(.serialized) struct CrashTests {
        let data = NSTemporaryDirectory() + "dexter-crash-\(UUID().uuidString)"

        @Test func sigkillAtRandomMomentsNeverLosesOrHalfBooksATrade() throws {
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: data) }
            let ledger = data + "/crash.sqlite"
            // Auto-approve everything detection shows, with limits no burst reaches, so the bursts stay dense round
            // after round on the same ledger.
            let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("config.toml.example")
            let config = data + "/burst.toml"
            let text = try String(contentsOf: example, encoding: .utf8)
            #expect(text.contains("enabled = false\nmin_net_usd = \"20\""))
            #expect(text.contains("daily_volume_usd = \"2000000\""))
            var burst = text.replacingOccurrences(of: "enabled = false\nmin_net_usd = \"20\"", with: "enabled = true\nmin_net_usd = \"0.5\"")
                .replacingOccurrences(of: "daily_volume_usd = \"2000000\"", with: "daily_volume_usd = \"1000000000000\"")
            // Position limits a thousand times higher.
            let positions = try NSRegularExpression(pattern: #"^([A-Z]+) = "([0-9]+)"$"#, options: .anchorsMatchLines)
            let section = try #require(burst.range(of: "[limits.max_position]"))
            let tail = String(burst[section.lowerBound...])
            let end = tail.range(of: "\n\n").map { tail.distance(from: tail.startIndex, to: $0.lowerBound) } ?? tail.count
            let raised = positions.stringByReplacingMatches(in: String(tail.prefix(end)), range: NSRange(location: 0, length: end),
                                                            withTemplate: "$1 = \"$2000\"")
            burst = String(burst[..<section.lowerBound]) + raised + String(tail.dropFirst(end))
            #expect(burst.contains("BTC = \"4000\""))
            try burst.write(toFile: config, atomically: true, encoding: .utf8)
            let environment = ProcessInfo.processInfo.environment.merging(
                ["XDG_DATA_HOME": data, "XDG_STATE_HOME": data, "XDG_CONFIG_HOME": data + "/config", "HOME": data]) { $1 }
            var random = SystemRandomNumberGenerator()
            let rounds = 60
            var acknowledged = Set<String>()
            var killedMidBurst = 0
            for round in 1...rounds {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: Binary.dexter)
                process.arguments = ["run", "--config", config, "--fast", "--seconds", "100000", "--seed", "\(round % 7 + 1)",
                                     "--ledger", ledger]
                process.environment = environment
                let output = Pipe()
                process.standardOutput = output
                process.standardError = FileHandle.nullDevice
                process.standardInput = FileHandle.nullDevice
                try process.run()
                // One round in ten is killed while the desk starts (opening the ledger, settling what the last kill
                // left); the others at a random moment after its first acknowledged booking, deep into a burst with
                // orders out. Timing from the desk's own words, not from the launch, keeps that true however slow a
                // loaded machine makes the start.
                let handle = output.fileHandleForReading
                var said = Data()
                if round % 10 == 0 {
                    usleep(UInt32.random(in: 5_000...200_000, using: &random))
                } else {
                    // Wait for output with poll(2): availableData alone blocks until the desk says something, and a
                    // desk that books nothing would hold the test past its deadline for ever.
                    let deadline = Date().addingTimeInterval(30)
                    while Date() < deadline, !String(decoding: said, as: UTF8.self).contains(#""event":"booked""#) {
                        var ready = pollfd(fd: handle.fileDescriptor, events: Int16(POLLIN), revents: 0)
                        guard poll(&ready, 1, 100) > 0 else { continue }
                        let chunk = handle.availableData
                        if chunk.isEmpty { break }
                        said.append(chunk)
                    }
                    usleep(UInt32.random(in: 5_000...1_200_000, using: &random))
                }
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                #expect(process.terminationReason == .uncaughtSignal, "round \(round): dexter ended before the kill")
                said.append(handle.readDataToEndOfFile())
                let lines = String(decoding: said, as: UTF8.self).split(separator: "\n")
                var thisRound = 0
                for line in lines {
                    guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                          object["event"] as? String == "booked", let id = object["arbitrage"] as? String else { continue }
                    acknowledged.insert(id)
                    thisRound += 1
                }
                if thisRound > 0 { killedMidBurst += 1 }

                // Killed before the ledger file existed: then nothing can have been acknowledged.
                guard FileManager.default.fileExists(atPath: ledger) else {
                    #expect(acknowledged.isEmpty)
                    continue
                }
                let check = try Binary.run(["ledger", "check", "--ledger", ledger], environment: environment)
                #expect(check.status == 0 && check.output == "ok\n", "round \(round): \(check.output)\(check.error)")
                let booked = Set(try DatabaseQueue(path: ledger).read { db in try String.fetchAll(db, sql: "SELECT id FROM arbitrages") })
                let missing = acknowledged.subtracting(booked)
                #expect(missing.isEmpty, "round \(round): acknowledged but not in the ledger: \(missing.sorted())")
                if !missing.isEmpty || check.status != 0 { break }
            }
            // One last start settles whatever the last kill left in flight, then stops by itself.
            let settle = try Binary.run(["run", "--config", config, "--fast", "--seconds", "0.05", "--ledger", ledger], environment: environment)
            #expect(settle.status == 0, "\(settle.error)")
            let live = try DatabaseQueue(path: ledger).read { db in
                try Int.fetchOne(db, sql: """
                    SELECT COUNT(*) FROM order_events e
                    WHERE e.seq = (SELECT MAX(seq) FROM order_events WHERE order_id = e.order_id)
                      AND e.to_state IN ('initialized', 'submitted', 'accepted', 'partially_filled', 'pending_cancel')
                    """) ?? -1
            }
            #expect(live == 0, "orders still in flight after a clean start")
            let recovered = try DatabaseQueue(path: ledger).read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM arbitrages WHERE explanation LIKE 'recovered after a restart%'") ?? 0
            }
            let final = try Binary.run(["ledger", "check", "--ledger", ledger], environment: environment)
            #expect(final.output == "ok\n", "\(final.output)")
            let totals = try DatabaseQueue(path: ledger).read { db in
                (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM arbitrages") ?? 0, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM trades") ?? 0,
                 try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM order_events") ?? 0)
            }
            print("crash test: \(rounds) SIGKILLs, \(killedMidBurst) after at least one acknowledged booking; \(acknowledged.count) bookings acknowledged, "
                  + "\(totals.0) arbitrages (\(recovered) settled after a restart), \(totals.1) trades and \(totals.2) order transitions in the ledger; "
                  + "integrity and reconciliation ok after every kill; nothing left in flight after the last start")
            #expect(acknowledged.count > rounds / 2, "the bursts booked too little to test anything")
        }
    }
}
