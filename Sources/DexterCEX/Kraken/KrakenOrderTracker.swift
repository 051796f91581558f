import DexterCore
import DexterVenues
import Synchronization

/// What has been told of each order, shared by the REST path and the private stream: an order's story reaches the
/// desk from both (a query after `AddOrder`'s answer, and the `executions` channel), and a reconnect's snapshot may
/// repeat a report. Each order is accepted once, each trade counted once — by its pair's `trade_id` (both paths carry
/// it) or its txid / `exec_id` — and its end told once, after all of its fills. A fill's id is the one both paths
/// agree on: `BASE/QUOTE:trade_id` (Kraken numbers trades per pair), so the desk books it under the same id whichever
/// path told it first.
final class KrakenOrderTracker: Sendable {
    struct Told {
        var accepted = false
        var tradeKeys: Set<String> = []
        var filled: FixedDecimal = .zero
        var ended = false
        /// The order was placed immediate-or-cancel: an unfilled rest that is canceled expired.
        var immediate = false
    }

    let venue: VenueId
    private let told = Mutex<[String: Told]>([:])
    private static let capacity = 20_000

    init(venue: VenueId) { self.venue = venue }

    /// Marks dexter's order as IOC before it is sent.
    func placing(_ id: String, immediate: Bool) {
        told.withLock { table in
            var entry = Told()
            entry.immediate = immediate
            remember(&table, id, entry)
        }
    }

    /// The updates of one execution report not yet told: accepted, this trade's fill, the end.
    func streamUpdates(_ report: KrakenExecutionReport) -> [OrderUpdate] {
        let id = report.dexterClientOrderId, at = report.time
        return told.withLock { table in
            var entry = table[id] ?? Told()
            defer { remember(&table, id, entry) }
            if report.timeInForce == "IOC" { entry.immediate = true }
            var updates: [OrderUpdate] = []
            // pending_new is not yet on the book; everything later says Kraken holds it.
            if !entry.accepted, report.execType != "pending_new" {
                entry.accepted = true
                updates.append(update(id, .accepted(venueOrderId: report.orderId), at))
            }
            if report.isTrade, let quantity = report.lastQuantity, let price = report.lastPrice {
                let keys = Self.keys(txid: report.execId, tradeId: report.tradeId)
                if !keys.isEmpty, entry.tradeKeys.isDisjoint(with: keys) {
                    entry.tradeKeys.formUnion(keys)
                    entry.filled = entry.filled.addingIfInRange(quantity) ?? entry.filled
                    let feeAsset = report.fees.first.map { KrakenAssets.asset(altname: $0.asset) } ?? ""
                    let fee = report.fees.filter { KrakenAssets.asset(altname: $0.asset) == feeAsset }
                        .reduce(FixedDecimal.zero) { $0.addingIfInRange($1.quantity) ?? $0 }
                    let pairName = report.symbol.map(Self.v2Pair)
                    updates.append(update(id, .fill(Fill(tradeId: Self.fillId(pair: pairName, tradeId: report.tradeId,
                                                                               fallback: report.execId ?? ""),
                                                         quantity: quantity, notional: price * quantity,
                                                         fee: fee, feeAsset: feeAsset)), at))
                }
            }
            if let end = Self.endKind(execType: report.execType, reason: report.reason, immediate: entry.immediate,
                                      filled: report.cumulativeQuantity ?? entry.filled),
               !entry.ended, entry.filled >= (report.cumulativeQuantity ?? .zero) {
                entry.ended = true
                updates.append(update(id, end, at))
            }
            return updates
        }
    }

    /// Whether a report ends its order while fewer of its fills were told than it filled (the stream was away when
    /// they happened): its story is then read by REST, the fills first and the end after them.
    func isMissingFills(_ report: KrakenExecutionReport) -> Bool {
        guard ["canceled", "expired", "filled"].contains(report.execType) || report.orderStatus == "filled",
              let cumulative = report.cumulativeQuantity else { return false }
        return told.withLock { ($0[report.dexterClientOrderId]?.filled ?? .zero) < cumulative }
    }

    /// The updates of an order as REST describes it (a query, its trades from `QueryTrades`): what the stream has
    /// already told is left out.
    func restUpdates(_ order: KrakenOrder, trades: [KrakenTrade], symbol: Symbol?) -> [OrderUpdate] {
        let id = order.dexterClientOrderId, at = order.time
        return told.withLock { table in
            var entry = table[id] ?? Told()
            defer { remember(&table, id, entry) }
            var updates: [OrderUpdate] = []
            if !entry.accepted {
                entry.accepted = true
                updates.append(update(id, .accepted(venueOrderId: order.txid), at))
            }
            for trade in trades where trade.orderTxid == order.txid {
                let keys = Self.keys(txid: trade.txid, tradeId: trade.tradeId)
                guard entry.tradeKeys.isDisjoint(with: keys) else { continue }
                entry.tradeKeys.formUnion(keys)
                entry.filled = entry.filled.addingIfInRange(trade.volume) ?? entry.filled
                let asset = symbol.map { order.feeInBase ? $0.base : $0.quote } ?? ""
                let pairName = symbol.map { $0.base.code + "/" + $0.quote.code }
                updates.append(update(id, .fill(Fill(tradeId: Self.fillId(pair: pairName, tradeId: trade.tradeId, fallback: trade.txid),
                                                     quantity: trade.volume,
                                                     notional: trade.price * trade.volume, fee: trade.fee, feeAsset: asset)),
                                      trade.time))
            }
            if !order.isOpen, order.executed < order.volume, !entry.ended, entry.filled >= order.executed {
                entry.ended = true
                updates.append(update(id, order.endKind(immediate: entry.immediate), at))
            }
            return updates
        }
    }

