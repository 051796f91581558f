import DexterCEX
import DexterCore
import DexterCrypto
import DexterMarket
import DexterVenues
import Testing

@testable import dexter

/// A venue's facts under [venues], the simulator's knobs under [sim.*], the connector that serves each venue, and the
/// word an old config gets for each knob that moved.
@Suite struct VenueConfigTests {
    let base = ConfigTests()
    let hint = "(simulator knobs live under [sim.*]; see config.toml.example)"

    /// `text` is refused with `message`, at the first line holding `fragment`.
    func expect(_ text: String, refusedAt fragment: String, _ message: String,
                sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(base.error(text) == "config.toml:\(base.line(of: fragment, in: text)): \(message)",
                sourceLocation: sourceLocation)
    }

    @Test func everyVenueIsServedByTheSimulatorThroughOneClient() throws {
        let config = try DeskConfig.parse(DefaultConfig.text, file: "embedded")
        #expect(config.venues.count == 12 && config.venues.allSatisfy { $0.connector == "sim" })
        let venues = try config.venueSet(seed: nil, start: .zero, journalPath: nil)
        #expect(venues.marketData.count == 1 && venues.clocked.count == 1)
        #expect(Set(venues.execution.keys) == Set(config.venues.map(\.spec.id)))
    }

    @Test func aVenueWithoutAConnectorIsTheSimulators() throws {
        let text = DefaultConfig.text.replacingOccurrences(of: "connector = \"sim\"\n", with: "")
        let config = try DeskConfig.parse(text, file: "config.toml")
        let embedded = try DeskConfig.parse(DefaultConfig.text, file: "embedded")
        #expect(config.venues.allSatisfy { $0.connector == "sim" })
        #expect(config.universe.books.map(\.instrument) == embedded.universe.books.map(\.instrument))
        #expect(config.universe.pools.map(\.instrument) == embedded.universe.pools.map(\.instrument))
    }

    @Test func anUnknownConnectorNamesTheVenueAndTheKnownOnes() {
        let text = base.replacing("[venues.kraken]\nkind = \"exchange\"\nconnector = \"sim\"",
                                  with: "[venues.kraken]\nkind = \"exchange\"\nconnector = \"ccxt\"")
        expect(text, refusedAt: "connector = \"ccxt\"", "venues.kraken.connector: venue kraken names the connector "
               + "\"ccxt\", which dexter does not have; known connectors: binance, binance-usdm, bybit, coinbase, evm, kraken, okx, sim, solana")
    }

