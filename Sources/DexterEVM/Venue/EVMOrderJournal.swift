import DexterCore
import DexterVenues
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What a chain venue knows of each order it was given, on disk before it acts: the swap's plan when it starts, the
/// signed transaction (hash, nonce and raw bytes) before a byte leaves for a node, the outcome once it is known.
/// After a crash the desk asks the venue about an order by its client id; the journal is how the venue finds the
/// transaction that order became — a swap that landed while dexter was down is found and booked, never sent twice.
public final class EVMOrderJournal: @unchecked Sendable {
    /// One order's newest state.
    public struct Entry: Codable, Sendable, Hashable {
        public enum Stage: String, Codable, Sendable {
            /// Taken; nothing signed yet.
            case planned
            /// Signed: a node may have it from now on.
            case signed
            /// A node took it.
            case sent
            /// Its outcome is known (`report`).
            case done
        }

        public var clientOrderId: String
        public var venue: String
        public var symbol: String
        public var side: Side
        public var stage: Stage
        /// The pool whose Swap log tells the fill, and the decimals its amounts are counted in.
        public var pool: String
        public var baseDecimals: Int
        public var quoteDecimals: Int
        public var hash: String?
        public var nonce: String?
        /// The signed transaction, 0x-hex: what is re-broadcast, byte for byte, if a node lost it. Public once sent.
        public var raw: String?
        public var route: String?
        /// Gas already burnt for this order by transactions before the swap (an approval, a wrap), in the gas token.
        public var gasBefore: FixedDecimal?
        public var report: ExecutionReport?
    }

    public let path: String
    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    private let descriptor: Int32

    /// Opens (or creates, 0600) the journal and reads what it holds. A torn last line (a crash mid-write) is ignored.
    public init(path: String) throws {
        self.path = path
        if let data = FileManager.default.contents(atPath: path) {
            let decoder = JSONDecoder()
            for line in data.split(separator: UInt8(ascii: "\n")) {
                if let entry = try? decoder.decode(Entry.self, from: Data(line)) { entries[entry.clientOrderId] = entry }
            }
        }
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
    }

    deinit { close(descriptor) }

    /// Appends the entry's new state and syncs it to disk before returning.
    public func record(_ entry: Entry) {
        guard var line = try? JSONEncoder().encode(entry) else { return }
        line.append(UInt8(ascii: "\n"))
        lock.lock()
        defer { lock.unlock() }
        entries[entry.clientOrderId] = entry
        _ = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        fsync(descriptor)
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
        return entries.values.filter { $0.venue == venue && $0.stage != .done }.sorted { $0.clientOrderId < $1.clientOrderId }
    }
}
