import DexterCore
import DexterVenues
import Synchronization

/// What has been told of each order, shared by the REST path and the user stream: an order's story reaches the desk
/// from both (a query after the create answer, and the `user` channel's updates), and a reconnect's snapshot repeats
/// what was said. The stream tells states and running totals only; trades come from the fills endpoint, each counted
/// once by its `trade_id`. Each order is accepted once, and its end told once, after all of its fills: an end the
/// stream shows before its fills were read waits for the REST path to tell them first.
final class CoinbaseOrderTracker: Sendable {
    struct Told {
        var accepted = false
        var tradeIds: Set<String> = []
        /// The sizes of the fills told, summed.
        var filled: FixedDecimal = .zero
        var ended = false
        /// Placed immediate-or-cancel: an unfilled rest that is canceled expired.
        var immediate = false
    }

    let venue: VenueId
    private let told = Mutex<[String: Told]>([:])
    private static let capacity = 20_000

    init(venue: VenueId) { self.venue = venue }

    /// dexter's order is about to be sent (again): its story starts afresh.
    func placing(_ id: String, immediate: Bool) {
        told.withLock { table in
            var entry = Told()
            entry.immediate = immediate
            remember(&table, id, entry)
        }
    }

    /// The updates of one user-channel order not yet told: accepted, and the end once every fill it counts was told.
    /// Fills themselves are never told from here (the stream has no trade ids): `isMissingFills` says when to read them.
    func streamUpdates(_ order: CoinbaseStreamOrder) -> [OrderUpdate] {
        let id = order.dexterClientOrderId, at = order.creationTime ?? .zero
        return told.withLock { table in
            var entry = table[id] ?? Told()
            defer { remember(&table, id, entry) }
            if order.isImmediate { entry.immediate = true }
            var updates: [OrderUpdate] = []
            // PENDING is not yet on the book; FAILED never was.
            if !entry.accepted, order.status != "PENDING", order.status != "FAILED" {
                entry.accepted = true
                updates.append(update(id, .accepted(venueOrderId: order.orderId), at))
            }
            if order.isDone, !entry.ended, entry.filled >= order.cumulativeQuantity,
               let end = Self.endKind(status: order.status, immediate: entry.immediate, filled: order.cumulativeQuantity,
                                      reason: order.rejectReason ?? order.cancelReason) {
                entry.ended = true
                updates.append(update(id, end, at))
            }
            return updates
        }
    }

    /// Whether a streamed order counts more filled than its fills told: its fills (and then its end) are read by REST.
    func isMissingFills(_ order: CoinbaseStreamOrder) -> Bool {
        told.withLock { ($0[order.dexterClientOrderId]?.filled ?? .zero) < order.cumulativeQuantity }
    }

    /// The updates of an order as REST describes it (get order, its fills from the fills endpoint): what was already
    /// told is left out; the end only once every fill it counts was told.
    func restUpdates(_ order: CoinbaseOrder, fills: [CoinbaseFill]) -> [OrderUpdate] {
        let id = order.dexterClientOrderId, at = order.time
        let symbol = CoinbaseTrading.symbol(order.productId)
        return told.withLock { table in
            var entry = table[id] ?? Told()
            defer { remember(&table, id, entry) }
            if order.isImmediate { entry.immediate = true }
            var updates: [OrderUpdate] = []
            if !entry.accepted, order.status != "FAILED" {
                entry.accepted = true
                updates.append(update(id, .accepted(venueOrderId: order.orderId), order.createdTime))
            }
            for fill in fills.sorted(by: { $0.time < $1.time }) where fill.orderId == order.orderId {
                guard entry.tradeIds.insert(fill.tradeId).inserted else { continue }
                let quantity = fill.quantity
                guard quantity.isPositive else { continue }
                entry.filled = entry.filled.addingIfInRange(quantity) ?? entry.filled
                let feeAsset = symbol?.quote ?? Asset(String(fill.productId.split(separator: "-").last ?? ""))
                updates.append(update(id, .fill(Fill(tradeId: fill.tradeId, quantity: quantity, notional: fill.notional,
                                                     fee: fill.commission, feeAsset: feeAsset)), fill.time))
            }
            if order.isDone, !entry.ended, entry.filled >= order.filledSize,
               let end = Self.endKind(status: order.status, immediate: entry.immediate, filled: order.filledSize,
                                      reason: order.rejectMessage ?? order.rejectReason ?? order.cancelMessage) {
                entry.ended = true
                updates.append(update(id, end, at))
            }
            return updates
        }
    }

