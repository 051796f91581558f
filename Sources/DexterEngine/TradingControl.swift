import DexterCore
import DexterRisk

/// The desk's trading state and what the automatic halts watch: halted (the kill switch, an automatic limit, a
/// ledger that cannot be written), reducing, stopped-out assets, and the day's loss baseline and realised peak. It
/// decides; the engine audits, notifies and cancels around its decisions.
struct TradingControl: Sendable {
    private(set) var haltReason: String?
    private(set) var reducingReason: String?
    /// A ledger failure is not lifted by `resume`: only a restart with a working ledger is.
    private(set) var ledgerFailed = false
    /// Assets closed by their stop-loss, and why: no new arbitrage in them until a resume re-arms them.
    private(set) var stoppedOut: [Asset: String] = [:]
    /// Where a resume left today's realised P&L when it was a loss: the daily loss limit counts from there.
    private(set) var lossBaselineUSD = FixedDecimal.zero
    /// Today's realised high, for the drawdown halt.
    private(set) var realisedPeakUSD = FixedDecimal.zero
    /// Arbitrages that filled nothing, in a row.
    private(set) var failuresInARow = 0

    var state: TradingState { haltReason != nil ? .halted : reducingReason != nil ? .reducing : .active }

    /// Halts; false when already halted (the first reason stands).
    mutating func halt(_ reason: String) -> Bool {
        guard haltReason == nil else { return false }
        haltReason = reason
        return true
    }

    /// The ledger cannot be written: halted, and only a restart lifts it.
    mutating func ledgerCannotBeWritten(_ reason: String = "the ledger could not be written") {
        haltReason = reason
        ledgerFailed = true
    }

    /// Reducing; false when halted or reducing already.
    mutating func reduce(_ reason: String) -> Bool {
        guard haltReason == nil, reducingReason == nil else { return false }
        reducingReason = reason
        return true
    }

    /// What a resume did.
    enum Resumption: Sendable, Equatable {
        /// Reducing lifted (this was its reason).
        case fromReducing(String)
        /// Not halted nor reducing: stopped-out assets re-armed.
        case stopsOnly
        /// The halt lifted; today's loss counts from `baseline` (zero when the day was not a loss).
        case fromHalt(String, baseline: FixedDecimal)
        /// A ledger failure is not lifted by a resume.
        case refused(String)
        case nothingToResume
    }

    /// Which resume this is, before anyone's permission is asked.
    var pendingResumption: Resumption {
        if haltReason == nil, let reducing = reducingReason { return .fromReducing(reducing) }
        if haltReason == nil { return stoppedOut.isEmpty ? .nothingToResume : .stopsOnly }
        if let haltReason, ledgerFailed { return .refused(haltReason) }
        return .fromHalt(haltReason ?? "", baseline: .zero)
    }

    /// Resumes: a halt's breach is accepted (the daily loss counts from today's realised P&L if it is a loss, the
    /// drawdown from there), reducing is lifted, stops are left for `rearmStops`.
    mutating func resume(realisedToday: FixedDecimal) -> Resumption {
        switch pendingResumption {
        case .fromReducing(let reason):
            reducingReason = nil
            return .fromReducing(reason)
        case .fromHalt(let reason, _):
            haltReason = nil
            reducingReason = nil
            failuresInARow = 0
            lossBaselineUSD = FixedDecimal.min(.zero, realisedToday)
            realisedPeakUSD = realisedToday
            return .fromHalt(reason, baseline: lossBaselineUSD)
        case let other:
            return other
        }
    }

    /// Re-arms every stop that fired; returns the assets, sorted (empty when none had).
    mutating func rearmStops() -> [Asset] {
        defer { stoppedOut = [:] }
        return stoppedOut.keys.sorted()
    }

    mutating func stopOut(_ asset: Asset, because reading: String) { stoppedOut[asset] = reading }

    /// An arbitrage that filled nothing: a run of them is what the failure halt counts.
    mutating func arbitrageFilledNothing() { failuresInARow += 1 }
    /// An arbitrage that completed ends the run (a partial one is leg risk's to handle).
    mutating func arbitrageCompleted() { failuresInARow = 0 }

    mutating func realisedMoved(to realisedToday: FixedDecimal) { realisedPeakUSD = max(realisedPeakUSD, realisedToday) }

    /// Whether an order sent for `purpose` may leave in this state: halted lets out only a margin cut (the
    /// alternative being the venue's liquidation); reducing only what cuts exposure. Nil when it may.
    func refusal(for purpose: ExecutionPurpose) -> OrderRefusal? {
        if ledgerFailed { return .ledgerCannotBeWritten }
        if let haltReason, !purpose.mayTradeWhileHalted { return .halted(reason: haltReason) }
        if let reducingReason, !purpose.reducesExposure { return .reducing(reason: reducingReason) }
        return nil
    }
}

// MARK: - What outlives a restart

extension TradingControl {
    /// An entry of the audit trail as the trading state reads it.
    struct AuditLine: Sendable {
        let action: String
        let detail: String
        /// ISO 8601, UTC.
        let at: String
    }

    /// The actions that change what a restart must read back.
    static let standingActions = ["halt", "resume", "reducing", "active", "stop-loss", "stop re-armed"]

    /// What the last session left in force, read back from the audit trail in order: a halt not resumed, reducing not
    /// lifted, stops that fired and were not re-armed, and today's resume baseline. A restart is no way around the
    /// kill switch. `today` is the UTC day of the start ("YYYY-MM-DD"): a baseline holds only on its own day.
    init(standingFrom entries: [AuditLine], today: String, realisedToday: FixedDecimal) {
        for entry in entries {
            switch entry.action {
            case "halt": haltReason = entry.detail
            case "resume":
                haltReason = nil
                reducingReason = nil
                let marker = Self.baselineMarker
                if entry.at.hasPrefix(today), let range = entry.detail.range(of: marker, options: .backwards),
                   let baseline = FixedDecimal(String(entry.detail[range.upperBound...].dropLast(" USD".count))) {
                    lossBaselineUSD = baseline
                } else {
                    lossBaselineUSD = .zero
                }
            case "reducing": reducingReason = entry.detail
            case "active": reducingReason = nil
            case "stop-loss":
                if let asset = entry.detail.split(separator: " ").first { stoppedOut[Asset(String(asset))] = entry.detail }
            default:
                for asset in entry.detail.split(separator: ",") {
                    stoppedOut[Asset(asset.trimmingCharacters(in: .whitespaces))] = nil
                }
            }
        }
        // The drawdown window a resume opened starts again from the resume (or from now, if higher).
        if lossBaselineUSD.isNegative { realisedPeakUSD = max(lossBaselineUSD, realisedToday) }
    }

    /// How a resume's audit entry states its baseline, so a restart the same day can read it back.
    static let baselineMarker = "; the daily loss limit now counts from "
}

/// The trading state changed: to what, why, and by whom (the desk's own user for an automatic halt).
public struct TradingStateChange: Sendable, Hashable {
    public var state: TradingState
    public var reason: String
    public var member: String

    public init(state: TradingState, reason: String, member: String) {
        self.state = state
        self.reason = reason
        self.member = member
    }

    init?(_ event: DeskEvent, by member: String) {
        switch event {
        case .halted(let reason, _, _): self.init(state: .halted, reason: reason, member: member)
        case .reducing(let reason): self.init(state: .reducing, reason: reason, member: member)
        case .active(let after): self.init(state: .active, reason: "resumed after reducing: \(after)", member: member)
        case .resumed(let after, _): self.init(state: .active, reason: "resumed after: \(after)", member: member)
        default: return nil
        }
    }
}
