import DexterCore
import DexterDesk
import DexterEngine
import Foundation

/// `[desk]`: the shared desk several boxes trade as one. Without `postgres_url` the box is a desk of its own.
struct SharedDeskConfig: Sendable {
    var database: DeskDatabase?
    /// This box's name at the desk: unique per box (its rows are keyed by it). Default: the host's name.
    var box: String
    /// The desk-wide daily volume limit in USD, reserved from the desk before orders leave (nil: none desk-wide).
    var dailyVolumeUSD: FixedDecimal?
    /// How much of it a box keeps reserved ahead: what it may still trade while the desk is unreachable.
    var reserveSliceUSD: FixedDecimal = .zero
    /// Desk-wide position caps per asset, in units of it (nil: none desk-wide).
    var maxPosition: [Asset: FixedDecimal] = [:]
    /// The desk-wide VaR budget: every box's positions' one-day 99 % VaR together, in USD.
    var varBudgetUSD: FixedDecimal?

    /// The standing caps by the desk's names for them.
    var caps: [String: FixedDecimal] {
        var caps = Dictionary(uniqueKeysWithValues: maxPosition.map { (DeskCaps.position($0.key), $0.value) })
        if let varBudgetUSD { caps[DeskCaps.valueAtRisk] = varBudgetUSD }
        return caps
    }

    static let keys: Set<String> = ["postgres_url", "box", "daily_volume_usd", "reserve_slice_usd", "max_position",
                                    "var_budget_usd"]

    static func parse(_ root: ConfigReader) throws -> SharedDeskConfig {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "box"
        guard let table = try root.optionalTable("desk") else { return SharedDeskConfig(database: nil, box: host) }
        try table.allowOnly(keys)
        var desk = SharedDeskConfig(database: nil, box: host)
        if let url = try table.optionalString("postgres_url") {
            do { desk.database = try DeskDatabase(url: url) } catch { throw table.error("postgres_url", error.description) }
        }
        if let box = try table.optionalString("box") {
            guard !box.isEmpty, box.count <= 64, box.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
                throw table.error("box", "expected a name of letters, digits, '-', '_' or '.' (at most 64), found \"\(box)\"")
            }
            desk.box = box
        }
        if table.has("daily_volume_usd") { desk.dailyVolumeUSD = try table.positiveDecimal("daily_volume_usd", example: "5000000") }
        if table.has("reserve_slice_usd") {
            desk.reserveSliceUSD = try table.decimal("reserve_slice_usd", example: "50000")
            guard !desk.reserveSliceUSD.isNegative else { throw table.error("reserve_slice_usd", "expected 0 or more, found \"\(desk.reserveSliceUSD)\"") }
        }
        if let positions = try table.optionalTable("max_position") {
            for asset in positions.keys { desk.maxPosition[Asset(asset)] = try positions.positiveDecimal(asset, example: "100") }
        }
        if table.has("var_budget_usd") { desk.varBudgetUSD = try table.positiveDecimal("var_budget_usd", example: "250000") }
        if desk.database == nil {
            for key in ["daily_volume_usd", "max_position", "var_budget_usd"] where table.has(key) {
                throw table.error(key, "a desk-wide limit needs the shared desk: set postgres_url too")
            }
        }
        return desk
    }
}
