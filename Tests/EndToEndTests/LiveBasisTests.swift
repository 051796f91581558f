import Foundation
import GRDB
import Testing
import TestServers

extension EndToEnd {
    /// A basis trade LIVE between Binance spot and Binance USDⓈ-M, each over its own protocol from its local server:
    /// the spot book is the recording's, the perpetual's is scripted 1 % over its best ask. The desk pairs BTC/USDT with
    /// BTC/USDT:USDT, the trader approves the trade with a key, and the desk buys BTC on spot and sells the perpetual as
    /// much. Afterwards each venue's account and the ledger agree to the last unit: the spot balances, the perpetual's
    /// position and its wallet (the fee taken from it).
    @Suite(.serialized) struct LiveBasisTests {
        let desk = CrossVenueDesk("live-basis")
        static let usdmKey = "dexterLiveBasisKey01", usdmSecret = "LIVEBASISTESTSECRET0123456789abcdef"

        func config(_ binance: LocalBinance, _ usdm: LocalBinanceUSDM) throws -> String {
            let text = try ExampleConfig.withoutVenues() + "\n[chains]\n" + CrossVenueDesk.binance(binance, live: true)
                + CrossVenueDesk.venue("binance-usdm", takerFee: "0.0005", symbols: ["BTC/USDT:USDT"],
                                       endpoints: ["rest_url": usdm.restURL, "stream_url": usdm.streamURL])
            let path = desk.data + "/live-basis.toml"
            try FileManager.default.createDirectory(atPath: desk.data, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        static func rows(_ ledger: String, _ sql: String) throws -> [Row] {
            try DatabaseQueue(path: ledger).read { db in try Row.fetchAll(db, sql: sql) }
        }

        @Test func cashAndCarryBuysSpotAndSellsThePerpetualBookedAsBothVenuesSay() async throws {
            let binance = try LocalBinance(["--speed", "0", "--accounts", try desk.binanceAccounts()])
            let usdm = try LocalBinanceUSDM(["--speed", "0", "--scripted-symbol", "BTCUSDT",
                                             "--account", "\(Self.usdmKey):\(Self.usdmSecret):USDT=100000"])
            defer { binance.stop(); usdm.stop() }
            // The perpetual bids 1 % over spot's best ask for 0.02 BTC: past both taker fees (0.1 % and 0.05 %).
            let price = try await CrossVenueDesk.priceOverBinance(binance, decimals: 1)
            let scripted = try await usdm.control("/control/script", [
                "symbol": "BTCUSDT", "bids": [[price(Decimal(string: "1.01")!), "0.020"], [price(Decimal(string: "0.99")!), "1.000"]],
                "asks": [[price(Decimal(string: "1.012")!), "1.000"]],
            ]) as? [String: Any]
            #expect(scripted?["error"] == nil, "\(String(describing: scripted))")
            let path = try config(binance, usdm)
            try desk.addKey("binance", key: CrossVenueDesk.binanceKey, secret: CrossVenueDesk.binanceSecret, config: path, newVault: true)
            try desk.addKey("binance-usdm", key: Self.usdmKey, secret: Self.usdmSecret, config: path, newVault: false)

            let tmux = Tmux(name: "dexter-live-basis")
            defer { tmux.kill() }
            try tmux.start("'\(Binary.dexter)' --config '\(path)' --live", width: 150, height: 45, environment: desk.environment)
            try tmux.waitFor("the passphrase prompt") { $0.contains("Vault passphrase") }
            try tmux.keys(CrossVenueDesk.passphrase, "Enter")
            try tmux.waitFor("the LIVE prompt") { $0.contains("Type LIVE") }
            try tmux.keys("LIVE", "Enter")
            try tmux.waitFor("the LIVE screen with both venues live") {
                $0.contains("LIVE") && $0.contains("binance is live") && $0.contains("binance-usdm is live")
            }
            try tmux.waitFor("the basis trade on screen") { $0.contains("BTC/USDT basis") && $0.contains("▶") }
            // Its detail names each leg's instrument.
            try tmux.keys("Enter")
            let detail = try tmux.waitFor("the legs of the basis trade") { $0.contains("binance-usdm perp") }
            #expect(detail.contains("binance spot"), "\(detail)")
            try tmux.keys("Escape")

            let ledger = desk.data + "/dexter/live.sqlite"
            #expect(try PaperBinanceTests(data: desk.data).approveACross(tmux, ledger: ledger), "no basis trade could be approved")
            try tmux.waitFor("the booking on screen") { $0.contains("realised $") }

            // One buy of BTC/USDT on Binance spot, one sell of BTC/USDT:USDT on USDⓈ-M, the same amount.
            let fills = try Self.rows(ledger, "SELECT exchange, pair, side, amount FROM trades ORDER BY exchange").map {
                "\($0["exchange"] as String) \($0["pair"] as String) \($0["side"] as String)"
            }
            #expect(Set(fills) == ["binance BTC/USDT buy", "binance-usdm BTC/USDT:USDT sell"], "\(fills)")
            // The same amount on both legs, summed exactly.
            try desk.expectOneLegEach(ledger, other: "binance-usdm", most: Decimal(string: "0.02")!)

            // Spot: the ledger's balances are the account's, to the last unit.
            #expect(try LiveBinanceTests.ledgerBalances(ledger, account: "binance")
                    == (try await LiveBinanceTests.serverBalances(binance, key: CrossVenueDesk.binanceKey)))
            // USDⓈ-M: the position the venue holds is the ledger's, and so is the wallet the fee came out of.
            let account = try #require(try await usdm.read("/control/account?apiKey=\(Self.usdmKey)") as? [String: Any])
            let venuePositions = (account["positions"] as? [[String: Any]] ?? []).map {
                "\($0["symbol"] as? String ?? "?") \(Decimal(string: $0["positionAmt"] as? String ?? "") ?? 0)"
            }
            let ledgerPositions = try Self.rows(ledger, "SELECT symbol, size FROM positions WHERE account = 'binance-usdm'").map {
                "BTCUSDT \(Decimal(string: $0["size"] as String) ?? 0)"
            }
            #expect(venuePositions == ledgerPositions && venuePositions.count == 1, "venue \(venuePositions), ledger \(ledgerPositions)")
            let wallet = try #require(Decimal(string: account["walletBalance"] as? String ?? ""))
            #expect(try LiveBinanceTests.ledgerBalances(ledger, account: "binance-usdm") == ["USDT": wallet])
            #expect(!(try tmux.screen()).contains("MISMATCH"))
            let check = try Binary.run(["ledger", "check", "--ledger", ledger], environment: desk.environment)
            #expect(check.status == 0, "\(check.output)\(check.error)")
            try tmux.keys("q")
            _ = try tmux.waitFor("dexter to exit") { $0.contains("EXIT=") }
        }
    }
}
