import DexterCore
import DexterDesk
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

    static let keys: Set<String> = ["postgres_url", "box", "daily_volume_usd", "reserve_slice_usd"]

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
        if desk.database == nil, desk.dailyVolumeUSD != nil {
            throw table.error("daily_volume_usd", "a desk-wide limit needs the shared desk: set postgres_url too")
        }
        return desk
    }
}
