@testable import DexterEngine

extension Snapshot {
    /// The desk's events, newest first: what tests match on (their wording is pinned in DeskEventTextTests alone).
    var events: [DeskEvent] { notifications.map(\.event) }
}
