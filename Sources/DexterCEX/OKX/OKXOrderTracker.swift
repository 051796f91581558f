import DexterCore
import DexterVenues
import Synchronization

/// What has been told of each order, shared by the REST path and the private stream: an order's story reaches the
/// desk from both (a query after the ack, and the `orders` pushes), and OKX itself may push the same update twice.
/// Each order is accepted once, each trade counted once by its `tradeId`, and its end told once — the first
/// `canceled` is final (docs-v5 "Order channel").
final class OKXOrderTracker: Sendable {
    struct Told {
        var accepted = false
        var tradeIds: Set<String> = []
        /// The sizes of the fills told, summed: an end pushed before all of them (a stream that joined mid-order)
        /// waits for a query to tell the rest first.
        var filled: FixedDecimal = .zero
        var ended = false
        /// The order's cumulative fee as the last push said it: a push without `fillFee` (older ones) charged the
        /// difference.
        var cumulativeFee: FixedDecimal = .zero
    }

    let venue: VenueId
    private let told = Mutex<[String: Told]>([:])

    init(venue: VenueId) { self.venue = venue }

    /// Orders whose end has been told are forgotten beyond this many entries; a late duplicate of one of them is
    /// then told again, which the engine's own per-order trade ids still catch.
    private static let capacity = 20_000

    /// The updates of a pushed order not yet told, in order: accepted, this update's fill, its end.
    func pushUpdates(_ order: OKXOrder) -> [OrderUpdate] {
        let id = order.dexterClientOrderId, at = order.time
        return told.withLock { table in
            var entry = table[id] ?? Told()
            defer { remember(&table, id, entry) }
            var updates: [OrderUpdate] = []
            if !entry.accepted {
                entry.accepted = true
                updates.append(update(id, .accepted(venueOrderId: order.ordId), at))
            }
            if let tradeId = order.tradeId, let size = order.fillSize, size.isPositive, let price = order.fillPrice {
                // A push without `fillFee` charged what its cumulative fee grew by (nil only past FixedDecimal's range,
                // which no real fee reaches: then the fill is told without a fee rather than trapped on).
                let charged = order.fillFee.map { -$0 }
                    ?? (order.fee ?? entry.cumulativeFee).addingIfInRange(-entry.cumulativeFee).map { -$0 } ?? .zero
                if entry.tradeIds.insert(tradeId).inserted {
                    entry.filled = entry.filled.addingIfInRange(size) ?? entry.filled
                    let asset = order.fillFeeCcy ?? order.feeCcy ?? Self.receivedAsset(order)
                    updates.append(update(id, .fill(Fill(tradeId: tradeId, quantity: size, notional: price * size,
                                                         fee: charged, feeAsset: asset.map { Asset($0) } ?? "")), order.fillTime ?? at))
                }
            }
            if let fee = order.fee { entry.cumulativeFee = fee }
            if order.isCanceled, !entry.ended, entry.filled >= order.accFillSize {
                entry.ended = true
                updates.append(update(id, order.endKind, at))
            }
            return updates
        }
    }

    /// The updates of an order as REST describes it (a query after its ack, or after a lost answer), its fills from
    /// `trade/fills` under OKX's own trade ids: what a push has already told is left out.
    func restUpdates(_ order: OKXOrder, trades: [OKXTrade]) -> [OrderUpdate] {
        let id = order.dexterClientOrderId, at = order.time
        return told.withLock { table in
            var entry = table[id] ?? Told()
            defer { remember(&table, id, entry) }
            var updates: [OrderUpdate] = []
            if !entry.accepted {
                entry.accepted = true
                updates.append(update(id, .accepted(venueOrderId: order.ordId), at))
            }
            for trade in trades where trade.ordId == order.ordId && entry.tradeIds.insert(trade.tradeId).inserted {
                entry.filled = entry.filled.addingIfInRange(trade.size) ?? entry.filled
                updates.append(update(id, .fill(trade.fill), trade.time))
            }
            if order.isCanceled, !entry.ended {
                entry.ended = true
                updates.append(update(id, order.endKind, at))
            }
            return updates
        }
    }

    /// Whether a pushed order is done while fewer of its fills were told than it filled: its story is then read by
    /// query (`trade/fills`), the fills first and the end after them.
    func isMissingFills(_ order: OKXOrder) -> Bool {
        guard !order.isOpen else { return false }
        return told.withLock { ($0[order.dexterClientOrderId]?.filled ?? .zero) < order.accFillSize }
    }

    /// An order OKX took (sCode 0) under this id.
    func accepted(_ id: String, venueOrderId: String, at time: Timestamp) -> [OrderUpdate] {
        told.withLock { table in
            var entry = table[id] ?? Told()
            defer { remember(&table, id, entry) }
            guard !entry.accepted else { return [] }
            entry.accepted = true
            return [update(id, .accepted(venueOrderId: venueOrderId), time)]
        }
    }