    /// An order Kraken took under this id.
    func accepted(_ id: String, venueOrderId: String, at time: Timestamp) -> [OrderUpdate] {
        told.withLock { table in
            var entry = table[id] ?? Told()
            defer { remember(&table, id, entry) }
            guard !entry.accepted else { return [] }
            entry.accepted = true
            return [update(id, .accepted(venueOrderId: venueOrderId), time)]
        }
    }

    /// An order that ended without reaching Kraken's book (refused, or never placed): told once.
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

    /// `BTC/USD:365573`; Kraken's own txid when a path gives no `trade_id`.
    static func fillId(pair: String?, tradeId: String?, fallback: String) -> String {
        guard let pair, let tradeId, !tradeId.isEmpty else { return fallback }
        return pair + ":" + tradeId
    }

    /// A v2 symbol in dexter's asset names ("XBT/USD" → "BTC/USD"; v2 already writes BTC).
    static func v2Pair(_ symbol: String) -> String {
        symbol.split(separator: "/", maxSplits: 1).map { KrakenAssets.asset(altname: String($0)).code }.joined(separator: "/")
    }

    static func keys(txid: String?, tradeId: String?) -> Set<String> {
        var keys: Set<String> = []
        if let txid, !txid.isEmpty { keys.insert("t:" + txid) }
        if let tradeId, !tradeId.isEmpty { keys.insert("n:" + tradeId) }
        return keys
    }

    /// How a report ends its order, if it does: `expired` (nothing, or nothing more, to fill in time), `canceled` (an
    /// IOC's unfilled rest counts as expired). `filled` ends by quantity, which the order's owner knows.
    static func endKind(execType: String, reason: String?, immediate: Bool, filled: FixedDecimal) -> OrderUpdate.Kind? {
        switch execType {
        case "expired":
            return .expired(reason: reason ?? (filled.isPositive ? "the rest expired unfilled" : "nothing to fill within the limit"))
        case "canceled":
            if immediate || (reason ?? "").lowercased().contains("ioc") {
                return .expired(reason: filled.isPositive ? "the rest of the IOC expired unfilled" : "nothing to fill within the limit")
            }
            return .canceled(reason: reason == "User requested" ? nil : reason)
        default:
            return nil
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

extension KrakenOrder {
    func endKind(immediate: Bool) -> OrderUpdate.Kind {
        KrakenOrderTracker.endKind(execType: status == "expired" ? "expired" : "canceled", reason: reason,
                                   immediate: immediate, filled: executed) ?? .canceled(reason: reason)
    }

    /// The order's outcome so far as a query answers it. `trades` (`QueryTrades` of its trade ids), when given, make
    /// the notional and the fee exact per trade; without them the notional is Kraken's `cost` and the fee its `fee`.
    public func report(venue: VenueId, symbol: Symbol, trades: [KrakenTrade]?, immediate: Bool = false) -> ExecutionReport? {
        let status: ExecutionReport.Status
        var reason: String?
        if isOpen {
            status = .working
        } else if executed == volume {
            status = .filled
        } else if case .expired(let why) = endKind(immediate: immediate) {
            status = executed.isPositive ? .partiallyFilled : .expired
            reason = why
        } else {
            status = executed.isPositive ? .partiallyFilled : .canceled
            reason = self.reason
        }
        var notional = FixedDecimal.zero, fees = FixedDecimal.zero, time = self.time
        if let trades {
            for trade in trades where trade.orderTxid == txid {
                guard let sum = notional.addingIfInRange(trade.price * trade.volume),
                      let fee = fees.addingIfInRange(trade.fee) else { return nil }
                notional = sum
                fees = fee
                time = max(time, trade.time)
            }
        } else {
            notional = cost
            fees = fee
        }
        return ExecutionReport(clientOrderId: dexterClientOrderId, venue: venue, symbol: symbol, side: side, status: status,
                               reason: reason, filledQuantity: executed, notional: notional, fee: feeInBase ? .zero : fees,
                               gas: .zero, gasToken: nil, executedAt: time, baseFee: feeInBase ? fees : .zero)
    }
}
