import DexterCore
import DexterVenues
import Synchronization

/// What has been told of each order, shared by the REST path (the RESULT answer, a query, a reconcile) and the user
/// data stream: an order's story reaches the desk from both. Each order is accepted once, each trade counted once by
/// Binance's trade id `t`, and its end told once and only after every fill it had (an end that arrives before its
/// fills waits: the end is told by whichever path brings the last fill).
final class BinanceUSDMOrderTracker: Sendable {
    struct Told {
        var symbol: Symbol
        var accepted = false
        var tradeIds: Set<String> = []
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

    /// An order sent (or about to be): known from now on, so a query and a cancel find its symbol.
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

    /// Forgets an order that never reached Binance, so a resend under the same id starts afresh.
    func forget(_ id: String) { _ = told.withLock { $0.removeValue(forKey: id) } }

    /// The updates of a stream event not yet told.
    func pushUpdates(_ event: BinanceUSDMOrderEvent, symbol: Symbol) -> [OrderUpdate] {
        guard let update = event.orderUpdate(venue: venue) else { return [] }
        return record(update.clientOrderId, symbol: symbol) { entry in
            var updates: [OrderUpdate] = []
            switch update.kind {
            case .accepted: accept(&entry, update, into: &updates)
            case .fill(let fill):
                self.fill(&entry, fill, at: update.at, id: update.clientOrderId, into: &updates)
                if event.status == "FILLED", entry.filled >= event.cumulativeQuantity { entry.ended = true }
            default: end(&entry, update.kind, filled: event.cumulativeQuantity, at: update.at, id: update.clientOrderId,
                         into: &updates)
            }
            return updates
        }
    }

    /// The updates of an order as REST describes it, its fills from `userTrades` of this order: what the stream
    /// already told is left out.
    func restUpdates(_ order: BinanceUSDMOrder, trades: [BinanceUSDMTrade], symbol: Symbol) -> [OrderUpdate] {
        let id = order.dexterClientOrderId
        return record(id, symbol: symbol) { entry in
            var updates: [OrderUpdate] = []
            accept(&entry, OrderUpdate(clientOrderId: id, venue: venue, kind: .accepted(venueOrderId: String(order.orderId)),
                                       at: order.updateTime), into: &updates)
            for trade in trades where trade.orderId == order.orderId {
                fill(&entry, trade.fill, at: trade.time, id: id, into: &updates)
            }
            if let kind = order.endKind {
                end(&entry, kind, filled: order.executedQuantity, at: order.updateTime, id: id, into: &updates)
            } else if order.status == "FILLED" {
                end(&entry, nil, filled: order.executedQuantity, at: order.updateTime, id: id, into: &updates)
            }
            return updates
        }
    }

    /// An order that ended without reaching Binance's book (refused, or never placed): told once.
    func ended(_ id: String, symbol: Symbol, _ kind: OrderUpdate.Kind, at time: Timestamp) -> [OrderUpdate] {
        record(id, symbol: symbol) { entry in
            guard !entry.ended else { return [] }
            entry.ended = true
            return [OrderUpdate(clientOrderId: id, venue: venue, kind: kind, at: time)]
        }
    }

    /// Whether fewer fills were told than the order has filled.
    func isMissingFills(_ id: String, filled: FixedDecimal) -> Bool {
        told.withLock { ($0[id]?.filled ?? .zero) < filled }
    }

    // MARK: Steps

    private func record(_ id: String, symbol: Symbol, _ body: (inout Told) -> [OrderUpdate]) -> [OrderUpdate] {
        told.withLock { table in
            var entry = table[id] ?? Told(symbol: symbol)
            let updates = body(&entry)
            remember(&table, id, entry)
            return updates
        }
    }

    private func accept(_ entry: inout Told, _ update: OrderUpdate, into updates: inout [OrderUpdate]) {
        guard !entry.accepted else { return }
        entry.accepted = true
        updates.append(update)
    }

    private func fill(_ entry: inout Told, _ fill: Fill, at time: Timestamp, id: String, into updates: inout [OrderUpdate]) {
        if !entry.accepted {
            // A fill is the proof of acceptance; the venue's order id comes with the first update that has it.
            entry.accepted = true
        }
        guard entry.tradeIds.insert(fill.tradeId).inserted else { return }
        entry.filled = entry.filled.addingIfInRange(fill.quantity) ?? entry.filled
        updates.append(OrderUpdate(clientOrderId: id, venue: venue, kind: .fill(fill), at: time))
        if let pending = entry.pendingEnd, entry.filled >= pending.filled, !entry.ended {
            entry.ended = true
            entry.pendingEnd = nil
            updates.append(OrderUpdate(clientOrderId: id, venue: venue, kind: pending.kind, at: pending.at))
        }
    }

    /// `kind` nil: the order filled entirely (the fills are its end).
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
