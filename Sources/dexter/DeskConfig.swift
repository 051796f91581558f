import DexterCore
import DexterDetect
import DexterEVM
import DexterSolana
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
    /// Every venue under [venues]: its facts and the connector that serves it.
    var venues: [ConfiguredVenue]
    /// The embedded market of the venues the simulator serves: their facts joined with the knobs under [sim].
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
    /// How a desk on a recording (--replay) is set up.
    var replay = ReplayDeskConfig()
    /// The chains read live (`rpc_urls` under [chains.NAME]), for the DEX venues of the "evm" connector.
    var liveChains: [ChainId: EVMChainSettings] = [:]
    /// `[chains.solana]` read live, for the venues of the "solana" connector.
    var solanaChain: SolanaChainSettings?
    /// `[service]`: dexter serve's socket, TCP listener, TLS and stderr log format.
    var service = ServiceConfig()
    /// `[desk]`: the shared desk on PostgreSQL, when this box is one of several.
    var sharedDesk = SharedDeskConfig(database: nil, box: "box")

    func engineConfig(user: String) -> EngineConfig {
        // Any venue served by a live connector means live market data: PAPER (paper fills on its books).
        var config = EngineConfig(user: user, mode: liveVenues.isEmpty ? .sim : .paper, limits: limits, detection: detection,
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
        // One desk-wide daily volume, reserved from the shared desk (SharedDeskLink fills this box's share).
        if sharedDesk.database != nil, sharedDesk.dailyVolumeUSD != nil { config.deskVolume = DeskAllowance() }
        if sharedDesk.database != nil, !sharedDesk.caps.isEmpty { config.deskCaps = DeskCaps(kinds: Set(sharedDesk.caps.keys)) }
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
        try SimConfig.rejectAssetsTable(root)
        try root.allowOnly(["user", "theme", "mouse", "keymap", "auto_approve", "leg_risk", "execution", "ledger", "log", "keys", "sim", "detection", "limits", "chains", "venues", "compliance", "plans",
                            "balances", "wallets", "replay", "service", "desk"])
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
        try detection.allowOnly(["min_net_usd", "swap_slippage_tolerance", "funding_horizon_hours", "spot_perpetual"])
        let tolerance = try detection.decimal("swap_slippage_tolerance", example: "0.005")
        guard tolerance >= .zero, tolerance < .one else {
            throw detection.error("swap_slippage_tolerance", "expected a fraction between 0 and 1, found \"\(tolerance)\"")
        }
        let limits = try parseLimits(try root.table("limits"))
        let (autoHalt, venueExposure, varBudget) = try parseAutoHalt(try root.table("limits"))
        let stopLoss = try parseStopLoss(try root.table("limits"))
        let marginBuffer = try parseMarginBuffer(try root.table("limits"))
        let horizon = try detection.optionalDouble("funding_horizon_hours", range: 0...24 * 365) ?? 8
        let policy = DetectionPolicy(minNetUSD: try detection.decimal("min_net_usd", example: "0.50"),
                                     maxNotionalUSD: limits.maxNotionalPerTradeUSD,
                                     fundingHorizon: .milliseconds(Int64(horizon * 3_600_000)),
                                     spotPerpetual: try detection.optionalBool("spot_perpetual") ?? true)

        let (gasTokens, liveChains, solana) = try parseChains(try root.table("chains"))
        let venues = try parseVenues(try root.table("venues"), chains: Set(gasTokens.keys), liveChains: liveChains,
                                     solana: solana, connectors: VenueConnectors.standard.names)
        let universe = try SimConfig.parse(root, venues: venues, gasTokens: gasTokens)
        let balances = try parseBalances(root, venues: Set(venues.map(\.spec.id)), chains: Set(gasTokens.keys))
        return DeskConfig(
            user: try root.optionalString("user"), theme: try root.optionalString("theme") ?? "dark",
            mouse: try root.optionalBool("mouse") ?? true, keymap: keymap,
            ledgerPath: try root.optionalString("ledger"), logPath: try root.optionalString("log"),
            keyMaxAgeDays: keyMaxAgeDays, seed: universe.seed, venues: venues, universe: universe,
            limits: limits, detection: policy, balances: balances, swapSlippageTolerance: tolerance,
            autoApprove: autoApproveEnabled ? autoApproveBounds : nil, autoApproveByUser: autoApproveByUser, legRisk: legRisk,
            sequentialRoutes: sequentialRoutes, autoApproveBounds: autoApproveBounds, autoHalt: autoHalt,
            maxExposurePerVenueUSD: venueExposure, positionVaRBudgetUSD: varBudget, denyList: denyList, plans: plans,
            stopLoss: stopLoss, marginBuffer: marginBuffer, replay: try ReplayDeskConfig.parse(root),
            liveChains: liveChains, solanaChain: solana, service: try ServiceConfig.parse(root),
            sharedDesk: try SharedDeskConfig.parse(root))
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

extension DeskConfig {
    /// What a running desk takes from this config when it is read again (the reload key).
    var configReload: ConfigReload {
        ConfigReload(limits: limits, autoHalt: autoHalt, maxExposurePerVenueUSD: maxExposurePerVenueUSD,
                     positionVaRBudgetUSD: positionVaRBudgetUSD, denyList: denyList, stopLoss: stopLoss,
                     marginBuffer: marginBuffer)
    }
}
