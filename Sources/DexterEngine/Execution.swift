import DexterCore
import DexterDetect
import DexterLedger
import DexterMarket
import DexterVenues

/// Orders the desk sent together and books as one: an approved arbitrage's legs, the correction of uneven legs, or
/// the orders closing a position (a stop-loss).
struct Execution: Sendable {
    let arbitrageId: String
    /// The approval on disk the booking refers to (written before any order left).
    let recordId: String
    let symbol: Symbol
    /// The arbitrage behind it; nil for orders the desk sends on its own (a stop-loss), which carry their own record.
    let opportunity: Opportunity?
    let closingRecord: OpportunityRecord?
    var orders: [OrderRequest]
    var reports: [String: ExecutionReport] = [:]
    var purpose: ExecutionPurpose = .arbitrage
    /// Sequential legs: the order held back until the first one fills.
    var heldBack: OrderRequest?

    init(arbitrageId: String, recordId: String, opportunity: Opportunity, orders: [OrderRequest], purpose: ExecutionPurpose) {
        self.arbitrageId = arbitrageId
        self.recordId = recordId
        self.symbol = opportunity.symbol
        self.opportunity = opportunity
        self.closingRecord = nil
        self.orders = orders
        self.purpose = purpose
    }

    /// Orders the desk sends on its own in one instrument (a stop-loss, a margin cut), booked against `record`.
    init(closing orders: [OrderRequest], arbitrageId: String, record: OpportunityRecord, purpose: ExecutionPurpose) {
        precondition(!orders.isEmpty && Set(orders.map(\.symbol)).count == 1, "closing orders share one instrument")
        self.arbitrageId = arbitrageId
        self.recordId = record.id
        self.symbol = orders[0].symbol
        self.opportunity = nil
        self.closingRecord = record
        self.orders = orders
        self.purpose = purpose
    }

    var isComplete: Bool { reports.count == orders.count }

    /// How the trader knows it: "#12 ETH/USDT binance→kraken", or "stop-loss ETH ETH/USDT on binance".
    var name: DeskEvent.ExecutionName {
        DeskEvent.ExecutionName(purpose: purpose, opportunityId: opportunity?.id, route: opportunity?.route, symbol: symbol,
                                venues: orders.map(\.venue))
    }
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
