import DexterCore
import Foundation
import Synchronization

/// Kraken's REST nonce for one API key: it must be greater than every nonce the key has used (`EAPI:Invalid nonce`
/// otherwise), across restarts too. A nonce is microseconds since the epoch, but never at or below the last one
/// issued: in memory, the last one; across restarts, a high-water mark kept in a small file (`nonceFile`, in the
/// desk's state directory). The mark is written ahead — a nonce is issued only below a mark already on disk, and the
/// mark moves `reserve` beyond the nonce that passed it, before that nonce's request leaves — so a restarted desk,
/// even with its clock stepped back, starts above every nonce the last one sent, and the hot path touches the disk
/// once per `reserve` of use rather than once per request. The cost: after a restart nonces may run up to `reserve`
/// ahead of the clock, which matters only to another tool sharing the key (it should not: one key, one desk).
public final class KrakenNonce: Sendable {
    public let file: URL?
    let clock: any DexterCore.Clock
    let reserve: UInt64
    private let state: Mutex<(last: UInt64, mark: UInt64)>

    /// Reads the mark from `file` (absent: none yet). A file that holds anything but a number is refused: guessing
    /// could send a nonce Kraken has seen, or locks the key for a whole day of microseconds.
    public init(file: URL?, clock: any DexterCore.Clock = WallClock(), reserve: Duration = .seconds(60)) throws {
        self.file = file
        self.clock = clock
        self.reserve = UInt64(max(1, reserve.nanosecondsClamped / 1_000))
        var mark: UInt64 = 0
        if let file, FileManager.default.fileExists(atPath: file.path) {
            let text = try String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let value = UInt64(text) else { throw KrakenNonceError.unreadable(path: file.path) }
            mark = value
        }
        // Every nonce of the earlier run was at most its mark.
        state = Mutex((last: mark, mark: mark))
    }

    /// The high-water mark on disk (or in memory without a file): no nonce issued so far is above it.
    public var mark: UInt64 { state.withLock { $0.mark } }

    /// The next nonce: the clock's microseconds, or one above the last when the clock has not moved past it. Writes
    /// the mark first when the nonce would pass it; a failed write issues nothing.
    public func next() throws -> UInt64 {
        let micros = UInt64(max(0, clock.now().nanoseconds / 1_000))
        return try state.withLock { state in
            let nonce = max(micros, state.last + 1)
            if nonce > state.mark || file == nil {
                let mark = nonce + (file == nil ? 0 : reserve)
                if let file { try Self.write(mark, to: file) }
                state.mark = mark
            }
            state.last = nonce
            return nonce
        }
    }

    /// Written whole (a temporary file renamed over the old), so a crash mid-write leaves the old mark, not half a
    /// number.
    static func write(_ mark: UInt64, to file: URL) throws {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        do {
            try Data((String(mark) + "\n").utf8).write(to: file, options: .atomic)
        } catch {
            throw KrakenNonceError.unwritable(path: file.path, reason: "\(error)")
        }
    }
}

public enum KrakenNonceError: Error, Sendable, Hashable, CustomStringConvertible {
    case unreadable(path: String)
    case unwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path):
            "the Kraken nonce file \(path) does not hold a number: check it (or remove it only if no request with this key was sent in the last minute)"
        case .unwritable(let path, let reason): "the Kraken nonce file \(path) could not be written: \(reason)"
        }
    }
}