    /// A Binance venue: its markets by symbol (their rules come from the venue), its endpoints where config moves
    /// them; a desk with one runs in PAPER.
    @Test func aBinanceVenueListsSymbolsAndEndpointsAndMakesTheDeskPaper() throws {
        let venue = """

            [venues.binance-live]
            kind = "exchange"
            connector = "binance"
            taker_fee = "0.001"
            staleness_ms = 2000
            symbols = ["ETH/USDT", "BTC/USDT"]
            rest_url = "http://127.0.0.1:9001"
            """
        let config = try DeskConfig.parse(DefaultConfig.text + venue, file: "config.toml")
        let live = try #require(config.venues.first { $0.spec.id == "binance-live" })
        #expect(live.connector == "binance" && live.symbols == [Symbol(base: "ETH", quote: "USDT"), Symbol(base: "BTC", quote: "USDT")])
        #expect(live.endpoints == ["rest_url": "http://127.0.0.1:9001"])
        #expect(config.engineConfig(user: "paula").mode == .paper)
        #expect(try DeskConfig.parse(DefaultConfig.text, file: "embedded").engineConfig(user: "paula").mode == .sim)
        let text = DefaultConfig.text + venue.replacingOccurrences(of: "http://127.0.0.1:9001", with: "ftp://127.0.0.1")
        expect(text, refusedAt: "rest_url = \"ftp", "venues.binance-live.rest_url: expected an http(s):// or ws(s):// URL, "
               + "found \"ftp://127.0.0.1\"")
        let none = DefaultConfig.text + venue.replacingOccurrences(of: #"["ETH/USDT", "BTC/USDT"]"#, with: "[]")
        expect(none, refusedAt: "symbols = []", "venues.binance-live.symbols: list at least one market, e.g. [\"ETH/USDT\"]")
    }

    /// An OKX venue: symbols and its own endpoints (another connector's are refused); PAPER, built as OKX's paper
    /// venue, and with a key and its passphrase (LIVE) as its live one.
    @Test func anOKXVenueIsPaperWithItsOwnEndpoints() throws {
        let venue = """

            [venues.okx-live]
            kind = "exchange"
            connector = "okx"
            taker_fee = "0.001"
            staleness_ms = 2000
            symbols = ["BTC/USDT"]
            stream_url = "ws://127.0.0.1:9002/ws/v5/public"
            private_url = "ws://127.0.0.1:9002/ws/v5/private"
            """
        let config = try DeskConfig.parse(DefaultConfig.text + venue, file: "config.toml")
        let okx = try #require(config.venues.first { $0.spec.id == "okx-live" })
        #expect(okx.okxSettings.publicURL == "ws://127.0.0.1:9002/ws/v5/public")
        #expect(okx.okxSettings.privateURL == "ws://127.0.0.1:9002/ws/v5/private")
        #expect(okx.okxSettings.restURL == OKXSettings.defaultRESTURL)
        #expect(config.engineConfig(user: "paula").mode == .paper)
        let venues = try config.venueSet(seed: nil, start: .zero, journalPath: nil)
        #expect(venues.execution["okx-live"] is OKXPaperVenue)
        // With a key: LIVE, which needs the key's passphrase.
        #expect(throws: ConnectorError.self) {
            try config.venueSet(seed: nil, start: .zero, journalPath: nil,
                                credentials: ["okx-live": APICredential(apiKey: "k", secret: "s", passphrase: nil)])
        }
        let live = try config.venueSet(seed: nil, start: .zero, journalPath: nil,
                                       credentials: ["okx-live": APICredential(apiKey: "k", secret: "s", passphrase: "p")])
        #expect(live.execution["okx-live"] is OKXLiveVenue)
        let binanceKey = DefaultConfig.text + venue + "\nws_api_url = \"ws://127.0.0.1:9\"\n"
        #expect(base.error(binanceKey).contains("venues.okx-live.ws_api_url: unknown key"), "\(base.error(binanceKey))")
    }

