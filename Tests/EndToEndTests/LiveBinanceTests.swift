import DexterCrypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GRDB
import Testing
import TestServers

extension EndToEnd {
    /// The desk in LIVE mode on two Binance-protocol servers (the real recording, 45 s apart, held still): keys from
    /// the vault, the venues asked what each key may do, the trader typing LIVE; an approved cross sends real orders
    /// whose fills come back, after which the ledger and each server's account agree to the last unit; the kill
    /// switch cancels an order resting on the account that dexter never sent.
    @Suite(.serialized) struct LiveBinanceTests {
        let data = NSTemporaryDirectory() + "dexter-live-\(UUID().uuidString)"
        var environment: [String: String] { ["XDG_DATA_HOME": data, "XDG_CONFIG_HOME": data + "/config", "HOME": data] }
        static let passphrase = "live test passphrase"
        // Binance keys are 64 letters and digits; these exist only on the local servers.
        static let keyA = String(repeating: "a1B2", count: 16), secretA = String(repeating: "s3Cr", count: 16)
        static let keyB = String(repeating: "b7K9", count: 16), secretB = String(repeating: "t4Dw", count: 16)

        func config(_ first: LocalBinance, _ second: LocalBinance) throws -> String {
            let path = try PaperBinanceTests(data: data).config(first, second)
            // LIVE reads each venue's WebSocket API (the user data stream) and its balances from the venue, not config.
            var text = try String(contentsOfFile: path, encoding: .utf8)
            text = text.replacingOccurrences(of: "stream_url = \"\(first.streamURL)\"",
                                              with: "stream_url = \"\(first.streamURL)\"\nws_api_url = \"\(first.wsAPIURL)\"")
            text = text.replacingOccurrences(of: "stream_url = \"\(second.streamURL)\"",
                                              with: "stream_url = \"\(second.streamURL)\"\nws_api_url = \"\(second.wsAPIURL)\"")
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        /// `dexter keys add VENUE`, answering its prompts on stdin.
        func addKey(_ venue: String, key: String, secret: String, config: String, newVault: Bool) throws {
            let answers = (newVault ? [Self.passphrase, Self.passphrase] : [Self.passphrase]) + [key, secret]
            let result = try Binary.run(["keys", "add", venue, "--config", config], environment: environment,
                                        input: answers.joined(separator: "\n") + "\n")
            #expect(result.status == 0, "\(result.output)\(result.error)")
            #expect(!result.output.contains(secret) && !result.error.contains(secret), "a secret was echoed")
        }

        /// Balances of the server's one account, by asset (free + locked).
        static func serverBalances(_ server: LocalBinance, key: String) async throws -> [String: Decimal] {
            let view = try await server.read("/control/account?apiKey=\(key)") as? [String: Any]
            var totals: [String: Decimal] = [:]
            for row in view?["balances"] as? [[String: Any]] ?? [] {
                let free = Decimal(string: row["free"] as? String ?? "0") ?? 0, locked = Decimal(string: row["locked"] as? String ?? "0") ?? 0
                if free + locked != 0 { totals[row["asset"] as? String ?? "?"] = free + locked }
            }
            return totals
        }

        /// The ledger's balances of one account, by asset (zeros left out).
        static func ledgerBalances(_ ledger: String, account: String) throws -> [String: Decimal] {
            try DatabaseQueue(path: ledger).read { db in
                var totals: [String: Decimal] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT asset, amount FROM balances WHERE account = ?", arguments: [account]) {
                    let amount = Decimal(string: row["amount"] as String) ?? 0
                    if amount != 0 { totals[row["asset"] as String] = amount }
                }
                return totals
            }
        }

