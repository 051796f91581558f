import Foundation
import GRDB
import Testing
import TestServers

extension EndToEnd {
    /// The desk in PAPER mode on two Binance-protocol venues: two local servers holding the real BTCUSDT/ETHUSDT
    /// recording at moments 45 s apart (held still, so a cross stays until the trader acts), so their books differ
    /// as two real venues' do. A trader checks the venues, sees the cross, approves it with keys, and finds both
    /// legs filled on the books and booked.
    @Suite(.serialized) struct PaperBinanceTests {
        var data = NSTemporaryDirectory() + "dexter-paper-\(UUID().uuidString)"
        var environment: [String: String] { ["XDG_DATA_HOME": data, "XDG_CONFIG_HOME": data + "/config", "HOME": data] }

        /// config.toml.example with its venues, balances and simulator venues replaced by two Binance venues.
        func config(_ first: LocalBinance, _ second: LocalBinance) throws -> String {
            var text = try ExampleConfig.withoutVenues() + "\n[chains]\n"
            for (name, server) in [("binance", first), ("binance-b", second)] {
                text += """

                    [venues.\(name)]
                    kind = "exchange"
                    connector = "binance"
                    taker_fee = "0"
                    staleness_ms = 600000
                    symbols = ["ETH/USDT", "BTC/USDT"]
                    rest_url = "\(server.restURL)"
                    stream_url = "\(server.streamURL)"

                    [balances.\(name)]
                    USDT = "100000"
                    ETH = "20"
                    BTC = "1"

                    """
            }
            let path = data + "/paper.toml"
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        @Test func checkTheVenuesThenApproveACrossThatFillsOnTheirBooks() async throws {
            let first = try LocalBinance(["--speed", "0"])
            let second = try LocalBinance(["--speed", "0", "--start-offset", "45"])
            defer { first.stop(); second.stop() }
            let path = try config(first, second)

            let check = try Binary.run(["venues", "check", "--config", path], environment: environment)
            #expect(check.status == 0, "\(check.output)\(check.error)")
            for venue in ["binance", "binance-b"] { #expect(check.output.contains("\(venue) (binance at http://127.0.0.1:")) }
            #expect(check.output.contains("ETH/USDT: tick 0.01 lot 0.0001 min notional 5; bid "))
            #expect(check.output.contains("BTC/USDT: tick 0.01 lot 0.00001"))

            // --mode paper asks for what a config with live venues gives anyway; without them it says what is missing.
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            let simOnly = root.appendingPathComponent("config.toml.example").path
            let refused = Tmux(name: "dexter-paper-refused")
            defer { refused.kill() }
            try refused.start("'\(Binary.dexter)' --mode paper --config '\(simOnly)'", width: 120, height: 20, environment: environment)
            let refusal = try refused.waitFor("the refusal") { $0.contains("EXIT=") }
            #expect(refusal.contains("--mode paper watches config.toml's live venues") && refusal.contains("EXIT=64"), "\(refusal)")

            let tmux = Tmux(name: "dexter-paper")
            defer { tmux.kill() }
            try tmux.start("'\(Binary.dexter)' --mode paper --config '\(path)'", width: 120, height: 40, environment: environment)
            try tmux.waitFor("the PAPER screen with both venues live") {
                $0.contains("PAPER") && $0.contains("binance-b is live") && $0.contains("binance is live")
            }
            // The markets panel (8) shows each server's best bid and ask as the book and ticker streams left them.
            try tmux.keys("8")
            for (venue, server) in [("binance     ", first), ("binance-b   ", second)] {
                let top = try await BinanceTop(server, symbol: "ETHUSDT")
                try tmux.waitFor("\(venue)ETH/USDT's top in the markets panel: \(top.bid) \(top.ask)") { screen in
                    screen.split(separator: "\n").contains { $0.contains("│ \(venue) ETH/USDT") && $0.contains("\(top.bid) \(top.ask)") }
                }
            }
            try tmux.keys("Escape")
            try tmux.waitFor("the desk again") { $0.contains("1 Opportunities") }
            let ledger = data + "/dexter/paper.sqlite"
            let booked = try approveACross(tmux, ledger: ledger)
            #expect(booked, "no cross could be approved in 8 attempts")
            let fills = try DatabaseQueue(path: ledger).read { db in
                try Row.fetchAll(db, sql: "SELECT exchange, side, amount, price FROM trades")
            }
            #expect(Set(fills.map { $0["exchange"] as String }) == ["binance", "binance-b"], "both legs filled: \(fills)")
            try tmux.waitFor("the booking on screen") { $0.contains("realised $") }
            try tmux.keys("q")
            _ = try tmux.waitFor("dexter to exit") { $0.contains("EXIT=") }
        }

        /// A server's best bid and ask as a client of its diff and ticker streams holds them, written as the markets
        /// panel writes them (right-aligned in their columns).
        struct BinanceTop {
            let bid: String, ask: String

            init(_ server: LocalBinance, symbol: String) async throws {
                let view = try await server.read("/control/book?symbol=\(symbol)&limit=1&view=stream") as? [String: Any]
                guard let bids = view?["bids"] as? [[String]], let asks = view?["asks"] as? [[String]],
                      let bid = bids.first, let ask = asks.first else {
                    throw CocoaError(.fileReadCorruptFile)
                }
                self.bid = Self.padded(Self.price(bid[0]), 11)
                self.ask = Self.padded(Self.price(ask[0]), 11)
            }

            static func padded(_ text: String, _ width: Int) -> String {
                String(repeating: " ", count: max(0, width - text.count)) + text
            }

            /// "2683.80000000" → "2,683.80" (prices of a thousand and more show cents).
            static func price(_ text: String) -> String {
                let parts = text.split(separator: ".")
                let whole = String(parts[0])
                var grouped = ""
                for (index, digit) in whole.reversed().enumerated() {
                    if index > 0 && index % 3 == 0 { grouped.append(",") }
                    grouped.append(digit)
                }
                let cents = String((parts.count > 1 ? parts[1] : "").prefix(2))
                return String(grouped.reversed()) + "." + cents.padding(toLength: 2, withPad: "0", startingAt: 0)
            }
        }

        /// Approves crosses as they come until one is booked (a cross may be gone, or no longer profit, by the time
        /// it is confirmed): whether one was, in 8 attempts.
        func approveACross(_ tmux: Tmux, ledger: String) throws -> Bool {
            func arbitrages() throws -> Int {
                try DatabaseQueue(path: ledger).read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM arbitrages") ?? 0 }
            }
            for _ in 1...8 {
                guard let screen = try tmux.approveSelected(), screen.contains("Approve?") else { continue }
                let before = try arbitrages()
                try tmux.keys("y")
                let deadline = Date().addingTimeInterval(30)
                while try arbitrages() == before, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
                if try arbitrages() > before { return true }
            }
            return false
        }
    }
}
