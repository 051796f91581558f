import DexterCore
import DexterRisk

/// Several members at one desk: each command is handled as the member who sent it (an attached screen, the API),
/// so the role check, the audit entry and the booking are theirs. The desk's own user acts when no member does.
extension Engine {
    /// Who the command being handled comes from.
    var member: DeskUser { actingMember ?? config.deskUser }

    /// Handles `command` as `member`: their role decides, their name is audited.
    public func handle(_ command: EngineCommand, by member: DeskUser) {
        actingMember = member
        defer { actingMember = nil }
        handle(command)
    }

    /// Handles `command` as `member` and returns what the desk said doing it, oldest first: the API answers with it.
    public func perform(_ command: EngineCommand, by member: DeskUser) -> [Notification] {
        let before = notificationsSaid
        handle(command, by: member)
        return Array(notifications.prefix(min(notificationsSaid - before, notifications.count)).reversed())
    }

    /// Approves without a confirmation step: re-priced now, then the same checks and execution as a confirmed
    /// approval. For the API, whose client sees the re-priced figures in the answer. Refused while a screen's
    /// confirmation is up (one approval is decided at a time).
    public func approveNow(_ id: UInt64, by member: DeskUser) -> ApprovalOutcome {
        let before = notificationsSaid
        actingMember = member
        defer { actingMember = nil }
        if awaitingConfirmation, member.may(.approve) {
            return ApprovalOutcome(executed: false, awaitingOther: true, said: [])
        }
        requestApproval(of: id)
        var executed = false
        if let pending = confirmation, pending.requestedBy == member.name {
            let flights = inFlight.count
            confirmApproval(of: pending.repriced.id)
            executed = inFlight.count > flights
        }
        let said = Array(notifications.prefix(min(notificationsSaid - before, notifications.count)).reversed())
        return ApprovalOutcome(executed: executed, awaitingOther: false, said: said)
    }

    /// Today's traded volume of `member` in USD, what their own daily cap counts: the desk's user from the portfolio,
    /// another member from the ledger (an approval is rare enough to read it).
    func volumeToday(of member: DeskUser, at now: Timestamp) -> FixedDecimal {
        if member.name == config.user { return portfolio.userVolumeTodayUSD }
        return (try? ledgerReader.summary(ofDayContaining: now, user: member.name).volumeUSD) ?? portfolio.deskVolumeTodayUSD
    }
}

/// What an API approval came to.
public struct ApprovalOutcome: Sendable {
    /// Orders left for the venues.
    public var executed: Bool
    /// Another member's confirmation is up: nothing was tried.
    public var awaitingOther: Bool
    /// What the desk said, oldest first (a refusal, a denial, the approval).
    public var said: [Notification]
}

extension Engine {
    /// The plan tiers a member's plan means (what "pro" allows): the shared desk's, where several boxes trade as one.
    public var plans: [String: Plan] { config.plans }

    /// Takes the shared desk's plan tiers, which govern on every box: in force for the next check, and audited
    /// (by the desk's user, naming the box whose config set them) when they change here.
    public func adoptDeskPlans(_ plans: [String: Plan], setBy boxes: Set<String>) {
        guard plans != config.plans else { return }
        config.plans = plans
        let tiers = plans.values.sorted { $0.name < $1.name }.map { plan in
            "\(plan.name): " + [plan.maxVenues.map { "\($0) venues" }, plan.dailyVolumeUSD.map { "$\($0.formatted(digits: 2)) a day" }]
                .compactMap { $0 }.joined(separator: ", ").ifEmpty("no caps")
        }
        audit("plans from desk", tiers.joined(separator: "; ") + " (set by box \(boxes.sorted().joined(separator: ", ")))",
              at: clock.now())
    }
}

private extension String {
    func ifEmpty(_ other: String) -> String { isEmpty ? other : self }
}
