import DexterCore
import DexterNet
import DexterVenues
import Foundation

// Placing, following and finding orders; the account's balances and fee tier.

extension KrakenExecution {
    func place(_ order: OrderRequest) async {
        let id = order.clientOrderId
        func refuse(_ code: String, _ failureClass: ExecutionFailure.Class, _ reason: String) {
            post(tracker.ended(id, .rejected(ExecutionFailure(code: code, failureClass: failureClass, reason: reason)),
                               at: clock.now()))
        }
        // A resend under the same id (after "not placed") starts its story afresh.
        tracker.placing(id, immediate: true)
        guard let clOrdId = KrakenClientOrderId.encode(id) else {
            return refuse("bad_request", .rejected,
                          "client order id \(id) cannot be a Kraken cl_ord_id (≤ 18 letters, digits, -_. or ≤ 21 packed into a UUID)")
        }
        guard let pair = self.pair(for: order.symbol) else {
            return refuse("unknown_symbol", .rejected, "Kraken lists no spot pair \(order.symbol)")
        }
        guard let price = KrakenOrderFormat.price(order.limitPrice, pair: pair) else {
            return refuse("bad_precision", .rejected,
                          "price \(order.limitPrice) is not on \(pair.altname)'s grid (\(pair.priceDecimals) decimals, tick \(pair.tickSize))")
        }
        guard let volume = KrakenOrderFormat.volume(order.quantity, pair: pair) else {
            return refuse("bad_precision", .rejected,
                          "volume \(order.quantity) has more than \(pair.altname)'s \(pair.lotDecimals) lot decimals")
        }
        remember(id, pair: pair.altname, txid: nil)
        do {
            let answer = try await rest.send(.trading(pair: pair.altname, 1)) {
                try self.builder.addOrder(pair: pair.altname, side: order.side, volume: volume, price: price, clOrdId: clOrdId,
                                          nonce: $0)
            }
            let ack = try KrakenTrading.addOrder(answer.body)
            remember(id, pair: pair.altname, txid: ack.txids[0])
            post(tracker.accepted(id, venueOrderId: ack.txids[0], at: clock.now()))
            await follow(id, txid: ack.txids[0])
        } catch let failure as KrakenFailure where failure.retry == .queryFirst {
            await settleUnknown(order, clOrdId: clOrdId, after: failure.failure)
        } catch let failure as KrakenFailure {
            post(tracker.ended(id, .rejected(failure.failure), at: clock.now()))
        } catch let failure as HTTPFailure where failure.outcomeUnknown {
            await settleUnknown(order, clOrdId: clOrdId,
                                after: ExecutionFailure(code: "timeout", failureClass: .transient, reason: "\(failure)"))
        } catch let unreadable as WireParseError {
            // An answer came but could not be read: Kraken may well have placed the order.
            await settleUnknown(order, clOrdId: clOrdId,
                                after: ExecutionFailure(code: "unreadable_answer", failureClass: .transient, reason: "\(unreadable)"))
        } catch {
            // Never reached Kraken (a counter full, no nonce, a refused connection): the engine may send it again.
            refuse("not_sent", .transient, "\(error)")
        }
    }

    /// After Kraken took an order: what it did, from a query (an IOC is done by the time it answers; a few tries
    /// cover one that is not yet). The stream may tell the same first; nothing is told twice.
    func follow(_ id: String, txid: String) async {
        for attempt in 0..<4 {
            do {
                if let found = try await queryOrders([txid]).first, !found.isOpen { return await tell(found) }
            } catch {
                logger.warning("\(settings.venue) \(id): query after the ack failed: \(error)")
            }
            try? await Task.sleep(for: Backoff(first: .milliseconds(100), cap: .seconds(1)).delay(attempt: attempt))
        }
    }

    /// The answer never came, or said nothing of the outcome: ask Kraken by `cl_ord_id` (twice at least, the order may
    /// take a moment to show). Found: what it did is posted. Not found: never placed; the engine may send it again.
    func settleUnknown(_ order: OrderRequest, clOrdId: String, after failure: ExecutionFailure) async {
        let id = order.clientOrderId
        logger.warning("\(settings.venue) \(id): \(failure.reason); asking Kraken what became of it")
        for attempt in 0..<5 {
            do {
                if let found = try await find(clOrdId: clOrdId) {
                    remember(id, pair: found.pair, txid: found.txid)
                    post(tracker.accepted(id, venueOrderId: found.txid, at: found.openTime))
                    if !found.isOpen { return await tell(found) }
                } else if attempt >= 1 {
                    return post(tracker.ended(id, .rejected(ExecutionFailure(
                        code: "not_placed", failureClass: .transient,
                        reason: "Kraken has no order \(id) (cl_ord_id \(clOrdId)): \(failure.reason)",
                        venueCode: failure.venueCode, venueMessage: failure.venueMessage)), at: clock.now()))
                }
            } catch {
                logger.warning("\(settings.venue) \(id): query failed: \(error)")
            }
            try? await Task.sleep(for: Backoff(first: .milliseconds(200), cap: .seconds(2)).delay(attempt: attempt))
        }
        // Not known either way: the engine's silence watch asks again later; nothing is resent meanwhile.
    }

