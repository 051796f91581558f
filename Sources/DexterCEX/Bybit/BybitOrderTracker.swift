import DexterCore
import DexterVenues
import Synchronization

/// What has been told of each order, shared by REST (the create answer, queries, the reconcile after a reconnect) and
/// the private stream (`order`, `execution`): an order's story reaches the desk from both, in any order (Bybit does
/// not order its pushes). Each order is accepted once, each fill told once by Bybit's `execId`, and its end told once
/// and only after every fill it had: an end that comes before its fills waits for them.
final class BybitOrderTracker: Sendable {
    struct Told {
        var symbol: Symbol
        var accepted = false
        var execIds: Set<String> = []
        var filled: FixedDecimal = .zero
        var ended = false
        /// An end learned before all its fills: (cumulative quantity it ended at, the end).
        var pendingEnd: (filled: FixedDecimal, kind: OrderUpdate.Kind, at: Timestamp)?
    }

    let venue: VenueId
    private let told = Mutex<[String: Told]>([:])
    /// Orders whose end has been told are forgotten beyond this many entries.
    private static let capacity = 20_000

    init(venue: VenueId) { self.venue = venue }

    /// An order sent (or about to be): known from now on, so queries, cancels and pushes find it.
    func track(_ id: String, symbol: Symbol) {
        told.withLock { table in
            if table[id] == nil { remember(&table, id, Told(symbol: symbol)) }
        }
    }

    func symbol(of id: String) -> Symbol? { told.withLock { $0[id]?.symbol } }

    /// Orders sent whose end has not been told: what a reconnect reconciles.
    var unfinished: [(id: String, symbol: Symbol)] {
        told.withLock { table in table.filter { !$0.value.ended }.map { ($0.key, $0.value.symbol) } }
    }

    /// Forgets an order that never reached Bybit, so a resend under the same id starts afresh.
    func forget(_ id: String) { _ = told.withLock { $0.removeValue(forKey: id) } }

    /// The create answer: Bybit holds the order under `orderId`.
    func accepted(_ id: String, orderId: String, at time: Timestamp) -> [OrderUpdate] {
        known(id) { entry in
            var updates: [OrderUpdate] = []
            accept(&entry, id, orderId, at: time, into: &updates)
            return updates
        }
    }

    /// One execution row of a tracked order (stream or `/v5/execution/list`), told once by `execId`.
    func execution(_ row: BybitExecutionRow) -> [OrderUpdate] {
        guard row.isFill, row.quantity.isPositive else { return [] }
        return known(row.orderLinkId) { entry in
            var updates: [OrderUpdate] = []
            accept(&entry, row.orderLinkId, row.orderId, at: row.time, into: &updates)
            fill(&entry, row, into: &updates)
            return updates
        }
    }

    /// An order as Bybit describes it (a query, the `order` topic), with the executions read for it: what was not
    /// told yet.
    func order(_ order: BybitOrder, executions: [BybitExecutionRow]) -> [OrderUpdate] {
        let id = order.orderLinkId
        return known(id) { entry in
            var updates: [OrderUpdate] = []
            accept(&entry, id, order.orderId, at: order.updated, into: &updates)
            for row in executions where row.orderId == order.orderId && row.isFill && row.quantity.isPositive {
                fill(&entry, row, into: &updates)
            }
            guard !order.isOpen else { return updates }
            end(&entry, order.endKind, filled: order.cumExecQty, at: order.updated, id: id, into: &updates)
            return updates
        }
    }

    /// An order that ended without reaching Bybit's book (refused, or never placed): told once.
    func ended(_ id: String, symbol: Symbol, _ kind: OrderUpdate.Kind, at time: Timestamp) -> [OrderUpdate] {
        told.withLock { table in
            var entry = table[id] ?? Told(symbol: symbol)
            guard !entry.ended else { return [] }
            entry.ended = true
            remember(&table, id, entry)
            return [OrderUpdate(clientOrderId: id, venue: venue, kind: kind, at: time)]
        }
    }

    /// Whether fewer fills were told than the order has filled.
    func isMissingFills(_ id: String, filled: FixedDecimal) -> Bool {
        told.withLock { ($0[id]?.filled ?? .zero) < filled }
    }

    // MARK: Steps

    /// Only orders this session sent (or found by a query) are told: another tool's orders on the account are not
    /// the desk's.
    private func known(_ id: String, _ body: (inout Told) -> [OrderUpdate]) -> [OrderUpdate] {
        told.withLock { table in
            guard var entry = table[id] else { return [] }
            let updates = body(&entry)
            remember(&table, id, entry)
            return updates
        }
    }

    private func accept(_ entry: inout Told, _ id: String, _ orderId: String, at time: Timestamp,
                        into updates: inout [OrderUpdate]) {
        guard !entry.accepted else { return }
        entry.accepted = true
        updates.append(OrderUpdate(clientOrderId: id, venue: venue, kind: .accepted(venueOrderId: orderId), at: time))
    }

    private func fill(_ entry: inout Told, _ row: BybitExecutionRow, into updates: inout [OrderUpdate]) {
        guard entry.execIds.insert(row.execId).inserted else { return }
        let asset = row.feeCurrency.map { Asset($0) } ?? entry.symbol.settle ?? entry.symbol.quote
        let fill = Fill(tradeId: row.execId, quantity: row.quantity, notional: row.value,
                        fee: row.fee, feeAsset: asset)
        entry.filled = entry.filled.addingIfInRange(row.quantity) ?? entry.filled
        updates.append(OrderUpdate(clientOrderId: row.orderLinkId, venue: venue, kind: .fill(fill), at: row.time))
        if let pending = entry.pendingEnd, entry.filled >= pending.filled, !entry.ended {
            entry.ended = true
            entry.pendingEnd = nil
            updates.append(OrderUpdate(clientOrderId: row.orderLinkId, venue: venue, kind: pending.kind, at: pending.at))
        }
    }

    /// `kind` nil: the order filled entirely (its fills are its end).
    private func end(_ entry: inout Told, _ kind: OrderUpdate.Kind?, filled: FixedDecimal, at time: Timestamp, id: String,
                     into updates: inout [OrderUpdate]) {
        guard !entry.ended else { return }
        guard entry.filled >= filled else {
            if let kind { entry.pendingEnd = (filled, kind, time) }
            return
        }
        entry.ended = true
        if let kind { updates.append(OrderUpdate(clientOrderId: id, venue: venue, kind: kind, at: time)) }
    }

    private func remember(_ table: inout [String: Told], _ id: String, _ entry: Told) {
        table[id] = entry
        if table.count > Self.capacity {
            for (key, value) in table where value.ended { table.removeValue(forKey: key) }
        }
    }
}
