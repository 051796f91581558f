import DexterCore
import DexterDetect
import DexterEngine
import DexterMarket
import DexterRisk
import DexterTUI
import DexterVenues
import Foundation
import TOMLKit

/// config.toml, read and checked: everything the desk is started with.
struct DeskConfig {
    var user: String?
    var theme: String
    var mouse: Bool
    var keymap: KeyMap
    var ledgerPath: String?
    var logPath: String?
    /// API keys older than this are flagged.
    var keyMaxAgeDays: Int
    var seed: UInt64
    var universe: SimulatedUniverse
    var limits: RiskLimits
    var detection: DetectionPolicy
    var balances: Inventory
    var swapSlippageTolerance: FixedDecimal
    var autoApprove: AutoApprovePolicy?
    /// Per-user overrides of the auto-approve policy: on or off, and its bounds.
    var autoApproveByUser: [String: (enabled: Bool, bounds: AutoApprovePolicy)] = [:]
    var legRisk: LegRiskPolicy
    var sequentialRoutes: Set<String>
    /// The policy's bounds, whether or not it is switched on (dexter run --auto-approve uses them).
    var autoApproveBounds: AutoApprovePolicy
    var autoHalt = AutoHaltLimits()
    var maxExposurePerVenueUSD: FixedDecimal?
    var positionVaRBudgetUSD: FixedDecimal?
    var denyList: DenyList?
    var plans = Plan.standard
    var stopLoss = StopLossLimits()
    var marginBuffer: MarginBuffer?

    func engineConfig(user: String) -> EngineConfig {
        var config = EngineConfig(user: user, mode: .sim, limits: limits, detection: detection,
                                  initialBalances: balances, swapSlippageTolerance: swapSlippageTolerance)
        config.autoApprove = autoApprove
        if let own = autoApproveByUser[user] { config.autoApprove = own.enabled ? own.bounds : nil }
        config.legRisk = legRisk
        config.sequentialRoutes = sequentialRoutes
        config.autoHalt = autoHalt
        config.maxExposurePerVenueUSD = maxExposurePerVenueUSD
        config.positionVaRBudgetUSD = positionVaRBudgetUSD
        config.denyList = denyList
        config.plans = plans
        config.stopLoss = stopLoss
        config.marginBuffer = marginBuffer
        return config
    }
}

