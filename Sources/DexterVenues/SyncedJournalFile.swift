import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A journal on disk as JSON Lines: opened (or created, 0600) and read whole at start, then appended one record at a
/// time and synced before `append` returns, so what a venue wrote down survives a crash. A torn last line (a crash
/// mid-write) is skipped when read. Callers keep their own index of the records and their own lock.
public final class SyncedJournalFile: Sendable {
    public let path: String
    private let descriptor: Int32

    /// Opens the file and hands every whole line already in it to `read`, in order.
    public init(path: String, read: (Data) -> Void) throws {
        self.path = path
        if let data = FileManager.default.contents(atPath: path) {
            for line in data.split(separator: UInt8(ascii: "\n")) { read(Data(line)) }
        }
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
    }

    deinit { close(descriptor) }

    /// Writes `record` as one line and syncs it to disk.
    public func append<Record: Encodable>(_ record: Record) {
        guard var line = try? JSONEncoder().encode(record) else { return }
        line.append(UInt8(ascii: "\n"))
        _ = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        fsync(descriptor)
    }
}
