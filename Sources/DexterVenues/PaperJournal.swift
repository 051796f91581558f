import Foundation

/// The paper venues' own memory: every order they executed, appended and synced as it happens, so that after a
/// restart dexter can ask them what became of an order it had in flight, as it would ask a real venue.
public final class PaperJournal: @unchecked Sendable {
    public var path: String { file.path }
    private let lock = NSLock()
    private var reports: [String: ExecutionReport] = [:]
    private let file: SyncedJournalFile

    /// Opens (or creates, 0600) the journal and reads what it holds. A torn last line (a crash mid-write) is ignored.
    public init(path: String) throws {
        var reports: [String: ExecutionReport] = [:]
        let decoder = JSONDecoder()
        file = try SyncedJournalFile(path: path) { line in
            if let report = try? decoder.decode(ExecutionReport.self, from: line) { reports[report.clientOrderId] = report }
        }
        self.reports = reports
    }

    public func record(_ report: ExecutionReport) {
        lock.lock()
        defer { lock.unlock() }
        reports[report.clientOrderId] = report
        file.append(report)
    }

    public func report(for clientOrderId: String) -> ExecutionReport? {
        lock.lock()
        defer { lock.unlock() }
        return reports[clientOrderId]
    }
}
