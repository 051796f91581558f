import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GRDB
import Testing
import TestServers

extension EndToEnd {
    /// A cross-venue arbitrage with one leg on Binance and one on Solana, LIVE: the Binance server replays the real
    /// BTCUSDT recording (held still); the local Solana node (LiteSVM) runs the SPL programs, and the local Jupiter
    /// Swap API server prices a BTC/USDT pool of SPL tokens 1 % over Binance's ask. A keypair made by `dexter wallet
    /// new --chain solana` and funded on the node signs the Jupiter leg. The trader unlocks, types LIVE, approves the
    /// cross with keys; Binance's leg fills there, Jupiter's swap lands on the node, and both accounts equal the ledger
    /// to the last unit — the wallet's SOL including every transaction fee.
    @Suite(.serialized) struct LiveSolanaTests {
        let desk = CrossVenueDesk("live-solana")

        /// One JSON-RPC call to the node.
        static func rpc(_ node: LocalSolanaRuntime, _ method: String, _ params: [Any]) async throws -> Any {
            var request = URLRequest(url: URL(string: node.rpcURL)!)
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = try JSONSerialization.data(withJSONObject: ["jsonrpc": "2.0", "id": 1, "method": method, "params": params])
            let (data, _) = try await URLSession.shared.data(for: request)
            let answer = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            return try #require(answer["result"], "\(method): \(answer)")
        }

        /// The wallet on the node as the desk counts it: SOL is native and wrapped together; each token by its mint.
        static func chainBalances(_ node: LocalSolanaRuntime, wallet: String, mints: [String: String]) async throws -> [String: Decimal] {
            let lamports = try #require(((try await rpc(node, "getBalance", [wallet, ["commitment": "confirmed"]])) as? [String: Any])?["value"] as? NSNumber)
            var totals: [String: Decimal] = ["SOL": Decimal(lamports.uint64Value) / 1_000_000_000]
            let accounts = try await rpc(node, "getTokenAccountsByOwner", [
                wallet, ["programId": "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"], ["encoding": "jsonParsed", "commitment": "confirmed"],
            ]) as? [String: Any]
            let names = Dictionary(uniqueKeysWithValues: mints.map { ($0.value, $0.key) })
            for entry in accounts?["value"] as? [[String: Any]] ?? [] {
                let info = ((((entry["account"] as? [String: Any])?["data"] as? [String: Any])?["parsed"] as? [String: Any])?["info"]) as? [String: Any]
                let amount = (info?["tokenAmount"] as? [String: Any])?["uiAmountString"] as? String
                guard let mint = info?["mint"] as? String, let name = names[mint], let amount, let value = Decimal(string: amount) else { continue }
                totals[name, default: 0] += value
            }
            return totals.filter { $0.value != 0 }
        }

        /// `dexter wallet new trader --chain solana`: the public key it made.
        func newKeypair(_ config: String) throws -> String {
            let made = try Binary.run(["wallet", "new", "trader", "--chain", "solana", "--config", config], environment: desk.environment,
                                      input: "\(CrossVenueDesk.passphrase)\n\(CrossVenueDesk.passphrase)\n")
            #expect(made.status == 0, "\(made.output)\(made.error)")
            let key = try #require(made.output.range(of: "[1-9A-HJ-NP-Za-km-z]{32,44}", options: .regularExpression))
            return String(made.output[key])
        }

