import DexterCore
import DexterEngine
import DexterMarket
import DexterVenues
import Foundation
import Testing

@testable import dexter

@Suite struct ConfigTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func theExampleIsTheEmbeddedDefault() throws {
        let example = try String(contentsOf: Self.root.appendingPathComponent("config.toml.example"), encoding: .utf8)
        #expect(example == DefaultConfig.text + "\n", "config.toml.example must document exactly what dexter runs on")
    }

    @Test func theEmbeddedMarketHasWhatTheDeskNeeds() throws {
        let config = try DeskConfig.parse(DefaultConfig.text, file: "embedded")
        let universe = config.universe
        let exchanges = Set(universe.books.map(\.venue.id.name))
        #expect(exchanges.isSuperset(of: ["binance", "coinbase", "kraken", "okx"]))
        #expect(universe.books.allSatisfy { $0.levels >= 10 })
        let chains = Set(universe.pools.compactMap { $0.venue.kind.chain })
        #expect(chains.count >= 2)
        let kinds = universe.pools.map { pool -> String in
            switch pool.kind {
            case .constantProduct(let fee): return "cp\(fee)"
            case .concentrated: return "cl"
            case .stableSwap: return "ss"
            }
        }
        #expect(kinds.contains("cp30") && kinds.contains("cp25") && kinds.contains("cl") && kinds.contains("ss"))
        let stable = try #require(universe.pools.first { if case .stableSwap = $0.kind { return true }; return false })
        #expect(stable.instrument.symbol.description == "USDC/USDT")
        let pairs = Set(universe.books.map(\.instrument.symbol.description) + universe.pools.map(\.instrument.symbol.description))
        #expect(pairs.isSuperset(of: ["ETH/USDT", "ETH/USDC", "BTC/USDT", "SOL/USDC", "USDC/USDT"]))
        #expect(Set(universe.assets.map(\.asset)).isSuperset(of: ["USDC", "USDT"]))
        #expect(universe.assets.first { $0.asset == "USDT" }?.priceUSD != universe.assets.first { $0.asset == "USDC" }?.priceUSD)
        // Public taker fees as configured: Binance 0.10 %, Coinbase 0.60 %, Kraken 0.40 %, OKX 0.10 %; their USDT-margined
        // perpetuals 0.05 %.
        let fees = Dictionary(universe.books.map { ($0.venue.id.name, $0.venue.takerFee.description) }) { a, _ in a }
        #expect(fees == ["binance": "0.001", "coinbase": "0.006", "kraken": "0.004", "okx": "0.001", "binance-usdm": "0.0005",
                         "okx-swap": "0.0005"])
        // Two perpetual venues, each quoting ETH and BTC perpetuals with margin rules, so a perp arbitrage has two sides.
        let perpetuals = universe.books.filter { !$0.instrument.symbol.isSpot }
        #expect(Set(perpetuals.map(\.venue.id.name)) == ["binance-usdm", "okx-swap"])
        #expect(Set(perpetuals.map(\.instrument.symbol.description)) == ["ETH/USDT:USDT", "BTC/USDT:USDT"])
        #expect(perpetuals.allSatisfy { $0.instrument.margin?.maxLeverage == FixedDecimal(20) })
    }

    func error(_ text: String) -> String {
        do {
            _ = try DeskConfig.parse(text, file: "config.toml")
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    func replacing(_ old: String, with new: String) -> String {
        precondition(DefaultConfig.text.contains(old))
        return DefaultConfig.text.replacingOccurrences(of: old, with: new)
    }

    /// The first line holding `fragment` outside a comment (the documentation's examples hold the same keys).
    func line(of fragment: String, in text: String) -> Int {
        (text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex {
            (fragment.hasPrefix("#") || !$0.hasPrefix("#")) && $0.contains(fragment)
        } ?? -1) + 1
    }

    @Test func aFloatWhereMoneyBelongsNamesKeyLineAndExpectation() {
        let text = replacing("taker_fee = \"0.006\"", with: "taker_fee = 0.006")
        #expect(error(text) == "config.toml:\(line(of: "taker_fee = 0.006", in: text)): venues.coinbase.taker_fee: expected a decimal string like \"0.001\", found 0.006 (a float)")
    }

    @Test func anUnknownKeyIsNotIgnored() {
        let text = replacing("seed = 7", with: "seed = 7\nsede = 8")
        #expect(error(text) == "config.toml:\(line(of: "sede = 8", in: text)): sim.sede: unknown key; expected one of assets, chains, faults, outages, seed, shocks, venues")
    }

    @Test func autoApproveIsOffByDefaultAndSetPerUser() throws {
        let base = try DeskConfig.parse(DefaultConfig.text, file: "config.toml")
        #expect(base.engineConfig(user: "alice").autoApprove == nil)
        let text = replacing("pairs = []\n", with: "pairs = []\n[auto_approve.users.alice]\nenabled = true\nmin_net_usd = \"50\"\npairs = [\"ETH/USDT\"]\n")
        let config = try DeskConfig.parse(text, file: "config.toml")
        let alice = try #require(config.engineConfig(user: "alice").autoApprove)
        #expect(alice.minNetUSD == FixedDecimal(50) && alice.pairs == [Symbol(base: "ETH", quote: "USDT")])
        #expect(alice.maxNotionalUSD == FixedDecimal(25_000), "unset keys inherit the desk's bounds")
        #expect(config.engineConfig(user: "bob").autoApprove == nil, "other users keep the desk's default: off")
        let typo = replacing("pairs = []\n", with: "pairs = []\n[auto_approve.users.alice]\nmin_net = \"50\"\n")
        #expect(error(typo).contains("auto_approve.users.alice.min_net: unknown key"))
    }

    @Test func feedOutagesAreReadAndTheirVenuesChecked() throws {
        let good = replacing("seed = 7\n", with: "seed = 7\n[[sim.outages]]\nvenues = [\"kraken\"]\nafter_seconds = 5\nfor_seconds = 30\n")
        let config = try DeskConfig.parse(good, file: "config.toml")
        #expect(config.universe.outages == [FeedOutage(venues: ["kraken"], start: .seconds(5), length: .seconds(30))])
        let typo = replacing("seed = 7\n", with: "seed = 7\n[[sim.outages]]\nvenues = [\"krakn\"]\nafter_seconds = 5\nfor_seconds = 30\n")
        #expect(error(typo).contains("sim.outages.venues: unknown venue \"krakn\""))
    }

    @Test func brokenTOMLSaysWhere() {
        let text = replacing("[sim]\n", with: "[sim\n")
        let message = error(text)
        #expect(message.hasPrefix("config.toml:\(line(of: "# Seed of the embedded market", in: text) - 1): not valid TOML"), "\(message)")
    }

    @Test func badValuesInsideInlineTablesPointAtTheirLine() {
        let text = replacing("\"ETH/USDT\" = { tick = \"0.01\", lot = \"0.0001\", min_notional = \"5\" }",
                             with: "\"ETH/USDT\" = { tick = \"0.01\", lot = \"-1\", min_notional = \"5\" }")
        #expect(error(text) == "config.toml:\(line(of: "lot = \"-1\"", in: text)): venues.binance.markets.ETH/USDT.lot: expected a positive amount, found \"-1\"")
    }

    @Test func referencesToUnknownThingsAreNamed() {
        let text = replacing("chain = \"bsc\"", with: "chain = \"bsc-testnet\"")
        #expect(error(text).contains("venues.pancakeswap.chain: bsc-testnet is not one of the chains under [chains]"))
        let pair = replacing("allowed_pairs = [\"ETH/USDT\"", with: "allowed_pairs = [\"ETHUSDT\"")
        #expect(error(pair).contains("limits.allowed_pairs: \"ETHUSDT\" is not a symbol"))
        let missing = replacing("min_net_usd = \"0.50\"\n", with: "")
        #expect(error(missing) == "config.toml:\(line(of: "[detection]", in: missing)): detection.min_net_usd: missing; expected a value here")
        let decimal = replacing("USDT = \"60000\"", with: "USDT = \"60,000\"")
        #expect(error(decimal).contains("balances.binance.USDT: expected a decimal string like \"1000\", but \"60,000\" is not a decimal number: unexpected character ','"))
    }

    @Test func theConfigFileIsFoundInOrder() throws {
        #expect(DeskConfig.locate(explicit: "/x/given.toml", environment: ["DEXTER_CONFIG": "/y/env.toml"]) == "/x/given.toml")
        #expect(DeskConfig.locate(explicit: nil, environment: ["DEXTER_CONFIG": "/y/env.toml"]) == "/y/env.toml")
        let home = NSTemporaryDirectory() + "dexter-config-\(UUID().uuidString)"
        #expect(DeskConfig.locate(explicit: nil, environment: ["XDG_CONFIG_HOME": home]) == nil)
        try FileManager.default.createDirectory(atPath: home + "/dexter", withIntermediateDirectories: true)
        try DefaultConfig.text.write(toFile: home + "/dexter/config.toml", atomically: true, encoding: .utf8)
        #expect(DeskConfig.locate(explicit: nil, environment: ["XDG_CONFIG_HOME": home]) == home + "/dexter/config.toml")
    }

    @Test func shippedThemesParse() throws {
        for name in ["dark", "light", "high-contrast", "mono"] {
            let path = Self.root.appendingPathComponent("themes/\(name).toml").path
            let theme = try ThemeLoader.parse(try String(contentsOfFile: path, encoding: .utf8), file: path)
            #expect(theme.styles.count >= 10, "\(name)")
        }
        #expect(throws: ConfigError.self) { try ThemeLoader.parse("[roles]\nprofitt = { fg = 2 }", file: "bad.toml") }
    }
}

@Suite struct SimulatedMarketTests {
    func universe(seed: UInt64) throws -> SimulatedUniverse {
        var universe = try DeskConfig.parse(DefaultConfig.text, file: "embedded").universe
        universe.seed = seed
        return universe
    }

    /// Same seed, same market: every opportunity, size and profit repeats.
    @Test func isDeterministicForASeed() async throws {
        let config = try DeskConfig.parse(DefaultConfig.text, file: "embedded")
        func run(seed: UInt64) async throws -> [String] {
            let start = Timestamp(nanoseconds: 1_764_000_000_000_000_000)
            var scan = try await ClockedScan(SimulatedVenues(universe: try universe(seed: seed), start: start),
                                             policy: config.detection, inventory: config.balances, start: start)
            var lines: [String] = []
            for step in 1...600 {
                let changes = scan.advance(to: start.adding(.milliseconds(step * 100)))
                lines += changes.upserted.map { "\($0.id) \($0.route) \($0.quantity) \($0.net)" }
            }
            return lines
        }
        let first = try await run(seed: 9)
        #expect(!first.isEmpty)
        #expect(first == (try await run(seed: 9)))
        #expect(first != (try await run(seed: 10)))
    }

    /// Crosses come and go: most are small and short-lived, a few are large.
    @Test func producesManySmallAndAFewLargeCrosses() async throws {
        let config = try DeskConfig.parse(DefaultConfig.text, file: "embedded")
        let start = Timestamp(nanoseconds: 1_764_000_000_000_000_000)
        var scan = try await ClockedScan(SimulatedVenues(universe: try universe(seed: 4), start: start),
                                         policy: config.detection, inventory: config.balances, start: start)
        var best: [UInt64: FixedDecimal] = [:]
        var lifetimes: [UInt64: (Timestamp, Timestamp)] = [:]
        for step in 1...1200 {
            let now = start.adding(.milliseconds(step * 100))
            let changes = scan.advance(to: now)
            for opportunity in changes.upserted {
                best[opportunity.id] = FixedDecimal.max(best[opportunity.id] ?? .zero, opportunity.netUSD)
                lifetimes[opportunity.id] = (lifetimes[opportunity.id]?.0 ?? now, now)
            }
            for id in changes.removed { lifetimes[id]?.1 = now }
        }
        let values = best.values.map(\.doubleValue).sorted()
        #expect(values.count >= 30, "two simulated minutes should show dozens of opportunities, saw \(values.count)")
        let median = values[values.count / 2]
        #expect((values.last ?? 0) > 10 * median, "a few should be far larger than the typical one")
        let shortLived = lifetimes.values.filter { $0.1.duration(since: $0.0) < .seconds(10) }.count
        #expect(shortLived * 2 > lifetimes.count, "most should close within seconds")
    }

    @Test func booksHaveTenLevelsOnTicksAndLots() throws {
        var market = SimulatedMarket(universe: try universe(seed: 1), start: .zero)
        _ = market.snapshot()
        for marketState in market.state.markets {
            guard case .book(let book) = marketState.liquidity else { continue }
            #expect(book.bids.count >= 10 && book.asks.count >= 10)
            #expect(!book.isCrossed)
            for level in book.bids + book.asks {
                #expect(level.price.rounded(toMultipleOf: marketState.instrument.tickSize) == level.price)
                #expect(level.quantity.rounded(toMultipleOf: marketState.instrument.lotSize) == level.quantity)
            }
        }
    }
}

/// Stop-losses and price shocks: read as written, and a bad value names its key and line.
@Suite struct StopLossConfigTests {
    let base = ConfigTests()

    @Test func theEmbeddedDefaultStopsEveryTradedCoinButNotTheDollars() throws {
        let config = try DeskConfig.parse(DefaultConfig.text, file: "embedded")
        #expect(config.stopLoss.percentBelowCost == ["BTC": FixedDecimal(12), "ETH": FixedDecimal(12), "SOL": FixedDecimal(18),
                                                     "BNB": FixedDecimal(15)])
        #expect(config.stopLoss.maxSlippageBps == 100)
        #expect(config.universe.shocks.isEmpty)
    }

    @Test func aPerpetualNeedsItsMarginRulesAndASpotMarketRefusesThem() {
        let perp = "\"ETH/USDT:USDT\" = { tick = \"0.01\", lot = \"0.001\", min_notional = \"5\", max_leverage = \"20\", maintenance_rate = \"0.005\" }"
        let missing = base.replacing(perp, with: perp.replacingOccurrences(of: ", max_leverage = \"20\"", with: ""))
        #expect(base.error(missing).contains("max_leverage: missing"), "\(base.error(missing))")
        let tooHigh = base.replacing(perp, with: perp.replacingOccurrences(of: "maintenance_rate = \"0.005\"", with: "maintenance_rate = \"0.06\""))
        #expect(base.error(tooHigh).contains("expected a rate under the initial margin 1/20"), "\(base.error(tooHigh))")
        let spot = "\"ETH/USDT\" = { tick = \"0.01\", lot = \"0.0001\", min_notional = \"5\" }"
        let onSpot = base.replacing(spot, with: spot.replacingOccurrences(of: " }", with: ", max_leverage = \"5\" }"))
        #expect(base.error(onSpot).contains("max_leverage: unknown key"), "\(base.error(onSpot))")
    }

    @Test func theMarginBufferIsReadAndItsTargetMustBeUnderItsTrigger() throws {
        let config = try DeskConfig.parse(DefaultConfig.text, file: "embedded")
        let buffer = try #require(config.marginBuffer)
        #expect(buffer.reduceAt == 0.5 && buffer.target == 0.3 && buffer.maxSlippageBps == 50)
        let text = base.replacing("margin_target = \"0.3\"", with: "margin_target = \"0.6\"")
        #expect(base.error(text) == "config.toml:\(base.line(of: "margin_target = \"0.6\"", in: text)): limits.margin_target: expected a ratio under margin_reduce_at 0.5, found \"0.6\"")
        let off = base.replacing("margin_reduce_at = \"0.5\"\nmargin_target = \"0.3\"\n", with: "")
        #expect(try DeskConfig.parse(off, file: "config.toml").marginBuffer == nil)
    }

    @Test func aStopOfAHundredPercentOrMoreIsRefused() {
        let text = base.replacing("SOL = \"18\"", with: "SOL = \"100\"")
        #expect(base.error(text) == "config.toml:\(base.line(of: "SOL = \"100\"", in: text)): limits.stop_loss.SOL: expected a percentage under 100, found \"100\"")
    }

    @Test func aShockIsReadAndAShockOnAnUnknownAssetIsNamed() throws {
        let shock = "[[sim.shocks]]\nasset = \"ETH\"\nafter_seconds = 120\nmove = -0.15"
        let commented = "# [[sim.shocks]]\n# asset = \"ETH\"\n# after_seconds = 120\n# move = -0.15"
        let config = try DeskConfig.parse(base.replacing(commented, with: shock), file: "config.toml")
        #expect(config.universe.shocks == [PriceShock(asset: "ETH", after: .seconds(120), move: -0.15)])
        let text = base.replacing(commented, with: shock.replacingOccurrences(of: "\"ETH\"", with: "\"ETC\""))
        #expect(base.error(text).hasPrefix("config.toml:\(base.line(of: "asset = \"ETC\"", in: text)): sim.shocks"))
        #expect(base.error(text).contains("unknown asset \"ETC\""))
    }
}
