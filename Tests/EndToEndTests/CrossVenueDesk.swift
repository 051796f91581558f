import Foundation
import GRDB
import Testing
import TestServers

/// What every cross-venue test between the Binance server's recording and another venue's scripted book shares: a
/// data folder of its own, a config with Binance and the other venue (from `config.toml.example` without its venues),
/// Binance's best ask to script the other book against, keys added through `dexter keys add`, and the fills booked.
struct CrossVenueDesk {
    let data: String
    var environment: [String: String] { ["XDG_DATA_HOME": data, "XDG_CONFIG_HOME": data + "/config", "HOME": data] }
    static let passphrase = "cross test passphrase"
    // A Binance key that exists only on the local server: 64 letters and digits.
    static let binanceKey = String(repeating: "c5D6", count: 16), binanceSecret = String(repeating: "u8Ev", count: 16)

    init(_ name: String) { data = NSTemporaryDirectory() + "dexter-\(name)-\(UUID().uuidString)" }

    /// A `[venues.NAME]` section for a venue on a local server: an exchange whose quotes never go stale (the servers
    /// hold their markets still), its endpoints in config keys.
    static func venue(_ name: String, connector: String? = nil, takerFee: String, symbols: [String],
                      endpoints: [String: String]) -> String {
        let urls = endpoints.sorted { $0.key < $1.key }.map { "\($0.key) = \"\($0.value)\"" }.joined(separator: "\n")
        return """

            [venues.\(name)]
            kind = "exchange"
            connector = "\(connector ?? name)"
            taker_fee = "\(takerFee)"
            staleness_ms = 600000
            symbols = [\(symbols.map { "\"\($0)\"" }.joined(separator: ", "))]
            \(urls)

            """
    }

    /// The Binance spot venue on its local server (its WebSocket API too in LIVE), BTC/USDT at a 0.1 % taker fee.
    static func binance(_ server: LocalBinance, live: Bool) -> String {
        venue("binance", takerFee: "0.001", symbols: ["BTC/USDT"],
              endpoints: ["rest_url": server.restURL, "stream_url": server.streamURL].merging(
                  live ? ["ws_api_url": server.wsAPIURL] : [:]) { $1 })
    }

    /// Binance and the other venue, 100,000 USDT and 1 BTC on each.
    func config(_ binance: LocalBinance, live: Bool, other venue: String, connector: String, takerFee: String,
                endpoints: [String: String]) throws -> String {
        let text = try ExampleConfig.withoutVenues() + "\n[chains]\n" + Self.binance(binance, live: live)
            + Self.venue(venue, connector: connector, takerFee: takerFee, symbols: ["BTC/USDT"], endpoints: endpoints) + """

            [balances.binance]
            USDT = "100000"
            BTC = "1"

            [balances.\(venue)]
            USDT = "100000"
            BTC = "1"

            """
        let path = data + "/cross.toml"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// `factor` × Binance's best BTCUSDT ask as the recording holds it, cut down to `decimals` (the other venue's grid).
    static func priceOverBinance(_ binance: LocalBinance, decimals: Int) async throws -> (Decimal) -> String {
        let view = try await binance.read("/control/book?symbol=BTCUSDT&limit=1&view=stream") as? [String: Any]
        let ask = try #require((view?["asks"] as? [[String]])?.first.flatMap { Decimal(string: $0[0]) })
        return { factor in
            var value = ask * factor, rounded = Decimal()
            NSDecimalRound(&rounded, &value, decimals, .down)
            return "\(rounded)"
        }
    }

    /// The Binance server's accounts file: one account holding 100,000 USDT and 1 BTC under `binanceKey`.
    func binanceAccounts() throws -> String {
        let accounts = data + "/binance-accounts.json"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: ["accounts": [[
            "name": "desk", "commission": ["maker": "0.001", "taker": "0.001"],
            "balances": ["USDT": "100000", "BTC": "1"],
            "keys": [["apiKey": Self.binanceKey, "secretKey": Self.binanceSecret, "enableWithdrawals": false]],
        ]]]).write(to: URL(fileURLWithPath: accounts))
        return accounts
    }

    func addKey(_ venue: String, key: String, secret: String, config: String, newVault: Bool) throws {
        let answers = (newVault ? [Self.passphrase, Self.passphrase] : [Self.passphrase]) + [key, secret]
        let result = try Binary.run(["keys", "add", venue, "--config", config], environment: environment,
                                    input: answers.joined(separator: "\n") + "\n")
        #expect(result.status == 0, "\(result.output)\(result.error)")
        #expect(!result.output.contains(secret) && !result.error.contains(secret), "a secret was echoed")
    }

    /// Every booked fill: its venue, side and amount.
    func fills(_ ledger: String) throws -> [(exchange: String, side: String, amount: Decimal)] {
        try DatabaseQueue(path: ledger).read { db in
            try Row.fetchAll(db, sql: "SELECT exchange, side, amount FROM trades").map {
                ($0["exchange"], $0["side"], Decimal(string: $0["amount"] as String) ?? 0)
            }
        }
    }

    /// One leg bought on `first` (Binance) and one sold on `other`, the same amount to the satoshi, at most `most`.
    func expectOneLegEach(_ ledger: String, other: String, most: Decimal, first: String = "binance") throws {
        let fills = try fills(ledger)
        let legs = Dictionary(grouping: fills, by: \.exchange)
        #expect(Set(legs.keys) == [first, other], "one leg on each venue: \(fills)")
        #expect(legs[first]?.allSatisfy { $0.side == "buy" } == true)
        #expect(legs[other]?.allSatisfy { $0.side == "sell" } == true)
        let bought = legs[first]?.map(\.amount).reduce(0, +) ?? 0
        let sold = legs[other]?.map(\.amount).reduce(0, +) ?? 0
        #expect(bought == sold && sold > 0 && sold <= most, "bought \(bought), sold \(sold)")
    }
}
