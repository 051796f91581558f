import Foundation

/// One order's state as a chain venue journals it: found by its client order id, settled once its outcome is known.
public protocol JournaledOrder: Codable, Sendable {
    var clientOrderId: String { get }
    var venue: String { get }
    var isSettled: Bool { get }
}

/// What a chain venue knows of each order, on disk before it acts (`SyncedJournalFile`): each order's newest state,
/// written through `merge` so that what another writer added meanwhile (a replacement, an attempt) is never dropped
/// by a writer holding an older copy. After a crash the venue finds each order's transactions here.
public final class OrderJournalStore<Entry: JournaledOrder>: @unchecked Sendable {
    public var path: String { file.path }
    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    private let file: SyncedJournalFile
    private let merge: @Sendable (_ known: Entry, _ new: Entry) -> Entry

    /// Opens (or creates, 0600) the journal and reads what it holds. A torn last line (a crash mid-write) is ignored.
    public init(path: String, merge: @escaping @Sendable (_ known: Entry, _ new: Entry) -> Entry) throws {
        var entries: [String: Entry] = [:]
        let decoder = JSONDecoder()
        file = try SyncedJournalFile(path: path) { line in
            if let entry = try? decoder.decode(Entry.self, from: line) { entries[entry.clientOrderId] = entry }
        }
        self.entries = entries
        self.merge = merge
    }

    /// Writes the order's newest state (merged with what is known of it), synced to disk before it returns.
    public func record(_ entry: Entry) {
        lock.lock()
        defer { lock.unlock() }
        let merged = entries[entry.clientOrderId].map { merge($0, entry) } ?? entry
        entries[entry.clientOrderId] = merged
        file.append(merged)
    }

    public func entry(_ clientOrderId: String) -> Entry? {
        lock.lock()
        defer { lock.unlock() }
        return entries[clientOrderId]
    }

    /// Orders of `venue` whose outcome is not known yet.
    public func unsettled(on venue: String) -> [Entry] {
        lock.lock()
        defer { lock.unlock() }
        return entries.values.filter { $0.venue == venue && !$0.isSettled }.sorted { $0.clientOrderId < $1.clientOrderId }
    }
}
