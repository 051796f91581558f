import DexterCore
import DexterDetect
import DexterLedger
import DexterMarket
import DexterVenues

/// Orders the desk sent together and books as one: an approved arbitrage's legs (a pair's two, or a cycle's three
/// to five), the correction of uneven legs, or the orders closing a position (a stop-loss).
struct Execution: Sendable {
    let arbitrageId: String
    /// The approval on disk the booking refers to (written before any order left).
    let recordId: String
    let symbol: Symbol
    /// The arbitrage behind it; nil for orders the desk sends on its own (a stop-loss), which carry their own record.
    let opportunity: Opportunity?
    /// The cycle behind it, when the arbitrage is a cycle.
    let cycle: CycleOpportunity?
    let closingRecord: OpportunityRecord?
    var orders: [OrderRequest]
    var reports: [String: ExecutionReport] = [:]
    var purpose: ExecutionPurpose = .arbitrage
    /// The member who approved it (nil: the desk's own user, or the desk itself); its booking is theirs.
    var approvedBy: String?
    /// Orders held back until the one before them ends, in the order they go: a sequential pair's second leg, a
    /// margin cut's hedge, a cycle's later legs. Each is sized from the answer of the one before (`chaining`).
    var held: [OrderRequest] = []
    var chaining: Chaining = .sameQuantity

    /// How a held order is sized from the order before it.
    enum Chaining: Sendable {
        /// A hedge: the quantity the order before filled (a pair's second leg, a margin cut's hedge).
        case sameQuantity
        /// A cycle: what the leg before delivered is what this one spends.
        case proceeds
    }

    init(arbitrageId: String, recordId: String, opportunity: Opportunity, orders: [OrderRequest], purpose: ExecutionPurpose) {
        self.arbitrageId = arbitrageId
        self.recordId = recordId
        self.symbol = opportunity.symbol
        self.opportunity = opportunity
        self.cycle = nil
        self.closingRecord = nil
        self.orders = orders
        self.purpose = purpose
    }

    /// A cycle's legs, in the order they go: the first now, each next one for what the one before delivered.
    init(arbitrageId: String, recordId: String, cycle: CycleOpportunity, orders: [OrderRequest]) {
        precondition(orders.count == cycle.legs.count, "an order per leg")
        self.arbitrageId = arbitrageId
        self.recordId = recordId
        self.symbol = orders[0].symbol
        self.opportunity = nil
        self.cycle = cycle
        self.closingRecord = nil
        self.orders = orders
        self.held = Array(orders.dropFirst())
        self.chaining = .proceeds
    }

    /// Orders the desk sends on its own in one underlying (a stop-loss, a margin cut and its hedge, perpetual or spot),
    /// booked against `record`.
    init(closing orders: [OrderRequest], arbitrageId: String, record: OpportunityRecord, purpose: ExecutionPurpose) {
        precondition(!orders.isEmpty && Set(orders.map(\.symbol.underlying)).count == 1, "closing orders share one underlying")
        self.arbitrageId = arbitrageId
        self.recordId = record.id
        self.symbol = orders[0].symbol
        self.opportunity = nil
        self.cycle = nil
        self.closingRecord = record
        self.orders = orders
        self.purpose = purpose
    }

    var isComplete: Bool { reports.count == orders.count }

    /// How the trader knows it: "#12 ETH/USDT binance→kraken", or "stop-loss ETH ETH/USDT on binance".
    var name: DeskEvent.ExecutionName {
        DeskEvent.ExecutionName(purpose: purpose, opportunityId: opportunity?.id, route: opportunity?.route, symbol: symbol,
                                venues: orders.map(\.venue), cycle: cycle.map { "cycle #\($0.id) \($0.route)" })
    }

    /// What the ledger books it under: the pair, or a cycle's path ("USDT→ETH→BTC→USDT").
    var bookedPair: String { cycle?.path ?? symbol.description }
    /// The asset its realised P&L is attributed to: the pair's base, a cycle's start.
    var attributedAsset: Asset { cycle?.start ?? symbol.base }
    /// The estimate it is measured against.
    var expectedNetUSD: FixedDecimal? { opportunity?.netUSD ?? cycle?.netUSD }
}

/// Why an execution exists: an approved arbitrage, the correction of one whose legs came back uneven, or a
/// position closed by its stop-loss.
public enum ExecutionPurpose: Sendable, Hashable, CustomStringConvertible {
    case arbitrage
    case correction(of: String, action: LegRiskAction)
    case stopLoss(Asset)
    /// Perpetuals cut by the margin buffer, for this account (and their hedges elsewhere).
    case marginReduction(AccountId)

    public var description: String {
        switch self {
        case .arbitrage: "arbitrage"
        case .correction(let parent, let action): "\(action.rawValue) of \(parent)"
        case .stopLoss(let asset): "stop-loss \(asset)"
        case .marginReduction(let account): "margin buffer \(account)"
        }
    }

    /// Whether its orders only cut exposure (what reducing still lets out).
    var reducesExposure: Bool {
        switch self {
        case .arbitrage: false
        case .correction, .stopLoss, .marginReduction: true
        }
    }

    /// Whether its orders go out while halted: only a margin cut (the alternative is the venue's liquidation).
    var mayTradeWhileHalted: Bool {
        if case .marginReduction = self { return true }
        return false
    }

    /// How the Orders panel tags its orders when not by the arbitrage's number.
    var orderTag: String? {
        switch self {
        case .arbitrage, .correction: nil
        case .stopLoss: "stop"
        case .marginReduction: "margin"
        }
    }

    /// What the ledger calls it.
    var bookingKind: ArbitrageBooking.Kind {
        switch self {
        case .arbitrage: .arbitrage
        case .correction: .correction
        case .stopLoss: .stopLoss
        case .marginReduction: .marginReduction
        }
    }
}

/// A booking whose approval record cannot be found: never booked without it.
struct ApprovalMissing: Error, CustomStringConvertible {
    let recordId: String
    var description: String { "its approval \(recordId) is not on disk" }
}
