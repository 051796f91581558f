import DexterCore
import DexterDetect
import DexterMarket
import DexterRisk
import DexterVenues

/// What the engine is started with; the executable builds it from config.toml.
public struct EngineConfig: Sendable {
    /// Who is trading: booked on every record.
    public var user: String
    /// Always on screen; paper and live ledgers are kept apart.
    public var mode: DeskMode
    /// Venues whose account is the venue's to tell (LIVE exchanges): a fresh ledger opens with their balances, and
    /// the ledger is compared with them at start and after every fill there.
    public var reconciledVenues: [VenueId] = []
    public var limits: RiskLimits
    public var detection: DetectionPolicy
    /// Starting inventory of a fresh ledger.
    public var initialBalances: Inventory
    /// How far a swap's average price may move against the approved one before it reverts (0.005 = 0.5 %). Kept in
    /// the detection policy, so that detection sizes a swap to what the pre-trade check will hold it to.
    public var swapSlippageTolerance: FixedDecimal {
        get { detection.swapSlippageTolerance }
        set { detection.swapSlippageTolerance = newValue }
    }
    /// The trader's wallets and exchange accounts, as the vault describes them (no secrets). Empty on a fresh
    /// install: the embedded market's paper accounts are shown instead.
    public var wallets: [WalletLabel] = []
    /// Conditions the trader must see for the whole session (e.g. an API key past its rotation age).
    public var alerts: [String] = []
    /// Approve without a key what clears these bounds (re-priced, and still through risk). Off when nil.
    public var autoApprove: AutoApprovePolicy?
    /// What to do with the excess when legs come back uneven.
    public var legRisk = LegRiskPolicy()
    /// Routes ("buy>sell") whose legs go one after the other, riskiest first; every other route sends both at once.
    public var sequentialRoutes: Set<String> = []
    /// When transient failures are sent again.
    public var retry = RetryPolicy()
    /// How long an order may go without a word from its venue before the desk asks the venue about it (by client
    /// order id). A swap waits for its block: keep this past the slowest chain's block time.
    public var orderSilenceBeforeQuery: Duration = .seconds(30)
    /// Who is at the keyboard: role, plan and access. Every command is checked against it. By default the desk's
    /// only member, an admin who may trade (a fresh install).
    public var deskUser: DeskUser
    /// Largest USD value held at one venue, if capped; the plans' tiers.
    public var maxExposurePerVenueUSD: FixedDecimal?
    /// No position's one-day 99 % VaR may exceed this, in USD (volatility-based sizing); off when nil.
    public var positionVaRBudgetUSD: FixedDecimal?
    public var plans: [String: Plan] = Plan.standard
    /// Orders per second each venue's API allows, and the burst it tolerates.
    public var venueOrdersPerSecond = 10.0
    public var venueOrderBurst = 20.0
    /// Addresses no on-chain trade may touch; nil when none is configured.
    public var denyList: DenyList?
    /// When the desk halts on its own.
    public var autoHalt = AutoHaltLimits()
    /// When held inventory is sold down: an asset's price this far under its cost.
    public var stopLoss = StopLossLimits()
    /// When perpetual positions are cut before a margin call; off when nil.
    public var marginBuffer: MarginBuffer? = MarginBuffer()
    /// This box's share of the desk-wide daily volume, when it is one of several boxes on a shared desk.
    public var deskVolume: DeskAllowance?
    /// This box's share of the desk-wide position and VaR caps (nil: none desk-wide).
    public var deskCaps: DeskCaps?

    public init(user: String, mode: DeskMode, limits: RiskLimits, detection: DetectionPolicy,
                initialBalances: Inventory, swapSlippageTolerance: FixedDecimal) {
        self.user = user
        self.deskUser = DeskUser(name: user, role: .admin, mayTrade: true)
        self.mode = mode
        self.limits = limits
        self.detection = detection
        self.initialBalances = initialBalances
        self.detection.swapSlippageTolerance = swapSlippageTolerance
    }
}

/// Where market data comes from and where orders go (DESIGN.md, Modes).
public enum DeskMode: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The embedded simulator, paper fills.
    case sim = "SIM"
    /// Recorded markets, paper fills.
    case replay = "REPLAY"
    /// Live market data, paper fills against the live books and pools.
    case paper = "PAPER"
    /// Live market data, real orders and transactions.
    case live = "LIVE"

    public var description: String { rawValue }
}

/// A wallet or exchange account as the screen shows it: a name, a public address and where it holds balances.
public struct WalletLabel: Sendable, Hashable {
    public enum Kind: String, Sendable { case evm, evmWatch = "evm-watch", solana, cex }
    public var name: String
    public var kind: Kind
    /// EIP-55 or base58 address; the venue for an exchange account.
    public var address: String
    /// Chains (or the venue) it holds balances on.
    public var chains: [String]
    /// For an exchange account: its API key's suffix and age, e.g. "key …abcd 12d".
    public var keyNote: String?
    /// The API key is older than the configured rotation age.
    public var keyOverdue: Bool

    public init(name: String, kind: Kind, address: String, chains: [String], keyNote: String? = nil, keyOverdue: Bool = false) {
        self.name = name
        self.kind = kind
        self.address = address
        self.chains = chains
        self.keyNote = keyNote
        self.keyOverdue = keyOverdue
    }

    public var canSign: Bool { kind == .evm || kind == .solana }

    public var shortAddress: String {
        guard address.count > 14 else { return address }
        return "\(address.prefix(6))…\(address.suffix(4))"
    }
}

/// The auto-approve policy: off by default; when on, an opportunity is approved without a key if, re-priced on the
/// market now, it nets at least `minNetUSD`, its buy leg is at most `maxNotionalUSD`, and its pair is allowed.
public struct AutoApprovePolicy: Sendable, Hashable {
    public var minNetUSD: FixedDecimal
    public var maxNotionalUSD: FixedDecimal
    /// Empty: every pair the risk limits allow.
    public var pairs: Set<Symbol>

    public init(minNetUSD: FixedDecimal, maxNotionalUSD: FixedDecimal, pairs: Set<Symbol>) {
        self.minNetUSD = minNetUSD
        self.maxNotionalUSD = maxNotionalUSD
        self.pairs = pairs
    }

    public func admits(_ opportunity: Opportunity, quoteUSD: Double) -> Bool {
        opportunity.netUSD >= minNetUSD
            && opportunity.buy.notional * FixedDecimal(approximating: quoteUSD) <= maxNotionalUSD
            && (pairs.isEmpty || opportunity.legs.allSatisfy { pairs.contains($0.symbol) })
    }
}
