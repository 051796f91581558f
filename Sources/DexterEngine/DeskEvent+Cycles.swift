import DexterCore
import DexterRisk
import DexterVenues

/// What the desk says of a cycle (`DeskEvent.cycle`).
public enum CycleEvent: Sendable, Hashable {
    case gone
    case refused(ApprovalRefusal)
    case noLongerProfitable
    case blockedByScreening(DenyListMatch)
    case riskDenied(PreTradeDenial)
    case approvalCancelled
    case approvalDroppedByHalt
    case rejected
    /// Its first leg is sent; the rest follow one by one.
    case approved(amountIn: FixedDecimal, start: Asset, estimatedNetUSD: FixedDecimal, legs: Int, firstVenue: VenueId)
    /// A leg missed and left `amount` of `asset`: sold back into the start asset by `order`.
    case sellingBack(arbitrageId: String, amount: FixedDecimal, asset: Asset, order: OrderRequest)
    /// The same, left where it is because trading is halted.
    case leftOpen(arbitrageId: String, amount: FixedDecimal, asset: Asset, haltReason: String)

    public var level: Notification.Level {
        switch self {
        case .approvalCancelled, .rejected, .approved: .info
        case .gone, .refused, .noLongerProfitable, .approvalDroppedByHalt, .sellingBack: .warning
        case .blockedByScreening, .riskDenied, .leftOpen: .error
        }
    }

    func text(id: UInt64, route: String?) -> String {
        let name = "cycle #\(id)" + (route.map { " \($0)" } ?? "")
        return switch self {
        case .gone: "cycle #\(id) is gone"
        case .refused(let refusal): "\(name): \(refusal)"
        case .noLongerProfitable: "\(name) is no longer profitable at current prices"
        case .blockedByScreening(let match): "\(name) blocked by screening: \(match)"
        case .riskDenied(let denial): "\(name) \(denial)"
        case .approvalCancelled: "approval of cycle #\(id) cancelled"
        case .approvalDroppedByHalt: "approval of cycle #\(id) dropped by the halt"
        case .rejected: "\(name) rejected"
        case .approved(let amountIn, let start, let estimate, let legs, let firstVenue):
            "\(name) approved: \(amountIn) \(start) in, est. $\(estimate.formatted(digits: 2)); \(legs) legs in order, "
                + "\(firstVenue) first"
        case .sellingBack(let arbitrageId, let amount, let asset, let order):
            "leg risk on \(arbitrageId): \(amount) \(asset) left by \(name); back to \(order.symbol.quote): sell "
                + "\(order.quantity) \(asset) on \(order.venue) at ≥ \(order.limitPrice)"
        case .leftOpen(let arbitrageId, let amount, let asset, let haltReason):
            "leg risk on \(arbitrageId): \(amount) \(asset) left by \(name), left open: trading is halted (\(haltReason))"
        }
    }
}
