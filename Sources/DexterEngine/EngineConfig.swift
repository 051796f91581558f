import DexterCore
import DexterDetect
import DexterMarket
import DexterRisk
import DexterVenues

/// What the engine is started with; the executable builds it from config.toml.
public struct EngineConfig: Sendable {
    /// Who is trading: booked on every record.
    public var user: String
    /// "SIM" on the embedded market; always on screen.
    public var mode: String
    public var universe: SimulatedUniverse
    public var limits: RiskLimits
    public var detection: DetectionPolicy
    /// Starting inventory of a fresh ledger.
    public var initialBalances: Inventory
    /// How far a swap's average price may move against the approved one before it reverts (0.005 = 0.5 %).
    public var swapSlippageTolerance: FixedDecimal

    public init(user: String, mode: String, universe: SimulatedUniverse, limits: RiskLimits, detection: DetectionPolicy,
                initialBalances: Inventory, swapSlippageTolerance: FixedDecimal) {
        self.user = user
        self.mode = mode
        self.universe = universe
        self.limits = limits
        self.detection = detection
        self.initialBalances = initialBalances
        self.swapSlippageTolerance = swapSlippageTolerance
    }
}