    /// A done order's story (its trades under Kraken's txids, then its end), less what was already told.
    func tell(_ order: KrakenOrder) async {
        do {
            post(tracker.restUpdates(order, trades: try await trades(of: order), symbol: symbol(ofPair: order.pair)))
        } catch {
            logger.warning("\(settings.venue) \(order.dexterClientOrderId): trades of \(order.txid) unread: \(error)")
        }
    }

    /// The latest order under a `cl_ord_id`: the open one if any (Kraken keeps the id unique among open orders), else
    /// the most recent closed one; nil when Kraken has none.
    func find(clOrdId: String) async throws -> KrakenOrder? {
        let open = try await rest.send(.call) { try self.builder.openOrders(clOrdId: clOrdId, trades: true, nonce: $0) }
        if let order = try KrakenTrading.orders(open.body, container: "open").first(where: { $0.clOrdId == clOrdId }) {
            return order
        }
        let closed = try await rest.send(.call) { try self.builder.closedOrders(clOrdId: clOrdId, nonce: $0) }
        return try KrakenTrading.orders(closed.body, container: "closed").filter { $0.clOrdId == clOrdId }
            .max { $0.openTime < $1.openTime }
    }

    /// Orders by Kraken's txids (≤ 50), with their trade ids.
    func queryOrders(_ txids: [String]) async throws -> [KrakenOrder] {
        guard !txids.isEmpty else { return [] }
        let answer = try await rest.send(.call) { try self.builder.queryOrders(txids: txids, nonce: $0) }
        return try KrakenTrading.orders(answer.body, container: nil)
    }

    /// The trades of one order: `TradesHistory` from just before it opened (50 a page, newest first), those of its
    /// txid — exact prices, volumes, fees and Kraken's trade txids. (`QueryTrades` by the order's trade ids would do
    /// too; the history needs no ids, so it also serves an order whose query did not list them.)
    func trades(of order: KrakenOrder) async throws -> [KrakenTrade] {
        guard order.executed.isPositive else { return [] }
        let start = max(0, order.openTime.nanoseconds / 1_000_000_000 - 2)
        var trades: [KrakenTrade] = [], offset = 0, filled = FixedDecimal.zero
        while offset < 500 {
            let page = offset
            let answer = try await rest.send(.history) { try self.builder.tradesHistory(start: start, offset: page, nonce: $0) }
            let found = try KrakenTrading.trades(answer.body, history: true)
            for trade in found where trade.orderTxid == order.txid && !trades.contains(where: { $0.txid == trade.txid }) {
                trades.append(trade)
                filled = filled.addingIfInRange(trade.volume) ?? filled
            }
            guard found.count == 50, filled < order.executed else { break }
            offset += 50
        }
        return trades.sorted { $0.time < $1.time }
    }

    func openKrakenOrders() async throws -> [KrakenOrder] {
        let answer = try await rest.send(.call) { try self.builder.openOrders(nonce: $0) }
        return try KrakenTrading.orders(answer.body, container: "open")
    }

    func cancelOrder(_ clientOrderId: String) async {
        let venue = settings.venue
        func refused(_ reason: String) {
            post([OrderUpdate(clientOrderId: clientOrderId, venue: venue, kind: .cancelRejected(reason: reason), at: clock.now())])
        }
        guard let clOrdId = KrakenClientOrderId.encode(clientOrderId) else { return refused("not a Kraken cl_ord_id: \(clientOrderId)") }
        let placed = self.known(clientOrderId)
        do {
            _ = try await rest.send(.trading(pair: placed?.pair ?? "*", 1)) {
                try self.builder.cancelOrder(txid: placed?.txid, clOrdId: placed?.txid == nil ? clOrdId : nil, nonce: $0)
            }
            if let txid = placed?.txid, let found = try await queryOrders([txid]).first, !found.isOpen {
                await tell(found)
            } else if let found = try await find(clOrdId: clOrdId), !found.isOpen {
                await tell(found)
            }
        } catch let failure as KrakenFailure {
            refused(failure.failure.detail)
        } catch {
            refused("\(error)")
        }
    }

    // MARK: Account

    public func balanceDetails() async throws -> [KrakenBalance] {
        let answer = try await rest.send(.call) { try self.builder.balanceEx(nonce: $0) }
        return try KrakenTrading.balanceEx(answer.body)
    }

    /// The account's taker rate per pair (`TradeVolume`), as a fraction (Kraken's 0.26 % is 0.0026), keyed by the
    /// pairs' REST keys.
    public func takerFees(pairs: [KrakenPair]) async throws -> [String: FixedDecimal] {
        let names = pairs.map(\.altname)
        let answer = try await rest.send(.call) { try self.builder.tradeVolume(pairs: names, nonce: $0) }
        var rates: [String: FixedDecimal] = [:]
        for (name, percent) in try KrakenTrading.takerFees(answer.body) {
            let key = pair(named: name)?.key ?? name
            rates[key] = percent / FixedDecimal(100)
        }
        return rates
    }

    /// A fresh WebSocket token (`GetWebSocketsToken`): valid 15 minutes until used, then for as long as its
    /// subscription is kept.
    func webSocketToken() async throws -> String {
        let answer = try await rest.send(.call) { try self.builder.webSocketsToken(nonce: $0) }
        return try KrakenTrading.webSocketsToken(answer.body).token
    }
}
