import DexterCrypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GRDB
import Testing
import TestServers

extension EndToEnd {
    /// The desk LIVE on Binance USDⓈ-M, against the local USDⓈ-M-protocol server: the key is stored and asked what it
    /// may do, the trader types LIVE, and the desk opens on the venue's account. Another tool then opens a position
    /// on the account: the desk, reading the venue's positions, shows the difference from its ledger. At the funding
    /// the venue charges that position, and the desk books the venue's own payment once, exactly.
    @Suite(.serialized) struct LiveBinanceUSDMTests {
        let desk = CrossVenueDesk("live-usdm")
        static let key = "dexterLiveUSDMKey0001", secret = "LIVEUSDMTESTSECRET0123456789abcdef"

        func config(_ server: LocalBinanceUSDM) throws -> String {
            let text = try ExampleConfig.withoutVenues() + "\n[chains]\n"
                + CrossVenueDesk.venue("binance-usdm", takerFee: "0.0005", symbols: ["BTC/USDT:USDT"],
                                       endpoints: ["rest_url": server.restURL, "stream_url": server.streamURL])
            let path = desk.data + "/live-usdm.toml"
            try FileManager.default.createDirectory(atPath: desk.data, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        static func funding(_ ledger: String) throws -> [String] {
            try DatabaseQueue(path: ledger).read { db in
                try Row.fetchAll(db, sql: "SELECT venue, id, amount, asset FROM funding").map {
                    "\($0["venue"] as String) \($0["amount"] as String) \($0["asset"] as String)"
                }
            }
        }

        /// A 0.01 BTC IOC buy sent by another tool with the same key, as a trader at Binance would.
        func buyElsewhere(_ server: LocalBinanceUSDM) async throws {
            let query = "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=IOC&quantity=0.010&price=60000.0"
                + "&recvWindow=60000&timestamp=\(Int64(Date().timeIntervalSince1970 * 1000))"
            let signature = ExchangeSigning.binance(secret: Self.secret, payload: query)
            var request = URLRequest(url: URL(string: server.restURL + "/fapi/v1/order?" + query + "&signature=" + signature)!)
            request.httpMethod = "POST"
            request.setValue(Self.key, forHTTPHeaderField: "X-MBX-APIKEY")
            let (body, response) = try await URLSession.shared.data(for: request)
            #expect((response as? HTTPURLResponse)?.statusCode == 200, "the outside order: \(String(decoding: body, as: UTF8.self))")
        }

        @Test func theDeskSeesTheVenuesPositionAndBooksTheVenuesFunding() async throws {
            let server = try LocalBinanceUSDM(["--speed", "0", "--account", "\(Self.key):\(Self.secret):USDT=100000"])
            defer { server.stop() }
            _ = try await server.control("/control/script", ["symbol": "BTCUSDT", "bids": [["59990.0", "1.000"]],
                                                             "asks": [["60000.0", "1.000"]]])
            let path = try config(server)
            try desk.addKey("binance-usdm", key: Self.key, secret: Self.secret, config: path, newVault: true)
            let checked = try Binary.run(["venues", "check", "--config", path, "--keys"], environment: desk.environment,
                                         input: CrossVenueDesk.passphrase + "\n")
            #expect(checked.status == 0 && checked.output.contains("valid; trade yes"), "\(checked.output)\(checked.error)")
            #expect(!checked.output.contains(Self.secret) && !checked.error.contains(Self.secret))

            let tmux = Tmux(name: "dexter-live-usdm")
            defer { tmux.kill() }
            try tmux.start("'\(Binary.dexter)' --config '\(path)' --live", width: 160, height: 45, environment: desk.environment)
            try tmux.waitFor("the passphrase prompt") { $0.contains("Vault passphrase") }
            try tmux.keys(CrossVenueDesk.passphrase, "Enter")
            try tmux.waitFor("the LIVE prompt") { $0.contains("Type LIVE") }
            try tmux.keys("LIVE", "Enter")
            try tmux.waitFor("the LIVE screen with the venue live") { $0.contains("LIVE") && $0.contains("binance-usdm is live") }

            try await buyElsewhere(server)
            try tmux.waitFor("the venue's position, which the ledger does not hold", timeout: 30) {
                $0.contains("POSITION MISMATCH at binance-usdm: BTC/USDT:USDT ledger 0 venue 0.01")
            }
            _ = try await server.control("/control/funding", ["symbol": "BTCUSDT", "rate": "0.0001", "markPrice": "60000"])
            _ = try await server.control("/control/settle_funding", ["symbol": "BTCUSDT"])
            try tmux.waitFor("the venue's funding booked", timeout: 30) {
                $0.contains("funding BTC/USDT:USDT on binance-usdm: paid 0.06 USDT")
            }
            let ledger = desk.data + "/dexter/live.sqlite"
            let rows = try Self.funding(ledger)
            // 0.01 × 60,000 × 0.01 %, as the venue charged it (its income row), once.
            #expect(rows == ["binance-usdm -0.06 USDT"], "\(rows)")
            let account = try await server.read("/control/account?apiKey=\(Self.key)") as? [String: Any]
            #expect("\(account ?? [:])".contains("FUNDING_FEE"))
            try tmux.keys("q")
            _ = try tmux.waitFor("dexter to exit") { $0.contains("EXIT=") }
        }
    }
}
