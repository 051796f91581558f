import DexterVenues

/// Where an order is in its life. Terminal states never change again.
public enum OrderState: String, Sendable, Hashable, CaseIterable, Codable {
    case initialized, denied, submitted, accepted
    case partiallyFilled = "partially_filled"
    case filled
    case pendingCancel = "pending_cancel"
    case canceled, rejected, expired

    public var isTerminal: Bool { [.denied, .filled, .canceled, .rejected, .expired].contains(self) }
    public var isLive: Bool { !isTerminal && self != .initialized }
}

/// What can happen to an order: decided here, sent, or reported by its venue.
public enum OrderEvent: Sendable, Hashable, Codable {
    /// A pre-trade check refused it; it was never sent.
    case deny
    case submit
    /// The venue acknowledged it (resting, or working).
    case accept
    /// A fill; `complete` when nothing is left.
    case fill(complete: Bool)
    case cancelRequested
    /// The venue confirmed the cancel (also: the unfilled rest of an IOC order).
    case canceled
    /// The venue refused the cancel: the order is still working.
    case cancelRejected
    case reject
    /// It timed out or its time in force ran out with nothing (left) to fill.
    case expire

    /// What an IOC report says happened to the rest of the order's life: a fill; a part fill with the rest
    /// canceled; nothing at the limit (expired); or a refusal.
    public static func settling(_ status: ExecutionReport.Status) -> [OrderEvent] {
        switch status {
        case .filled: [.fill(complete: true)]
        case .partiallyFilled: [.fill(complete: false), .canceled]
        case .expired: [.expire]
        case .rejected: [.reject]
        case .canceled: [.canceled]
        case .working: []
        }
    }

    public var name: String {
        switch self {
        case .deny: "deny"
        case .submit: "submit"
        case .accept: "accept"
        case .fill(let complete): complete ? "fill" : "partial_fill"
        case .cancelRequested: "cancel_requested"
        case .canceled: "canceled"
        case .cancelRejected: "cancel_rejected"
        case .reject: "reject"
        case .expire: "expire"
        }
    }
}

public struct IllegalTransition: Error, Sendable, Hashable, CustomStringConvertible {
    public let from: OrderState
    public let event: OrderEvent

    public init(from: OrderState, event: OrderEvent) {
        self.from = from
        self.event = event
    }

    public var description: String { "order cannot \(event.name) when \(from.rawValue)" }
}

/// The legal transitions, including the real-world ones: an IOC order that goes from submitted straight to filled
/// or expired; a fill that arrives after the cancel was sent; a cancel the venue refuses.
public enum OrderLifecycle {
    /// `filledSoFar` says whether any quantity has filled, which decides where a refused cancel returns to.
    public static func next(_ state: OrderState, on event: OrderEvent, filledSoFar: Bool = false) throws(IllegalTransition) -> OrderState {
        switch (state, event) {
        case (.initialized, .deny): return .denied
        case (.initialized, .submit): return .submitted

        case (.submitted, .accept): return .accepted
        case (.submitted, .reject), (.accepted, .reject): return .rejected

        case (.submitted, .fill(let complete)), (.accepted, .fill(let complete)), (.partiallyFilled, .fill(let complete)),
             (.pendingCancel, .fill(let complete)):
            // A fill racing the cancel still counts; a partial one leaves the cancel pending.
            if complete { return .filled }
            return state == .pendingCancel ? .pendingCancel : .partiallyFilled

        case (.submitted, .cancelRequested), (.accepted, .cancelRequested), (.partiallyFilled, .cancelRequested):
            return .pendingCancel
        case (.submitted, .canceled), (.accepted, .canceled), (.partiallyFilled, .canceled), (.pendingCancel, .canceled):
            return .canceled
        case (.pendingCancel, .cancelRejected): return filledSoFar ? .partiallyFilled : .accepted

        case (.submitted, .expire), (.accepted, .expire), (.partiallyFilled, .expire), (.pendingCancel, .expire):
            return .expired

        default:
            throw IllegalTransition(from: state, event: event)
        }
    }
}