extension DeskConfig {
    /// The file dexter reads: --config, then $DEXTER_CONFIG, then $XDG_CONFIG_HOME/dexter/config.toml; nil when
    /// there is none and the embedded default applies.
    static func locate(explicit: String?, environment: [String: String]) -> String? {
        if let explicit { return explicit }
        if let path = environment["DEXTER_CONFIG"], !path.isEmpty { return path }
        let configHome = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"].map { $0 + "/.config" } ?? ".config")
        let path = configHome + "/dexter/config.toml"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    static func load(explicit: String?, environment: [String: String]) throws -> (config: DeskConfig, source: String) {
        guard let path = locate(explicit: explicit, environment: environment) else {
            return (try parse(DefaultConfig.text, file: "embedded default"), "embedded default")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, line: nil, key: "", problem: "cannot read the file (missing or not readable)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, line: nil, key: "", problem: "not UTF-8 text")
        }
        return (try parse(text, file: path), path)
    }

    static func parse(_ text: String, file: String) throws -> DeskConfig {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(file: file, line: error.source.begin.line, key: "",
                              problem: "not valid TOML: \(error.description) (column \(error.source.begin.column))")
        }
        let root = ConfigReader(table: table, path: [], file: file, source: ConfigSourceMap(text: text))
        try root.allowOnly(["user", "theme", "mouse", "keymap", "auto_approve", "leg_risk", "execution", "ledger", "log", "keys", "sim", "detection", "limits", "assets", "chains", "venues", "compliance", "plans",
                            "balances", "wallets"])
        let sim = try root.table("sim")
        try sim.allowOnly(["seed", "outages", "faults", "shocks"])
        let seed = try sim.int("seed", range: 0...Int.max)
        var autoApproveBounds = AutoApprovePolicy(minNetUSD: FixedDecimal(20), maxNotionalUSD: FixedDecimal(25_000), pairs: [])
        var autoApproveEnabled = false
        var autoApproveByUser: [String: (enabled: Bool, bounds: AutoApprovePolicy)] = [:]
        if let auto = try root.optionalTable("auto_approve") {
            try auto.allowOnly(["enabled", "min_net_usd", "max_notional_usd", "pairs", "users"])
            func read(_ table: ConfigReader, defaults: AutoApprovePolicy, enabled: Bool) throws -> (Bool, AutoApprovePolicy) {
                (try table.optionalBool("enabled") ?? enabled, AutoApprovePolicy(
                    minNetUSD: table.has("min_net_usd") ? try table.positiveDecimal("min_net_usd", example: "20") : defaults.minNetUSD,
                    maxNotionalUSD: table.has("max_notional_usd") ? try table.positiveDecimal("max_notional_usd", example: "25000")
                        : defaults.maxNotionalUSD,
                    pairs: table.has("pairs") ? Set(try table.strings("pairs").map { try table.symbol($0, key: "pairs") }) : defaults.pairs))
            }
            (autoApproveEnabled, autoApproveBounds) = try read(auto, defaults: autoApproveBounds, enabled: false)
            if let users = try auto.optionalTable("users") {
                for name in users.keys {
                    let table = try users.table(name)
                    try table.allowOnly(["enabled", "min_net_usd", "max_notional_usd", "pairs"])
                    autoApproveByUser[name] = try read(table, defaults: autoApproveBounds, enabled: autoApproveEnabled)
                }
            }
        }
        var sequentialRoutes: Set<String> = []
        if let execution = try root.optionalTable("execution") {
            try execution.allowOnly(["sequential_routes"])
            for route in try execution.strings("sequential_routes") {
                guard route.split(separator: ">").count == 2 else {
                    throw execution.error("sequential_routes", "expected \"buy venue>sell venue\", found \"\(route)\"")
                }
                sequentialRoutes.insert(route)
            }
        }
        var legRisk = LegRiskPolicy()
        if let table = try root.optionalTable("leg_risk") {
            try table.allowOnly(["policy", "max_loss_bps", "routes"])
            func action(_ reader: ConfigReader, _ key: String) throws -> LegRiskAction {
                let text = try reader.string(key)
                guard let action = LegRiskAction(rawValue: text) else {
                    throw reader.error(key, "expected unwind, hedge or halt, found \"\(text)\"")
                }
                return action
            }
            if table.has("policy") { legRisk.action = try action(table, "policy") }
            if table.has("max_loss_bps") { legRisk.maxLossBps = try table.int("max_loss_bps", range: 0...10_000) }
            if let routes = try table.optionalTable("routes") {
                for route in routes.keys {
                    guard route.split(separator: ">").count == 2 else {
                        throw routes.error(route, "expected \"buy venue>sell venue\"")
                    }
                    legRisk.routes[route] = try action(routes, route)
                }
            }
        }
        var keymap = KeyMap.standard
        if let table = try root.optionalTable("keymap") {
            var changes: [(action: String, keys: [String])] = []
            for action in table.keys.sorted() {
                let keys: [String]
                if let single = table.table[action]?.string { keys = [single] } else { keys = try table.strings(action) }
                changes.append((action, keys))
            }
            do { keymap = try KeyMap.standard.rebinding(changes) } catch {
                throw table.error(changes.first { error.description.hasPrefix("\($0.action):") }?.action, error.description)
            }
        }
        var denyList: DenyList?
        if let compliance = try root.optionalTable("compliance") {
            try compliance.allowOnly(["deny_list"])
            if let path = try compliance.optionalString("deny_list") {
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                    throw compliance.error("deny_list", "cannot read \"\(path)\"")
                }
                do { denyList = try DenyList(text: text) } catch {
                    throw compliance.error("deny_list", "\(path) \(error)")
                }
            }
        }
        // Plans: the product's tiers unless config redefines them; a plan may cap venues and daily volume.
        var plans = Plan.standard
        if let table = try root.optionalTable("plans") {
            for name in table.keys {
                let plan = try table.table(name)
                try plan.allowOnly(["max_venues", "daily_volume_usd"])
                plans[name] = Plan(name: name, maxVenues: try plan.optionalInt("max_venues", range: 1...1000),
                                   dailyVolumeUSD: plan.has("daily_volume_usd")
                                       ? try plan.positiveDecimal("daily_volume_usd", example: "10000") : nil)
            }
        }
        let keys = try root.optionalTable("keys")
        try keys?.allowOnly(["max_age_days"])
        let keyMaxAgeDays = try keys?.optionalInt("max_age_days", range: 1...3650) ?? 90