    /// An order that ended without reaching OKX's book (refused, or never placed): told once.
    func ended(_ id: String, _ kind: OrderUpdate.Kind, at time: Timestamp) -> [OrderUpdate] {
        told.withLock { table in
            var entry = table[id] ?? Told()
            defer { remember(&table, id, entry) }
            guard !entry.ended else { return [] }
            entry.ended = true
            return [update(id, kind, time)]
        }
    }

    /// Forgets what was told of an order that never reached OKX, so a resend under the same id starts afresh.
    func forget(_ id: String) { _ = told.withLock { $0.removeValue(forKey: id) } }

    private func remember(_ table: inout [String: Told], _ id: String, _ entry: Told) {
        table[id] = entry
        if table.count > Self.capacity {
            for (key, value) in table where value.ended { table.removeValue(forKey: key) }
        }
    }

    private func update(_ id: String, _ kind: OrderUpdate.Kind, _ at: Timestamp) -> OrderUpdate {
        OrderUpdate(clientOrderId: id, venue: venue, kind: kind, at: at)
    }

    /// feeType 0: the fee is charged in what the order receives — a buy's in the base, a sell's in the quote.
    static func receivedAsset(_ order: OKXOrder) -> String? {
        guard let symbol = OKXTrading.symbol(order.instId) else { return nil }
        return (order.side == .buy ? symbol.base : symbol.quote).code
    }
}

extension OKXTrading {
    /// A spot instrument id's symbol: BTC-USDT → BTC/USDT.
    public static func symbol(_ instId: String) -> Symbol? {
        let parts = instId.split(separator: "-")
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return Symbol(base: Asset(String(parts[0])), quote: Asset(String(parts[1])))
    }

    /// BTC/USDT → BTC-USDT.
    public static func instId(_ symbol: Symbol) -> String { symbol.base.code + "-" + symbol.quote.code }
}

extension OKXOrder {
    /// How a canceled order ended, by its `cancelSource`: an ioc's or fok's rest expires (nothing, or nothing more,
    /// to fill within the limit), anything else was canceled.
    var endKind: OrderUpdate.Kind {
        switch cancelSource {
        case "14"?: .expired(reason: accFillSize.isPositive ? "the rest of the IOC expired unfilled" : "nothing to fill within the limit")
        case "13"?: .expired(reason: "the FOK could not fill entirely")
        case "31"?: .canceled(reason: "a post-only order that would have taken liquidity")
        case "32"?: .expired(reason: "expired by self-trade prevention")
        case "1"?, nil: .canceled(reason: nil)
        case let source?: .canceled(reason: "canceled by OKX (cancelSource \(source))")
        }
    }

    /// The order's outcome so far as a query answers it. `trades`, when given (`trade/fills` of this order), make the
    /// notional and the fees exact; without them the notional is accFillSz × avgPx and the fee the cumulative one.
    public func report(venue: VenueId, trades: [OKXTrade]?) -> ExecutionReport? {
        guard let symbol = OKXTrading.symbol(instId) else { return nil }
        let status: ExecutionReport.Status
        var reason: String?
        if isOpen {
            status = .working
        } else if state == "filled" {
            status = .filled
        } else if case .expired(let why) = endKind {
            status = accFillSize.isPositive ? .partiallyFilled : .expired
            reason = why
        } else {
            status = accFillSize.isPositive ? .partiallyFilled : .canceled
        }
        var notional = FixedDecimal.zero, quoteFee = FixedDecimal.zero, baseFee = FixedDecimal.zero
        var time = self.time
        if let trades {
            // Sums past FixedDecimal's range (no real order's) make no report rather than a trap.
            for trade in trades where trade.ordId == ordId {
                guard let sum = notional.addingIfInRange(trade.price * trade.size) else { return nil }
                notional = sum
                if Asset(trade.feeCcy) == symbol.quote {
                    guard let fee = quoteFee.addingIfInRange(-trade.fee) else { return nil }
                    quoteFee = fee
                } else if Asset(trade.feeCcy) == symbol.base {
                    guard let fee = baseFee.addingIfInRange(-trade.fee) else { return nil }
                    baseFee = fee
                }
                time = max(time, trade.time)
            }
        } else {
            notional = (averagePrice ?? .zero).multipliedIfInRange(by: accFillSize) ?? .zero
            if let fee, let feeCcy {
                if Asset(feeCcy) == symbol.quote { quoteFee = -fee }
                if Asset(feeCcy) == symbol.base { baseFee = -fee }
            }
        }
        return ExecutionReport(clientOrderId: dexterClientOrderId, venue: venue, symbol: symbol, side: side, status: status,
                               reason: reason, filledQuantity: accFillSize, notional: notional, fee: quoteFee, gas: .zero,
                               gasToken: nil, executedAt: time, baseFee: baseFee)
    }
}
