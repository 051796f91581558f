import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The paper venues' own memory: every order they executed, appended and synced as it happens, so that after a
/// restart dexter can ask them what became of an order it had in flight, as it would ask a real venue.
public final class PaperJournal: @unchecked Sendable {
    public let path: String
    private let lock = NSLock()
    private var reports: [String: ExecutionReport] = [:]
    private let descriptor: Int32

    /// Opens (or creates, 0600) the journal and reads what it holds. A torn last line (a crash mid-write) is ignored.
    public init(path: String) throws {
        self.path = path
        if let data = FileManager.default.contents(atPath: path) {
            let decoder = JSONDecoder()
            for line in data.split(separator: UInt8(ascii: "\n")) {
                if let report = try? decoder.decode(ExecutionReport.self, from: Data(line)) { reports[report.clientOrderId] = report }
            }
        }
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }

    deinit { close(descriptor) }

    public func record(_ report: ExecutionReport) {
        guard var line = try? JSONEncoder().encode(report) else { return }
        line.append(UInt8(ascii: "\n"))
        lock.lock()
        defer { lock.unlock() }
        reports[report.clientOrderId] = report
        _ = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        fsync(descriptor)
    }

    public func report(for clientOrderId: String) -> ExecutionReport? {
        lock.lock()
        defer { lock.unlock() }
        return reports[clientOrderId]
    }
}