        /// A GTC order placed on the server with the key, as another tool (or the trader at Binance) would.
        func placeRestingOrder(_ server: LocalBinance, key: String, secret: String) async throws -> String {
            let timestamp = String(Int64(Date().timeIntervalSince1970 * 1000))
            let query = "symbol=ETHUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=1000.00&newClientOrderId=manual-gtc-1"
                + "&recvWindow=60000&timestamp=\(timestamp)"
            let signature = ExchangeSigning.binance(secret: secret, payload: query)
            var request = URLRequest(url: URL(string: server.restURL + "/api/v3/order?" + query + "&signature=" + signature)!)
            request.httpMethod = "POST"
            request.setValue(key, forHTTPHeaderField: "X-MBX-APIKEY")
            let (body, response) = try await URLSession.shared.data(for: request)
            #expect((response as? HTTPURLResponse)?.statusCode == 200, "placing the GTC order: \(String(decoding: body, as: UTF8.self))")
            return "manual-gtc-1"
        }

        func orderStatus(_ server: LocalBinance, clientOrderId: String) async throws -> String? {
            let orders = try await server.read("/control/orders") as? [[String: Any]] ?? []
            return orders.first { $0["clientOrderId"] as? String == clientOrderId }?["status"] as? String
        }

        /// One account on the server: a small commission (so fees in the asset bought are booked too), the key.
        func accounts(key: String, secret: String, withdraw: Bool) throws -> String {
            let path = data + "/accounts-\(key.prefix(4)).json"
            let json: [String: Any] = ["accounts": [[
                "name": "desk", "commission": ["maker": "0.0001", "taker": "0.0001"],
                "balances": ["USDT": "100000", "ETH": "20", "BTC": "1"],
                "keys": [["apiKey": key, "secretKey": secret, "enableWithdrawals": withdraw]],
            ]]]
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
            try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
            return path
        }

        @Test func tradeForRealThenTheKillSwitchCancelsWhatRests() async throws {
            let first = try LocalBinance(["--speed", "0", "--accounts", try accounts(key: Self.keyA, secret: Self.secretA, withdraw: true)])
            let second = try LocalBinance(["--speed", "0", "--start-offset", "45",
                                           "--accounts", try accounts(key: Self.keyB, secret: Self.secretB, withdraw: false)])
            defer { first.stop(); second.stop() }
            let path = try config(first, second)
            try addKey("binance", key: Self.keyA, secret: Self.secretA, config: path, newVault: true)
            try addKey("binance-b", key: Self.keyB, secret: Self.secretB, config: path, newVault: false)

            // One screen tells what works, the keys included (their secrets never shown).
            let listed = try Binary.run(["venues", "check", "--config", path], environment: environment)
            #expect(listed.status == 0 && listed.output.contains("stored (read,trade); --keys asks binance what it may do"),
                    "\(listed.output)\(listed.error)")
            let checked = try Binary.run(["venues", "check", "--config", path, "--keys"], environment: environment,
                                         input: Self.passphrase + "\n")
            #expect(checked.status == 0, "\(checked.output)\(checked.error)")
            #expect(checked.output.contains("valid; trade yes, withdraw YES, taker 0.01 %  WARNING"), "\(checked.output)")
            #expect(checked.output.contains("valid; trade yes, withdraw no, taker 0.01 %"), "\(checked.output)")
            #expect(!checked.output.contains(Self.secretA) && !checked.error.contains(Self.secretA))

            // Without typing LIVE nothing starts and nothing is sent.
            let refusing = Tmux(name: "dexter-live-refused")
            defer { refusing.kill() }
            try refusing.start("'\(Binary.dexter)' --config '\(path)' --live", width: 120, height: 40, environment: environment)
            try refusing.waitFor("the passphrase prompt") { $0.contains("Vault passphrase") }
            try refusing.keys(Self.passphrase, "Enter")
            try refusing.waitFor("the LIVE prompt") { $0.contains("Type LIVE") }
            try refusing.keys("yes", "Enter")
            let ended = try refusing.waitFor("dexter to refuse and exit") { $0.contains("EXIT=") }
            #expect(ended.contains("not confirmed") && !ended.contains("EXIT=0"), "\(ended)")
            for server in [first, second] {
                #expect((try await server.read("/control/orders") as? [Any] ?? []).isEmpty, "an order was sent without LIVE typed")
            }