        let detection = try root.table("detection")
        try detection.allowOnly(["min_net_usd", "swap_slippage_tolerance"])
        let tolerance = try detection.decimal("swap_slippage_tolerance", example: "0.005")
        guard tolerance >= .zero, tolerance < .one else {
            throw detection.error("swap_slippage_tolerance", "expected a fraction between 0 and 1, found \"\(tolerance)\"")
        }
        let limits = try parseLimits(try root.table("limits"))
        let (autoHalt, venueExposure, varBudget) = try parseAutoHalt(try root.table("limits"))
        let stopLoss = try parseStopLoss(try root.table("limits"))
        let marginBuffer = try parseMarginBuffer(try root.table("limits"))
        let policy = DetectionPolicy(minNetUSD: try detection.decimal("min_net_usd", example: "0.50"),
                                     maxNotionalUSD: limits.maxNotionalPerTradeUSD)

        let assets = try parseAssets(try root.table("assets"))
        let chains = try parseChains(try root.table("chains"), assets: Set(assets.map(\.asset)))
        let (books, pools, latency) = try parseVenues(try root.table("venues"), chains: Set(chains.map(\.chain)),
                                                      assets: Set(assets.map(\.asset)))
        let venueNames = Set(books.map(\.venue.id) + pools.map(\.venue.id))
        var faults: [VenueId: PaperFault] = [:]
        if let table = try sim.optionalTable("faults") {
            for venue in table.keys {
                guard venueNames.contains(VenueId(venue)) else { throw table.error(venue, "unknown venue \"\(venue)\"") }
                let text = try table.string(venue)
                if text == "timeout" {
                    faults[VenueId(venue)] = .timeout
                } else if text.hasPrefix("reject") {
                    faults[VenueId(venue)] = .reject(text.dropFirst(6).trimmingCharacters(in: CharacterSet(charactersIn: ": ")).isEmpty
                        ? "rejected by the venue (fault injected)" : text.dropFirst(6).trimmingCharacters(in: CharacterSet(charactersIn: ": ")))
                } else if text.hasPrefix("fill:"), let fraction = FixedDecimal(String(text.dropFirst(5))),
                          fraction >= .zero, fraction < .one {
                    faults[VenueId(venue)] = .fillFraction(fraction)
                } else {
                    throw table.error(venue, "expected \"timeout\", \"reject: REASON\" or \"fill:0.5\", found \"\(text)\"")
                }
            }
        }
        let outages = try sim.tables("outages").map { outage in
            try outage.allowOnly(["venues", "after_seconds", "for_seconds"])
            let venues = outage.has("venues") ? try outage.strings("venues").map { VenueId($0) } : []
            for venue in venues where !venueNames.contains(venue) {
                throw outage.error("venues", "unknown venue \"\(venue)\"; venues are \(venueNames.map(\.name).sorted().joined(separator: ", "))")
            }
            return FeedOutage(venues: Set(venues), start: .seconds(try outage.double("after_seconds", range: 0...1e7)),
                              length: .seconds(try outage.double("for_seconds", range: 0...1e7)))
        }
        let shocks = try sim.tables("shocks").map { shock in
            try shock.allowOnly(["asset", "after_seconds", "move"])
            let asset = Asset(try shock.string("asset"))
            guard assets.contains(where: { $0.asset == asset }) else {
                throw shock.error("asset", "unknown asset \"\(asset)\"; assets are \(assets.map(\.asset.code).joined(separator: ", "))")
            }
            return PriceShock(asset: asset, after: .seconds(try shock.double("after_seconds", range: 0...1e7)),
                              move: try shock.double("move", range: -0.99...10))
        }
        let balances = try parseBalances(root, venues: venueNames, chains: Set(chains.map(\.chain)))
        return DeskConfig(
            user: try root.optionalString("user"), theme: try root.optionalString("theme") ?? "dark",
            mouse: try root.optionalBool("mouse") ?? true, keymap: keymap,
            ledgerPath: try root.optionalString("ledger"), logPath: try root.optionalString("log"),
            keyMaxAgeDays: keyMaxAgeDays, seed: UInt64(seed),
            universe: SimulatedUniverse(seed: UInt64(seed), assets: assets, books: books, pools: pools, chains: chains,
                                        latency: latency, outages: outages, faults: faults, shocks: shocks),
            limits: limits, detection: policy, balances: balances, swapSlippageTolerance: tolerance,
            autoApprove: autoApproveEnabled ? autoApproveBounds : nil, autoApproveByUser: autoApproveByUser, legRisk: legRisk,
            sequentialRoutes: sequentialRoutes, autoApproveBounds: autoApproveBounds, autoHalt: autoHalt,
            maxExposurePerVenueUSD: venueExposure, positionVaRBudgetUSD: varBudget, denyList: denyList, plans: plans,
            stopLoss: stopLoss, marginBuffer: marginBuffer)
    }

    static func parseLimits(_ limits: ConfigReader) throws -> RiskLimits {
        try limits.allowOnly(["max_notional_usd", "daily_volume_usd", "allowed_pairs", "max_position", "daily_loss_usd",
                              "max_drawdown_usd", "failed_run", "feed_silence_seconds", "max_exposure_per_venue_usd",
                              "position_var_budget_usd", "stop_loss", "stop_loss_slippage_bps", "margin_reduce_at",
                              "margin_target", "margin_slippage_bps"])
        var maxPosition: [Asset: FixedDecimal] = [:]
        if let positions = try limits.optionalTable("max_position") {
            for asset in positions.keys { maxPosition[Asset(asset)] = try positions.positiveDecimal(asset, example: "100") }
        }
        return RiskLimits(
            maxNotionalPerTradeUSD: try limits.positiveDecimal("max_notional_usd", example: "25000"),
            dailyVolumeUSD: try limits.positiveDecimal("daily_volume_usd", example: "1000000"),
            maxPosition: maxPosition,
            allowedSymbols: Set(try limits.strings("allowed_pairs").map { try limits.symbol($0, key: "allowed_pairs") }))
    }

    /// The automatic halts and the venue exposure cap in [limits].
    static func parseAutoHalt(_ limits: ConfigReader) throws -> (AutoHaltLimits, FixedDecimal?, FixedDecimal?) {
        func decimal(_ key: String) throws -> FixedDecimal? {
            limits.has(key) ? try limits.positiveDecimal(key, example: "5000") : nil
        }
        let silence = try limits.optionalDouble("feed_silence_seconds", range: 1...86_400)
        return (AutoHaltLimits(dailyLossUSD: try decimal("daily_loss_usd"), drawdownUSD: try decimal("max_drawdown_usd"),
                               failedRun: try limits.optionalInt("failed_run", range: 1...1000),
                               feedSilence: silence.map { .nanoseconds(Int64($0 * 1e9)) }),
                try decimal("max_exposure_per_venue_usd"), try decimal("position_var_budget_usd"))
    }

    /// `[limits.stop_loss]`: per asset, the fall under its cost that closes it (percent); and how far under its quote
    /// a closing order may fill.
    static func parseStopLoss(_ limits: ConfigReader) throws -> StopLossLimits {
        var stops = StopLossLimits(maxSlippageBps: try limits.optionalInt("stop_loss_slippage_bps", range: 1...5000) ?? 100)
        if let table = try limits.optionalTable("stop_loss") {
            for asset in table.keys {
                let percent = try table.positiveDecimal(asset, example: "12")
                guard percent < FixedDecimal(100) else { throw table.error(asset, "expected a percentage under 100, found \"\(percent)\"") }
                stops.percentBelowCost[Asset(asset)] = percent
            }
        }
        return stops
    }

    /// The margin buffer in [limits]: both ratios or neither (off), the target under the trigger, both under 1.
    static func parseMarginBuffer(_ limits: ConfigReader) throws -> MarginBuffer? {
        guard limits.has("margin_reduce_at") || limits.has("margin_target") else { return nil }
        let reduceAt = try limits.positiveDecimal("margin_reduce_at", example: "0.5")
        let target = try limits.positiveDecimal("margin_target", example: "0.3")
        guard reduceAt < .one else { throw limits.error("margin_reduce_at", "expected a ratio under 1 (the venue liquidates at 1), found \"\(reduceAt)\"") }
        guard target < reduceAt else { throw limits.error("margin_target", "expected a ratio under margin_reduce_at \(reduceAt), found \"\(target)\"") }
        return MarginBuffer(reduceAt: reduceAt.doubleValue, target: target.doubleValue,
                            maxSlippageBps: try limits.optionalInt("margin_slippage_bps", range: 1...5000) ?? 50)
    }

    static func parseAssets(_ assets: ConfigReader) throws -> [SimulatedAsset] {
        try assets.keys.sorted().map { code in
            let asset = try assets.table(code)
            try asset.allowOnly(["price_usd", "volatility", "jumps_per_hour", "jump_size", "peg_reversion"])
            return SimulatedAsset(
                asset: Asset(code), priceUSD: try asset.double("price_usd", range: 1e-9...1e12),
                volatility: try asset.double("volatility", range: 0...20),
                jumpsPerHour: try asset.double("jumps_per_hour", range: 0...100_000),
                jumpSize: try asset.double("jump_size", range: 0...0.5),
                pegReversion: try asset.optionalDouble("peg_reversion", range: 0...100) ?? 0)
        }
    }

    static func parseChains(_ chains: ConfigReader, assets: Set<Asset>) throws -> [SimulatedChain] {
        try chains.keys.sorted().map { name in
            let chain = try chains.table(name)
            try chain.allowOnly(["gas_token", "gas_price", "gas_volatility", "block_time_ms"])
            let token = Asset(try chain.string("gas_token"))
            guard assets.contains(token) else {
                throw chain.error("gas_token", "\(token) is not one of the assets (\(assets.sorted().map(\.code).joined(separator: ", ")))")
            }
            return SimulatedChain(chain: ChainId(name), gasToken: token,
                                  gasPrice: try chain.double("gas_price", range: 0...1e9),
                                  gasVolatility: try chain.double("gas_volatility", range: 0...2),
                                  blockTime: .milliseconds(try chain.int("block_time_ms", range: 10...600_000)))
        }
    }

    static func parseVenues(_ venues: ConfigReader, chains: Set<ChainId>, assets: Set<Asset>) throws
        -> ([SimulatedBook], [SimulatedPool], [VenueId: Duration]) {
        var books: [SimulatedBook] = []
        var pools: [SimulatedPool] = []
        var latency: [VenueId: Duration] = [:]
        for name in venues.keys.sorted() {
            let venue = try venues.table(name)
            let kind = try venue.string("kind")
            let staleness = Duration.milliseconds(try venue.int("staleness_ms", range: 1...86_400_000))
            latency[VenueId(name)] = .milliseconds(try venue.int("latency_ms", range: 0...600_000))
            func checkedSymbol(_ text: String, in table: ConfigReader) throws -> Symbol {
                let symbol = try table.symbol(text, key: text)
                for asset in [symbol.base, symbol.quote] + (symbol.settle.map { [$0] } ?? []) where !assets.contains(asset) {
                    throw table.error(text, "\(asset) is not one of the assets under [assets]")
                }
                return symbol
            }
            switch kind {
            case "exchange":
                try venue.allowOnly(["kind", "taker_fee", "staleness_ms", "latency_ms", "catch_up_rate", "noise_bps",
                                     "half_spread_bps", "levels", "updates_per_second", "markets"])
                let spec = VenueSpec(id: VenueId(name), kind: .exchange, takerFee: try venue.decimal("taker_fee"),
                                     stalenessBound: staleness)
                let markets = try venue.table("markets")
                for pair in markets.keys.sorted() {
                    let market = try markets.table(pair)
                    let symbol = try checkedSymbol(pair, in: markets)
                    try market.allowOnly(Set(["tick", "lot", "min_notional", "top_quantity"]
                                                 + (symbol.isSpot ? [] : ["max_leverage", "maintenance_rate"])))
                    var instrument = InstrumentSpec(symbol: symbol, tickSize: try market.positiveDecimal("tick", example: "0.01"),
                                                    lotSize: try market.positiveDecimal("lot", example: "0.0001"),
                                                    minNotional: try market.decimal("min_notional", example: "5"))
                    if !symbol.isSpot {
                        let leverage = try market.positiveDecimal("max_leverage", example: "20")
                        guard leverage >= .one, leverage <= FixedDecimal(200) else {
                            throw market.error("max_leverage", "expected leverage from 1 to 200, found \"\(leverage)\"")
                        }
                        let rate = try market.positiveDecimal("maintenance_rate", example: "0.005")
                        guard rate < .one / leverage else {
                            throw market.error("maintenance_rate", "expected a rate under the initial margin 1/\(leverage), found \"\(rate)\"")
                        }
                        instrument.margin = MarginTerms(maxLeverage: leverage, maintenanceRate: rate)
                    }
                    books.append(SimulatedBook(
                        venue: spec,
                        instrument: instrument,
                        catchUpRate: try venue.double("catch_up_rate", range: 0...1000),
                        noiseBps: try venue.double("noise_bps", range: 0...1000),
                        halfSpreadBps: try venue.double("half_spread_bps", range: 0...1000),
                        levels: try venue.int("levels", range: 1...500),
                        topQuantity: try market.double("top_quantity", range: 1e-12...1e15),
                        updatesPerSecond: try venue.double("updates_per_second", range: 0...100)))
                }
            case "dex":
                try venue.allowOnly(["kind", "chain", "staleness_ms", "latency_ms", "pools"])
                let chain = ChainId(try venue.string("chain"))
                guard chains.contains(chain) else {
                    throw venue.error("chain", "\(chain) is not one of the chains under [chains]")
                }
                let spec = VenueSpec(id: VenueId(name), kind: .dex(chain: chain), takerFee: .zero, stalenessBound: staleness)
                let poolTable = try venue.table("pools")
                for pair in poolTable.keys.sorted() {
                    pools.append(try parsePool(try poolTable.table(pair), symbol: try checkedSymbol(pair, in: poolTable),
                                               venue: spec))
                }
            default:
                throw venue.error("kind", "expected \"exchange\" or \"dex\", found \"\(kind)\"")
            }
        }
        return (books, pools, latency)
    }

    static func parsePool(_ pool: ConfigReader, symbol: Symbol, venue: VenueSpec) throws -> SimulatedPool {
        let type = try pool.string("type")
        let common: Set = ["type", "base_reserve", "base_decimals", "quote_decimals", "gas_units", "swaps_per_second",
                           "arbitrage_catch_up", "address"]
        let kind: SimulatedPoolKind
        switch type {
        case "constant_product":
            try pool.allowOnly(common.union(["fee_bps"]))
            kind = .constantProduct(feeBps: try pool.int("fee_bps", range: 0...9999))
        case "concentrated":
            try pool.allowOnly(common.union(["fee_pips", "range_width"]))
            kind = .concentrated(feePips: try pool.int("fee_pips", range: 0...999_999),
                                 rangeWidth: try pool.double("range_width", range: 0.001...0.9))
        case "stable_swap":
            try pool.allowOnly(common.union(["amplification", "fee"]))
            kind = .stableSwap(amplification: try pool.int("amplification", range: 1...1_000_000),
                               fee: try pool.int("fee", range: 0...9_999_999_999))
        default:
            throw pool.error("type", "expected \"constant_product\", \"concentrated\" or \"stable_swap\", found \"\(type)\"")
        }
        let baseDecimals = try pool.int("base_decimals", range: 0...18)
        let quoteDecimals = try pool.int("quote_decimals", range: 0...18)
        if case .stableSwap = kind, baseDecimals != quoteDecimals {
            throw pool.error("quote_decimals", "a stable_swap pool here needs both coins at the same decimals")
        }
        let lot = FixedDecimal(units: 1, decimals: min(baseDecimals, 8))
        var simulated = SimulatedPool(
            venue: venue,
            instrument: InstrumentSpec(symbol: symbol, tickSize: FixedDecimal(units: 1, decimals: quoteDecimals),
                                       lotSize: lot, minNotional: .zero),
            kind: kind, baseDecimals: baseDecimals, quoteDecimals: quoteDecimals,
            baseReserve: try pool.double("base_reserve", range: 1e-9...1e15), gasUnits: try pool.int("gas_units", range: 0...30_000_000),
            swapsPerSecond: try pool.double("swaps_per_second", range: 0...100),
            arbitrageCatchUp: try pool.double("arbitrage_catch_up", range: 0...1))
        if let address = try pool.optionalString("address") {
            guard DenyList.isAddress(address) else {
                throw pool.error("address", "expected an EVM (0x + 40 hex) or Solana (base58) address, found \"\(address)\"")
            }
            simulated.address = address
        }
        return simulated
    }

    static func parseBalances(_ root: ConfigReader, venues: Set<VenueId>, chains: Set<ChainId>) throws -> Inventory {
        var inventory = Inventory()
        if let balances = try root.optionalTable("balances") {
            for name in balances.keys.sorted() {
                guard venues.contains(VenueId(name)) else {
                    throw balances.error(name, "\(name) is not one of the venues under [venues]")
                }
                let account = try balances.table(name)
                for asset in account.keys {
                    inventory.credit(Asset(asset), try account.decimal(asset, example: "1000"), at: .exchange(VenueId(name)))
                }
            }
        }
        if let wallets = try root.optionalTable("wallets") {
            for name in wallets.keys.sorted() {
                guard chains.contains(ChainId(name)) else {
                    throw wallets.error(name, "\(name) is not one of the chains under [chains]")
                }
                let wallet = try wallets.table(name)
                for asset in wallet.keys {
                    inventory.credit(Asset(asset), try wallet.decimal(asset, example: "1000"), at: .wallet(ChainId(name)))
                }
            }
        }
        return inventory
    }
}