    /// An order Coinbase took under this id.
    func accepted(_ id: String, venueOrderId: String, at time: Timestamp) -> [OrderUpdate] {
        told.withLock { table in
            var entry = table[id] ?? Told()
            defer { remember(&table, id, entry) }
            guard !entry.accepted else { return [] }
            entry.accepted = true
            return [update(id, .accepted(venueOrderId: venueOrderId), time)]
        }
    }

    /// An order that ended without reaching Coinbase's book (refused, or never placed): told once.
    func ended(_ id: String, _ kind: OrderUpdate.Kind, at time: Timestamp) -> [OrderUpdate] {
        told.withLock { table in
            var entry = table[id] ?? Told()
            defer { remember(&table, id, entry) }
            guard !entry.ended else { return [] }
            entry.ended = true
            return [update(id, kind, time)]
        }
    }

    func isImmediate(_ id: String) -> Bool { told.withLock { $0[id]?.immediate ?? false } }
    func hasEnded(_ id: String) -> Bool { told.withLock { $0[id]?.ended ?? false } }

    /// How a done order ends, if by more than its fills: FILLED ends by quantity (nothing more to tell); an IOC's
    /// CANCELLED rest and EXPIRED expired; another CANCELLED was canceled; FAILED was refused.
    static func endKind(status: String, immediate: Bool, filled: FixedDecimal, reason: String?) -> OrderUpdate.Kind? {
        switch status {
        case "FILLED": return nil
        case "EXPIRED":
            return .expired(reason: filled.isPositive ? "the rest expired unfilled" : "nothing to fill within the limit")
        case "CANCELLED":
            if immediate {
                return .expired(reason: filled.isPositive ? "the rest of the IOC expired unfilled" : "nothing to fill within the limit")
            }
            return .canceled(reason: reason)
        case "FAILED":
            let failure = CoinbaseErrors.failure(code: reason, message: reason, httpStatus: 200).failure
            return .rejected(failure)
        default: return nil
        }
    }

    private func remember(_ table: inout [String: Told], _ id: String, _ entry: Told) {
        table[id] = entry
        if table.count > Self.capacity {
            for (key, value) in table where value.ended { table.removeValue(forKey: key) }
        }
    }

    private func update(_ id: String, _ kind: OrderUpdate.Kind, _ at: Timestamp) -> OrderUpdate {
        OrderUpdate(clientOrderId: id, venue: venue, kind: kind, at: at)
    }
}

extension CoinbaseOrder {
    /// The order's outcome so far as a query answers it. `fills` (the fills endpoint's, of this order), when given,
    /// make the notional and the fee exact per trade; without them the notional is `filled_value` (or size × average
    /// price) and the fee `total_fees`. Spot fees are in the quote.
    public func report(venue: VenueId, fills: [CoinbaseFill]?, immediate: Bool = false) -> ExecutionReport? {
        guard let symbol = CoinbaseTrading.symbol(productId) else { return nil }
        let status: ExecutionReport.Status
        var reason: String?
        var failure: ExecutionFailure?
        switch self.status {
        case "FILLED": status = .filled
        case "CANCELLED", "EXPIRED":
            let end = CoinbaseOrderTracker.endKind(status: self.status, immediate: immediate || isImmediate, filled: filledSize,
                                                   reason: cancelMessage)
            if case .expired(let why)? = end {
                status = filledSize.isPositive ? .partiallyFilled : .expired
                reason = why
            } else {
                status = filledSize.isPositive ? .partiallyFilled : .canceled
                reason = cancelMessage
            }
        case "FAILED":
            status = .rejected
            failure = CoinbaseErrors.failure(code: rejectReason, message: rejectMessage, httpStatus: 200).failure
            reason = failure?.detail
        default: status = .working
        }
        var notional = FixedDecimal.zero, fees = FixedDecimal.zero, time = self.time
        if let fills {
            for fill in fills where fill.orderId == orderId {
                guard let sum = notional.addingIfInRange(fill.notional), let fee = fees.addingIfInRange(fill.commission)
                else { return nil }
                notional = sum
                fees = fee
                time = max(time, fill.time)
            }
        } else {
            notional = filledValue ?? (averageFilledPrice ?? .zero).multipliedIfInRange(by: filledSize) ?? .zero
            fees = totalFees ?? .zero
        }
        return ExecutionReport(clientOrderId: dexterClientOrderId, venue: venue, symbol: symbol, side: side, status: status,
                               reason: reason, filledQuantity: filledSize, notional: notional, fee: fees, gas: .zero,
                               gasToken: nil, executedAt: time, failure: failure)
    }
}
