import DexterMarket

/// How a book kept from a venue's channel took a message.
public enum BookSyncOutcome: Sendable, Hashable {
    /// The book moved (or was rebuilt by a snapshot).
    case applied
    /// Nothing to do: an update before the snapshot, or a heartbeat.
    case ignored
    /// The book cannot be trusted: unsubscribe and subscribe again to get a fresh snapshot.
    case needsSnapshot(reason: String)
}

/// A local book a venue's WebSocket channel keeps: a snapshot on subscribe, then changes checked by the venue's own
/// rules (sequence, checksum). Pure: the feed resubscribes when told to.
public protocol StreamedBook: Sendable {
    associatedtype Message
    var isLive: Bool { get }
    mutating func apply(_ message: Message) -> BookSyncOutcome
    func orderBook(depth: Int) -> OrderBook
}