    /// A Binance USDⓈ-M venue: perpetual symbols, its two endpoints (another connector's are refused by name), margin
    /// terms both or neither; PAPER as its paper venue, and never LIVE until its live connector is wired.
    @Test func aBinanceUSDMVenueIsPaperOnPerpetuals() throws {
        let venue = """

            [venues.usdm]
            kind = "exchange"
            connector = "binance-usdm"
            taker_fee = "0.0005"
            staleness_ms = 2000
            symbols = ["BTC/USDT:USDT"]
            stream_url = "ws://127.0.0.1:9003"
            """
        let config = try DeskConfig.parse(DefaultConfig.text + venue, file: "config.toml")
        let usdm = try #require(config.venues.first { $0.spec.id == "usdm" })
        #expect(usdm.binanceUSDMSettings.streamURL == "ws://127.0.0.1:9003")
        #expect(usdm.binanceUSDMSettings.restURL == BinanceUSDMSettings.defaultRESTURL && usdm.margin == nil)
        #expect(usdm.symbols == [Symbol(base: "BTC", quote: "USDT", settle: "USDT")])
        #expect(config.engineConfig(user: "paula").mode == .paper)
        let venues = try config.venueSet(seed: nil, start: .zero, journalPath: nil)
        #expect(venues.execution["usdm"] is BinanceUSDMPaperVenue)
        // With a key (LIVE) it is the live venue: orders, the venue's funding and margin.
        let live = try config.venueSet(seed: nil, start: .zero, journalPath: nil,
                                       credentials: ["usdm": APICredential(apiKey: "k", secret: "s", passphrase: nil)])
        #expect(live.execution["usdm"] is BinanceUSDMLiveVenue)
        #expect(live.execution["usdm"] is any FundingReporting && live.execution["usdm"] is any MarginReporting)
        #expect(VenueConnectors.liveConnectors.contains("binance-usdm"))

        let margined = try DeskConfig.parse(DefaultConfig.text + venue + "\nmax_leverage = \"10\"\nmaintenance_rate = \"0.004\"\n",
                                            file: "config.toml")
        #expect(margined.venues.first { $0.spec.id == "usdm" }?.binanceUSDMSettings.margin
                == MarginTerms(maxLeverage: FixedDecimal(10), maintenanceRate: FixedDecimal("0.004")!))
        let half = DefaultConfig.text + venue + "\nmax_leverage = \"10\"\n"
        #expect(base.error(half).contains("venues.usdm.maintenance_rate: set it with max_leverage, e.g. \"0.004\""),
                "\(base.error(half))")
        let wsAPI = DefaultConfig.text + venue + "\nws_api_url = \"ws://127.0.0.1:9\"\n"
        #expect(base.error(wsAPI).contains("venues.usdm.ws_api_url: unknown key"), "\(base.error(wsAPI))")
        let spot = DefaultConfig.text + venue.replacingOccurrences(of: "BTC/USDT:USDT", with: "BTC/USDT")
        expect(spot, refusedAt: "symbols = [\"BTC/USDT\"]", "venues.usdm.symbols: BTC/USDT is not a linear perpetual: write "
               + "BASE/QUOTE:SETTLE settled in its quote, like \"BTC/USDT:USDT\"")
    }

    /// `min_quantity` on a configured market: the least base quantity of one order, never negative.
    @Test func aMarketMayGiveItsMinimumQuantity() throws {
        let market = "\"BTC/USDT\" = { tick = \"0.01\", lot = \"0.00001\", min_notional = \"5\" }"
        let text = base.replacing(market, with: market.replacingOccurrences(of: " }", with: ", min_quantity = \"0.0001\" }"))
        let config = try DeskConfig.parse(text, file: "config.toml")
        let binance = try #require(config.venues.first { $0.spec.id == "binance" })
        #expect(binance.markets["BTC/USDT"]?.minQuantity == FixedDecimal("0.0001")!)
        #expect(binance.markets["ETH/USDT"]?.minQuantity == .zero)
        let negative = base.replacing(market, with: market.replacingOccurrences(of: " }", with: ", min_quantity = \"-1\" }"))
        expect(negative, refusedAt: "min_quantity = \"-1\"", "venues.binance.markets.BTC/USDT.min_quantity: expected a "
               + "quantity of zero or more, found \"-1\"")
    }

    /// A Bybit venue: perpetual symbols, its three endpoints, venue-wide margin terms (both or neither); without a key
    /// Bybit's paper venue, with one its LIVE venue.
    @Test func aBybitVenueListsPerpetualsAndIsLiveWithAKey() throws {
        let venue = """

            [venues.bybit-live]
            kind = "exchange"
            connector = "bybit"
            taker_fee = "0.00055"
            staleness_ms = 2000
            symbols = ["BTC/USDT:USDT"]
            stream_url = "ws://127.0.0.1:9003/v5/public/linear"
            private_url = "ws://127.0.0.1:9003/v5/private"
            max_leverage = "20"
            maintenance_rate = "0.004"
            """
        let config = try DeskConfig.parse(DefaultConfig.text + venue, file: "config.toml")
        let bybit = try #require(config.venues.first { $0.spec.id == "bybit-live" })
        #expect(bybit.symbols == [Symbol(base: "BTC", quote: "USDT", settle: "USDT")])
        #expect(bybit.bybitSettings.publicURL == "ws://127.0.0.1:9003/v5/public/linear")
        #expect(bybit.bybitSettings.privateURL == "ws://127.0.0.1:9003/v5/private")
        #expect(bybit.bybitSettings.restURL == BybitSettings.defaultRESTURL)
        #expect(bybit.bybitSettings.margin == MarginTerms(maxLeverage: FixedDecimal(20), maintenanceRate: FixedDecimal("0.004")!))
        #expect(config.engineConfig(user: "paula").mode == .paper)
        #expect(try config.venueSet(seed: nil, start: .zero, journalPath: nil).execution["bybit-live"] is BybitPaperVenue)
        let live = try config.venueSet(seed: nil, start: .zero, journalPath: nil,
                                       credentials: ["bybit-live": APICredential(apiKey: "k1", secret: "s", passphrase: nil)])
        #expect(live.execution["bybit-live"] is BybitLiveVenue)
        (live.execution["bybit-live"] as? BybitLiveVenue)?.stop()
        #expect(VenueConnectors.liveConnectors.contains("bybit"))
        let published = venue.replacingOccurrences(of: "max_leverage = \"20\"\nmaintenance_rate = \"0.004\"", with: "")
        #expect(try DeskConfig.parse(DefaultConfig.text + published, file: "config.toml").venues
            .first { $0.spec.id == "bybit-live" }?.margin == nil, "neither: instruments-info's terms")
        let half = DefaultConfig.text + venue.replacingOccurrences(of: "maintenance_rate = \"0.004\"", with: "")
        expect(half, refusedAt: "[venues.bybit-live]", "venues.bybit-live.maintenance_rate: set it with max_leverage, e.g. \"0.004\"")
        let spot = DefaultConfig.text + venue.replacingOccurrences(of: "[\"BTC/USDT:USDT\"]", with: "[\"BTC/USDT\"]")
        expect(spot, refusedAt: "symbols = [\"BTC/USDT\"]", "venues.bybit-live.symbols: BTC/USDT is not a linear perpetual: "
               + "write BASE/QUOTE:SETTLE settled in its quote, like \"BTC/USDT:USDT\"")
    }

    @Test func aMovedVenueKnobSaysWhereItWent() {
        let text = base.replacing("[venues.binance]\nkind = \"exchange\"\n",
                                  with: "[venues.binance]\nkind = \"exchange\"\nnoise_bps = 1.5\n")
        expect(text, refusedAt: "noise_bps = 1.5", "[venues.binance] noise_bps moved to [sim.venues.binance] \(hint)")
        let dex = base.replacing("\nchain = \"solana\"\n", with: "\nchain = \"solana\"\nlatency_ms = 100\n")
        expect(dex, refusedAt: "latency_ms = 100", "[venues.raydium] latency_ms moved to [sim.venues.raydium] \(hint)")
    }

    @Test func aMovedMarketKnobSaysWhereItWent() {
        let market = "\"BTC/USDT\" = { tick = \"0.01\", lot = \"0.00001\", min_notional = \"5\" }"
        let text = base.replacing(market, with: market.replacingOccurrences(of: " }", with: ", top_quantity = 0.25 }"))
        expect(text, refusedAt: "\"5\", top_quantity = 0.25", "[venues.binance.markets.\"BTC/USDT\"] top_quantity "
               + "moved to [sim.venues.binance.markets.\"BTC/USDT\"] \(hint)")
    }

    @Test func aMovedPoolKnobSaysWhereItWent() {
        let text = base.replacing("fee_pips = 500,", with: "fee_pips = 500, range_width = 0.15,")
        expect(text, refusedAt: "range_width = 0.15,", "[venues.uniswap-v3.pools.\"ETH/USDC\"] range_width moved to "
               + "[sim.venues.uniswap-v3.pools.\"ETH/USDC\"] \(hint)")
    }

    @Test func aMovedAssetOrChainKnobSaysWhereItWent() {
        let asset = base.replacing("[sim]\n", with: "[assets.ETH]\nvolatility = 0.70\n\n[sim]\n")
        expect(asset, refusedAt: "volatility = 0.70", "[assets.ETH] volatility moved to [sim.assets.ETH] \(hint)")
        let empty = base.replacing("[sim]\n", with: "[assets.ETH]\n\n[sim]\n")
        expect(empty, refusedAt: "[assets.ETH]", "assets: moved to [sim.assets] \(hint)")
        let chain = base.replacing("gas_token = \"BNB\"\n", with: "gas_token = \"BNB\"\nblock_time_ms = 3000\n")
        expect(chain, refusedAt: "block_time_ms = 3000", "[chains.bsc] block_time_ms moved to [sim.chains.bsc] \(hint)")
    }

    @Test func aSimulatedVenueNeedsItsKnobsAndTheirsOnly() {
        let raydium = "[sim.venues.raydium]\nlatency_ms = 100\n\n[sim.venues.raydium.pools]\n"
            + "\"SOL/USDC\" = { base_reserve = 200000.0, swaps_per_second = 3.0, arbitrage_catch_up = 0.5 }\n"
        expect(base.replacing(raydium, with: ""), refusedAt: "[venues.raydium]",
               "venues.raydium: served by the simulator, which needs its knobs under [sim.venues.raydium]")
        let stranger = base.replacing(raydium, with: raydium.replacingOccurrences(of: "raydium", with: "orca"))
        expect(stranger, refusedAt: "[sim.venues.orca]", "sim.venues.orca: orca is not one of the venues under "
               + "[venues] served by the simulator (connector = \"sim\")")
        let bnb = "\"BNB/USDT\" = { top_quantity = 15.0 }\n"
        expect(base.replacing(bnb, with: ""), refusedAt: "[sim.venues.binance.markets]",
               "sim.venues.binance.markets.BNB/USDT: missing; expected a value here")
        let extra = base.replacing(bnb, with: bnb + "\"BNB/USDC\" = { top_quantity = 15.0 }\n")
        #expect(base.error(extra).contains("sim.venues.binance.markets.BNB/USDC: unknown key; expected one of "
                                           + "BNB/USDT"))
    }

    /// The embedded perpetual venues quote funding (0.01 % every 8 h) and publish it once a second of the market's
    /// clock, the next funding on the interval's grid and the book's mid as the mark; a spot venue has no funding.
    @Test func theSimulatedPerpetualsQuoteFundingAndOnlyThey() throws {
        let config = try DeskConfig.parse(DefaultConfig.text, file: "embedded")
        let perps = config.universe.books.filter { $0.instrument.margin != nil }
        #expect(perps.count == 4 && perps.allSatisfy { $0.funding?.rate == FixedDecimal("0.0001")! && $0.funding?.interval == .seconds(28_800) })
        #expect(config.universe.books.filter { $0.instrument.margin == nil }.allSatisfy { $0.funding == nil })
        #expect(config.detection.fundingHorizon == .seconds(8 * 3_600))
        let start = Timestamp(nanoseconds: 1_764_000_000_000_000_000)
        var market = SimulatedMarket(universe: config.universe, start: start)
        let quotes = market.advance(to: start.adding(.milliseconds(2_500))).compactMap { event -> FundingQuote? in
            if case .market(.funding(let quote)) = event { quote } else { nil }
        }
        #expect(quotes.count == 3 * 4, "each perpetual at 0, 1 and 2 s: \(quotes.count)")
        let eightHours: Int64 = 28_800_000_000_000
        #expect(quotes.allSatisfy { $0.nextFundingTime.nanoseconds % eightHours == 0 && $0.nextFundingTime > $0.receivedAt
                && $0.nextFundingTime.duration(since: $0.receivedAt) <= .seconds(28_800) && $0.markPrice.isPositive })
        let spot = base.replacing("[sim.venues.binance]\nlatency_ms = 20\n", with: "[sim.venues.binance]\nlatency_ms = 20\nfunding_rate = \"0.0001\"\n")
        expect(spot, refusedAt: "funding_rate", "sim.venues.binance.funding_rate: only a venue with perpetuals (BASE/QUOTE:SETTLE markets) has funding")
    }

    @Test func whatTheSimulatorTradesItMustPriceAndWhereItSwapsItMustRun() {
        let dollar = "[sim.assets.USDC]\nprice_usd = 1.0\nvolatility = 0.01\njumps_per_hour = 2.0\njump_size = 0.0005\n"
            + "peg_reversion = 0.05\n\n"
        expect(base.replacing(dollar, with: ""), refusedAt: "\"BTC/USDC\" = { tick",
               "venues.binance.markets.BTC/USDC: USDC is not one of the assets under [sim.assets]")
        let sol = "[sim.assets.SOL]\nprice_usd = 240.0\nvolatility = 0.90\njumps_per_hour = 90.0\njump_size = 0.005\n\n"
        expect(base.replacing(sol, with: ""), refusedAt: "gas_token = \"SOL\"", "chains.solana.gas_token: SOL is not "
               + "one of the assets under [sim.assets] (BNB, BTC, ETH, USDC, USDT)")
        let solana = "[sim.chains.solana]\ngas_price = 1.0\ngas_volatility = 0.03\nblock_time_ms = 400\n\n"
        expect(base.replacing(solana, with: ""), refusedAt: "chain = \"solana\"", "venues.raydium.chain: solana is "
               + "not one of the chains under [sim.chains], where the simulator keeps its gas and blocks")
    }
}
