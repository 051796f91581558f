import DexterEngine
import Testing

/// Every state × every event: the legal transitions land where a venue's order would, everything else is refused.
@Suite struct OrderLifecycleTests {
    static let events: [OrderEvent] = [.deny, .submit, .accept, .fill(complete: false), .fill(complete: true), .cancelRequested,
                                       .canceled, .cancelRejected, .reject, .expire]

    /// The whole table of legal moves, written out independently of the implementation's switch.
    static let legal: [OrderState: [String: OrderState]] = [
        .initialized: ["deny": .denied, "submit": .submitted],
        .submitted: ["accept": .accepted, "partial_fill": .partiallyFilled, "fill": .filled, "cancel_requested": .pendingCancel,
                     "canceled": .canceled, "reject": .rejected, "expire": .expired],
        .accepted: ["partial_fill": .partiallyFilled, "fill": .filled, "cancel_requested": .pendingCancel, "canceled": .canceled,
                    "reject": .rejected, "expire": .expired],
        .partiallyFilled: ["partial_fill": .partiallyFilled, "fill": .filled, "cancel_requested": .pendingCancel,
                           "canceled": .canceled, "expire": .expired],
        .pendingCancel: ["partial_fill": .pendingCancel, "fill": .filled, "canceled": .canceled, "cancel_rejected": .accepted,
                         "expire": .expired],
    ]

    @Test func everyStateAndEvent() {
        var legalCount = 0, illegalCount = 0
        for state in OrderState.allCases {
            for event in Self.events {
                let expected = Self.legal[state]?[event.name]
                let actual = try? OrderLifecycle.next(state, on: event)
                #expect(actual == expected, "\(state) on \(event.name)")
                if expected == nil {
                    #expect(throws: IllegalTransition(from: state, event: event)) { try OrderLifecycle.next(state, on: event) }
                    illegalCount += 1
                } else {
                    legalCount += 1
                }
            }
        }
        #expect(legalCount == 25 && illegalCount == 75)
    }

    @Test func theRealWorldPaths() throws {
        // An IOC order that fills at once.
        #expect(try OrderLifecycle.next(.submitted, on: .fill(complete: true)) == .filled)
        // An IOC order that fills part and has the rest canceled by the venue.
        let part = try OrderLifecycle.next(.submitted, on: .fill(complete: false))
        #expect(try OrderLifecycle.next(part, on: .canceled) == .canceled)
        // A cancel that arrives after the fill: the fill wins, and the late cancel confirmation is refused.
        let cancelling = try OrderLifecycle.next(.accepted, on: .cancelRequested)
        let filled = try OrderLifecycle.next(cancelling, on: .fill(complete: true))
        #expect(filled == .filled)
        #expect(throws: IllegalTransition.self) { try OrderLifecycle.next(filled, on: .canceled) }
        // A refused cancel returns to working, remembering a partial fill.
        #expect(try OrderLifecycle.next(.pendingCancel, on: .cancelRejected, filledSoFar: true) == .partiallyFilled)
        for terminal in OrderState.allCases where terminal.isTerminal {
            #expect(!terminal.isLive)
            for event in Self.events { #expect(throws: IllegalTransition.self) { try OrderLifecycle.next(terminal, on: event) } }
        }
    }
}