        @Test func aCrossBetweenBinanceAndJupiterIsSwappedForRealAndBothAccountsEqualTheLedger() async throws {
            let binance = try LocalBinance(["--speed", "0", "--accounts", try desk.binanceAccounts()])
            let node = try LocalSolanaRuntime(slotMilliseconds: 200)
            let jupiter = try LocalJupiter(node: node)
            defer { jupiter.stop(); node.stop(); binance.stop() }
            let wsol = "So11111111111111111111111111111111111111112"
            let btc = try await node.createMint(decimals: 8), usdt = try await node.createMint(decimals: 6)
            let mints = ["SOL": wsol, "BTC": btc, "USDT": usdt]
            // Jupiter's BTC/USDT pool 1 % over Binance's ask, deep enough to hold still; SOL/USDT prices the fees.
            let price = try await CrossVenueDesk.priceOverBinance(binance, decimals: 2)
            let over = try #require(Decimal(string: price(1.01)))
            let usdtReserve = NSDecimalNumber(decimal: over * 50 * 1_000_000).uint64Value
            try await jupiter.control("/control/pool", ["mintA": btc, "mintB": usdt, "reserveA": "5000000000",
                                                        "reserveB": String(usdtReserve), "feeBps": 25])
            try await jupiter.control("/control/pool", ["mintA": wsol, "mintB": usdt, "reserveA": "10000000000000",
                                                        "reserveB": "1500000000000", "feeBps": 25])

            try FileManager.default.createDirectory(atPath: desk.data, withIntermediateDirectories: true)
            let path = desk.data + "/live-solana.toml"
            let text = try ExampleConfig.withoutVenues() + """

                [chains.solana]
                gas_token = "SOL"
                rpc_urls = ["\(node.rpcURL)"]
                jupiter_url = "\(jupiter.restURL)"
                wallet = "trader"
                poll_ms = 500
                tokens = { BTC = "\(btc)", USDT = "\(usdt)" }

                """ + CrossVenueDesk.binance(binance, live: true) + """

                [venues.jupiter]
                kind = "dex"
                connector = "solana"
                chain = "solana"
                staleness_ms = 600000
                dex = "jupiter"
                symbols = ["BTC/USDT", "SOL/USDT"]
                quote_sizes = ["0.01", "0.02", "0.04"]

                """
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            try desk.addKey("binance", key: CrossVenueDesk.binanceKey, secret: CrossVenueDesk.binanceSecret, config: path, newVault: true)
            let checked = try Binary.run(["venues", "check", "--config", path], environment: desk.environment)
            #expect(checked.status == 0, "\(checked.output)\(checked.error)")
            #expect(checked.output.contains("jupiter (jupiter at \(jupiter.restURL) on solana at \(node.rpcURL)) reachable in")
                    && checked.output.contains("BTC/USDT: bid ") && checked.output.contains("3 bid and 3 ask levels up to 0.04"),
                    "\(checked.output)")
            let wallet = try newKeypair(path)
            try await node.airdrop(wallet, lamports: 3_000_000_000)
            _ = try await node.setTokenAccount(mint: wsol, owner: wallet, amount: 10_000_000_000)
            _ = try await node.setTokenAccount(mint: btc, owner: wallet, amount: 100_000_000)
            _ = try await node.setTokenAccount(mint: usdt, owner: wallet, amount: 100_000_000_000)

            let tmux = Tmux(name: "dexter-live-solana")
            defer { tmux.kill() }
            try tmux.start("'\(Binary.dexter)' --config '\(path)' --live", width: 140, height: 40, environment: desk.environment)
            try tmux.waitFor("the passphrase prompt") { $0.contains("Vault passphrase") }
            try tmux.keys(CrossVenueDesk.passphrase, "Enter")
            let asked = try tmux.waitFor("the wallet and the LIVE prompt") { $0.contains("Type LIVE") }
            #expect(asked.contains("solana  wallet \(wallet)") && asked.contains("swaps via Jupiter"), "\(asked)")
            #expect(asked.contains("BTC 1") && asked.contains("USDT 100000") && asked.contains("SOL 13"), "\(asked)")
            try tmux.keys("LIVE", "Enter")
            try tmux.waitFor("the LIVE screen with both venues live") {
                $0.contains("LIVE market started: 2 venues, 3 markets") && $0.contains("binance is live")
            }
            let ledger = desk.data + "/dexter/live.sqlite"
            #expect(try PaperBinanceTests(data: desk.data).approveACross(tmux, ledger: ledger), "no cross could be approved in 8 attempts")
            try desk.expectOneLegEach(ledger, other: "jupiter", most: Decimal(string: "0.04")!)
            try tmux.waitFor("the booking on screen") { $0.contains("realised $") }
            // The Jupiter leg's transaction on the Orders panel.
            try tmux.waitFor("the swap's transaction on the Orders panel") { $0.contains("via Jupiter") }
            // Nothing in flight: each account equals the ledger, to the last unit, fees included.
            let onChain = try await Self.chainBalances(node, wallet: wallet, mints: mints)
            let inLedger = try LiveBinanceTests.ledgerBalances(ledger, account: "wallet@solana")
            #expect(inLedger == onChain, "ledger \(inLedger), chain \(onChain)")
            #expect(try LiveBinanceTests.ledgerBalances(ledger, account: "binance")
                    == (try await LiveBinanceTests.serverBalances(binance, key: CrossVenueDesk.binanceKey)), "binance: ledger and venue differ")
            #expect(!(try tmux.screen()).contains("BALANCE MISMATCH"))
            try tmux.keys("q")
            _ = try tmux.waitFor("dexter to exit") { $0.contains("EXIT=") }
        }
    }
}