            let tmux = Tmux(name: "dexter-live")
            defer { tmux.kill() }
            try tmux.start("'\(Binary.dexter)' --config '\(path)' --live", width: 120, height: 40, environment: environment)
            try tmux.waitFor("the passphrase prompt") { $0.contains("Vault passphrase") }
            try tmux.keys(Self.passphrase, "Enter")
            let asked = try tmux.waitFor("what the venues said of the keys, and the LIVE prompt") { $0.contains("Type LIVE") }
            #expect(asked.contains("binance  key …") && asked.contains("withdraw YES"), "\(asked)")
            #expect(asked.contains("binance-b  key …") && asked.contains("withdraw no"), "\(asked)")
            #expect(!asked.contains(Self.secretA) && !asked.contains(Self.secretB))
            try tmux.keys("LIVE", "Enter")
            try tmux.waitFor("the LIVE screen with both venues live") {
                $0.contains("LIVE") && $0.contains("binance-b is live") && $0.contains("binance is live")
            }

            let ledger = data + "/dexter/live.sqlite"
            // The fresh ledger opened with what each account holds at its venue.
            #expect(try Self.ledgerBalances(ledger, account: "binance") == (try await Self.serverBalances(first, key: Self.keyA)))
            // The first order to binance-b executes but its answer is lost: it is found by its client id, not resent.
            try await second.control("/control/fault", ["type": "lose_ack", "count": 1])
            let booked = try PaperBinanceTests(data: data).approveACross(tmux, ledger: ledger)
            #expect(booked, "no cross could be approved in 8 attempts")
            // Both orders reached the servers, and each server's account equals the ledger's, to the last unit.
            for (server, key, account) in [(first, Self.keyA, "binance"), (second, Self.keyB, "binance-b")] {
                let orders = try await server.read("/control/orders") as? [[String: Any]] ?? []
                #expect(!orders.isEmpty, "no order reached \(account)")
                let ids = orders.compactMap { $0["clientOrderId"] as? String }
                #expect(Set(ids).count == ids.count, "\(account): an order was placed twice: \(ids)")
                #expect(try Self.ledgerBalances(ledger, account: account) == (try await Self.serverBalances(server, key: key)),
                        "\(account): ledger and venue differ")
            }
            try tmux.waitFor("the booking on screen") { $0.contains("realised $") }
            #expect(!(try tmux.screen()).contains("BALANCE MISMATCH"))

            // Faults on the market data, in the trader's words: a gap resyncs the book, a dropped stream comes back. (At
            // the recording's start its BTC snapshot is older than its first diff: BTC resyncs once on its own too.)
            try await first.control("/control/fault", ["type": "skip_diffs", "count": 1, "symbol": "ETHUSDT"])
            try await first.control("/control/advance", ["diffs": 5, "symbol": "ETHUSDT"])
            try tmux.waitFor("the gap on screen") { $0.contains("binance is resyncing (ETH/USDT") }
            try tmux.waitFor("the book rebuilt") { $0.contains("binance is live") }
            try await second.control("/control/fault", ["type": "drop_ws", "which": "streams"])
            try tmux.waitFor("the drop on screen") { $0.contains("binance-b is down (stream") }
            try tmux.waitFor("binance-b back") { $0.contains("binance-b is live") }

            // A GTC order rests on the account; the kill switch cancels it.
            let resting = try await placeRestingOrder(second, key: Self.keyB, secret: Self.secretB)
            #expect(try await orderStatus(second, clientOrderId: resting) == "NEW")
            try tmux.keys("K")
            try tmux.waitFor("the kill switch's confirmation") { $0.contains("Halt all trading now?") }
            try tmux.keys("y")
            try tmux.waitFor("the sweep's report") { $0.contains("canceled 1 order(s) resting at binance-b") }
            #expect(try await orderStatus(second, clientOrderId: resting) == "CANCELED")
            try tmux.keys("q")
            _ = try tmux.waitFor("dexter to exit") { $0.contains("EXIT=") }
            let audit = try await DatabaseQueue(path: ledger).read { db in
                try String.fetchAll(db, sql: "SELECT action FROM audit ORDER BY seq")
            }
            #expect(audit.contains("balances from venue") && audit.contains("resting orders canceled"), "\(audit)")
        }
    }
}
