import DexterRisk
import DexterCore
/// What the screen (or a script) asks of the engine. Commands are handled one at a time, in the order sent.
public enum EngineCommand: Sendable, Hashable {
    case requestApproval(UInt64)
    case confirm(UInt64)
    case cancelApproval
    case reject(UInt64)
    /// The same for a cycle, by its own number (cycles are numbered apart from pairs).
    case requestCycleApproval(UInt64)
    case confirmCycle(UInt64)
    case rejectCycle(UInt64)
    /// The kill switch: halt, drop a pending approval; nothing is sent until `resume`.
    case halt(String)
    /// Reducing: only orders that cut exposure (a risk manager's call); `resume` returns to active.
    case reduce(String)
    case resume
    /// The trader's cancel of one live order (the Orders panel's key); audited.
    case cancelOrder(String)
    /// The trader's speed-up of one order waiting to be mined: sent again paying more (the Orders panel's key); audited.
    case speedUp(String)
    /// A risk manager changes a limit; audited.
    case setLimit(LimitChange)
    /// config.toml read again: its limits, automatic halts and deny list take effect; audited.
    case reloadConfig(ConfigReload)
}

/// What a config reload can change while the desk runs.
public struct ConfigReload: Sendable, Hashable {
    public var limits: RiskLimits
    public var autoHalt: AutoHaltLimits
    public var maxExposurePerVenueUSD: FixedDecimal?
    public var positionVaRBudgetUSD: FixedDecimal?
    public var denyList: DenyList?
    public var stopLoss: StopLossLimits
    public var marginBuffer: MarginBuffer?

    public init(limits: RiskLimits, autoHalt: AutoHaltLimits, maxExposurePerVenueUSD: FixedDecimal?,
                positionVaRBudgetUSD: FixedDecimal?, denyList: DenyList?, stopLoss: StopLossLimits = StopLossLimits(),
                marginBuffer: MarginBuffer? = MarginBuffer()) {
        self.limits = limits
        self.stopLoss = stopLoss
        self.marginBuffer = marginBuffer
        self.autoHalt = autoHalt
        self.maxExposurePerVenueUSD = maxExposurePerVenueUSD
        self.positionVaRBudgetUSD = positionVaRBudgetUSD
        self.denyList = denyList
    }
}

/// One risk limit changed at the desk.
public enum LimitChange: Sendable, Hashable, CustomStringConvertible {
    case maxNotionalPerTradeUSD(FixedDecimal)
    case dailyVolumeUSD(FixedDecimal)
    case maxPosition(Asset, FixedDecimal)

    public var description: String {
        switch self {
        case .maxNotionalPerTradeUSD(let value): return "max notional per trade $\(value.formatted(digits: 2))"
        case .dailyVolumeUSD(let value): return "daily volume $\(value.formatted(digits: 2))"
        case .maxPosition(let asset, let value): return "max position \(asset) \(value)"
        }
    }
}

extension Engine {
    public func handle(_ command: EngineCommand) {
        switch command {
        case .requestApproval(let id): requestApproval(of: id)
        case .confirm(let id): confirmApproval(of: id)
        case .cancelApproval: cancelApproval()
        case .reject(let id): reject(id)
        case .requestCycleApproval(let id): requestCycleApproval(of: id)
        case .confirmCycle(let id): confirmCycle(id)
        case .rejectCycle(let id): rejectCycle(id)
        case .halt(let reason): halt(reason)
        case .reduce(let reason): reduce(reason)
        case .resume: resume()
        case .cancelOrder(let id): cancelOrder(id)
        case .speedUp(let id): speedUp(id)
        case .setLimit(let change): setLimit(change)
        case .reloadConfig(let reload): reloadConfig(reload)
        }
    }

    /// A sender that keeps commands in order, and the task that feeds them to the engine.
    public nonisolated func commandChannel() -> (send: @Sendable (EngineCommand) -> Void, task: Task<Void, Never>) {
        let (stream, continuation) = AsyncStream.makeStream(of: EngineCommand.self)
        let task = Task { for await command in stream { await self.handle(command) } }
        return ({ continuation.yield($0) }, task)
    }
}
