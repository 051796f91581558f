import NIOCore
import Synchronization

/// The desk's event stream as clients read it: every event numbered, the last `capacity` kept, so a client that
/// reconnects with the last number it saw resumes without a gap (or learns that it must read the state again).
/// Events are encoded once, when appended: a hundred clients share the same bytes.
public final class EventJournal: Sendable {
    public struct Entry: Sendable, Hashable {
        public let sequence: UInt64
        /// The event as one JSON object, `seq` included.
        public let text: String
        /// The same bytes, ready for the wire: every subscriber's frame shares them rather than copying the text.
        let bytes: ByteBuffer

        init(sequence: UInt64, text: String) {
            self.sequence = sequence
            self.text = text
            bytes = ByteBuffer(string: text)
        }
    }

    /// What a subscriber gets: what it missed (oldest first), whether some of that is gone, and what comes next.
    public struct Subscription: Sendable {
        public let backlog: [Entry]
        /// Events after the client's number were dropped from the journal before it came back.
        public let gap: Bool
        public let live: AsyncStream<Entry>
        let id: UInt64
    }

    private struct State {
        var ring: [Entry?]
        var next: UInt64 = 1
        var subscribers: [UInt64: AsyncStream<Entry>.Continuation] = [:]
        var nextSubscriber: UInt64 = 0
    }

    public let capacity: Int
    /// How many events a subscriber may be behind before it is cut off (it reconnects and resumes from the journal).
    public let subscriberBuffer: Int
    private let state: Mutex<State>

    public init(capacity: Int = 100_000, subscriberBuffer: Int = 10_000) {
        precondition(capacity > 0 && subscriberBuffer > 0)
        self.capacity = capacity
        self.subscriberBuffer = subscriberBuffer
        state = Mutex(State(ring: Array(repeating: nil, count: capacity)))
    }

    /// The number the next event will carry.
    public var nextSequence: UInt64 { state.withLock { $0.next } }

    /// Numbers the event, keeps it, and hands it to every subscriber. `encode` gets the number and returns the JSON.
    @discardableResult
    public func append(_ encode: (UInt64) -> String) -> UInt64 {
        state.withLock { state in
            let sequence = state.next
            state.next += 1
            let entry = Entry(sequence: sequence, text: encode(sequence))
            state.ring[Int(sequence % UInt64(capacity))] = entry
            var lagging: [UInt64] = []
            for (id, continuation) in state.subscribers {
                if case .dropped = continuation.yield(entry) { lagging.append(id) }
            }
            // A subscriber too far behind is ended rather than silently skipped: its client resumes by number.
            for id in lagging { state.subscribers.removeValue(forKey: id)?.finish() }
            return sequence
        }
    }

    /// Subscribes from after `after` (nil: from now on). Backlog and live stream are taken under one lock: nothing
    /// falls between them.
    public func subscribe(after: UInt64?) -> Subscription {
        let (stream, continuation) = AsyncStream.makeStream(of: Entry.self,
                                                             bufferingPolicy: .bufferingOldest(subscriberBuffer))
        return state.withLock { state in
            var backlog: [Entry] = []
            var gap = false
            if let after, after + 1 < state.next {
                let oldestKept = state.next > UInt64(capacity) ? state.next - UInt64(capacity) : 1
                gap = after + 1 < oldestKept
                for sequence in max(after + 1, oldestKept)..<state.next {
                    if let entry = state.ring[Int(sequence % UInt64(capacity))] { backlog.append(entry) }
                }
            }
            let id = state.nextSubscriber
            state.nextSubscriber += 1
            state.subscribers[id] = continuation
            return Subscription(backlog: backlog, gap: gap, live: stream, id: id)
        }
    }

    public func unsubscribe(_ subscription: Subscription) {
        state.withLock { $0.subscribers.removeValue(forKey: subscription.id) }?.finish()
    }

    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }
}
