import Synchronization

/// The latest snapshot, where the screen thread can read it without waiting for the engine.
public final class SnapshotBoard: Sendable {
    private let latest = Mutex<Snapshot?>(nil)
    private let version = Atomic<UInt64>(0)

    public init() {}

    public func publish(_ snapshot: Snapshot) {
        latest.withLock { $0 = snapshot }
        version.add(1, ordering: .releasing)
    }

    public var current: Snapshot? { latest.withLock { $0 } }
    /// Bumped on every publish, so a reader can skip a redraw when nothing changed.
    public var currentVersion: UInt64 { version.load(ordering: .acquiring) }
}
