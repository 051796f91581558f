import Synchronization

/// Something asked of the shared desk took longer than a box may wait for it.
public struct DeskTimeout: Error, CustomStringConvertible {
    public let what: String
    public let limit: Duration
    public var description: String {
        let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
        return "\(what) had no answer from the shared desk within \(seconds.formatted()) s"
    }
}

/// Runs `operation` and returns its result, or throws `DeskTimeout` once `limit` has passed, whichever comes first;
/// on timeout `abandon` runs (close the connection, so the query under it fails too) and the operation is cancelled
/// and left to finish on its own. A query on a connection whose server died can wait without end, and no box may
/// wait without end on the desk: its stop, its approvals and its reconnects depend on the answer coming back.
func withDeadline<T: Sendable>(_ limit: Duration, _ what: String, abandon: @escaping @Sendable () async -> Void = {},
                               _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    let race = Race<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            race.begin(continuation)
            let timer = Task {
                do { try await Task.sleep(for: limit) } catch { return }
                if race.finish(.failure(DeskTimeout(what: what, limit: limit))) {
                    race.cancelWork()
                    await abandon()
                }
            }
            race.start(Task {
                let result: Result<T, any Error>
                do { result = .success(try await operation()) } catch { result = .failure(error) }
                timer.cancel()
                _ = race.finish(result)
            })
        }
    } onCancel: {
        if race.finish(.failure(CancellationError())) { race.cancelWork() }
    }
}

/// Whichever of the work, the timer and cancellation comes first resumes the caller; the others find it resumed.
private final class Race<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var settled: Result<T, any Error>?
        var work: Task<Void, Never>?
        var cancelled = false
    }
    private let state = Mutex(State())

    func begin(_ continuation: CheckedContinuation<T, any Error>) {
        let early = state.withLock { state -> Result<T, any Error>? in
            if let settled = state.settled { return settled }
            state.continuation = continuation
            return nil
        }
        // Cancelled before the continuation was in place.
        if let early { continuation.resume(with: early) }
    }

    func start(_ work: Task<Void, Never>) {
        let cancel = state.withLock { state in
            state.work = work
            return state.cancelled
        }
        if cancel { work.cancel() }
    }

    /// True for the first to finish (it resumed the caller).
    func finish(_ result: Result<T, any Error>) -> Bool {
        let continuation = state.withLock { state -> CheckedContinuation<T, any Error>?? in
            guard state.settled == nil else { return .none }
            state.settled = result
            defer { state.continuation = nil }
            return .some(state.continuation)
        }
        guard case .some(let waiting) = continuation else { return false }
        waiting?.resume(with: result)
        return true
    }

    func cancelWork() {
        let work = state.withLock { state in
            state.cancelled = true
            return state.work
        }
        work?.cancel()
    }
}
