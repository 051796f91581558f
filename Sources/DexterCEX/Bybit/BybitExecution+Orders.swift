import DexterCore
import DexterNet
import DexterVenues
import Foundation

extension BybitExecution {
    /// Bybit's `orderLinkId`: at most 36 letters, digits, `-` and `_` (dexter's own ids fit as they are).
    static func isValidLinkId(_ id: String) -> Bool {
        (1...36).contains(id.utf8.count) && id.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"): true
            default: false
            }
        }
    }

    func place(_ order: OrderRequest) async {
        let id = order.clientOrderId, symbol = order.symbol, name = BybitSettings.instrument(order.symbol)
        guard Self.isValidLinkId(id) else {
            return reject(order, ExecutionFailure(code: "bad_request", failureClass: .rejected,
                                                  reason: "client order id \(id) cannot be a Bybit orderLinkId "
                                                      + "(at most 36 letters, digits, - and _)"))
        }
        guard venueSymbol(name) != nil else {
            return reject(order, ExecutionFailure(code: "bad_request", failureClass: .rejected,
                                                  reason: "\(symbol) is not among the symbols configured for \(settings.venue)"))
        }
        tracker.track(id, symbol: symbol)
        do {
            let result = try await signed("order/create \(name) \(id)") {
                self.builder.createOrder(symbol: name, side: order.side, quantity: order.quantity, price: order.limitPrice,
                                         orderLinkId: id, reduceOnly: order.reduceOnly, at: $0)
            }
            let ack = try BybitTrading.orderAck(result)
            post(tracker.accepted(id, orderId: ack.orderId, at: clock.now()))
            await follow(order)
        } catch let error as BybitError where error.outcomeUnknown || error.orderExists {
            await settleUnknown(order, after: error.failure)
        } catch let error as BybitError {
            reject(order, error.failure)
        } catch let failure as HTTPFailure where failure.outcomeUnknown {
            await settleUnknown(order, after: ExecutionFailure(code: "timeout", failureClass: .transient,
                                                               reason: "Bybit order/create \(id): \(failure)"))
        } catch let hold as BybitRateLimitHold {
            reject(order, ExecutionFailure(code: "rate_limited", failureClass: .transient, reason: "\(hold)"))
        } catch let error as WireParseError {
            // Bybit answered retCode 0 with a result dexter cannot read: the order exists; find it.
            await settleUnknown(order, after: ExecutionFailure(code: "unreadable_answer", failureClass: .transient,
                                                               reason: "\(error)"))
        } catch {
            // Never reached Bybit (refused connection): the engine may send it again under the same id.
            reject(order, ExecutionFailure(code: "not_sent", failureClass: .transient, reason: "Bybit order/create \(id): \(error)"))
        }
    }

    /// A refusal before the order reached Bybit's book: told, and the id forgotten so a resend starts afresh.
    private func reject(_ order: OrderRequest, _ failure: ExecutionFailure) {
        tracker.forget(order.clientOrderId)
        post([OrderUpdate(clientOrderId: order.clientOrderId, venue: settings.venue, kind: .rejected(failure), at: clock.now())])
    }

    /// After the ack: an IOC is done within moments; its state and executions are read over REST until it is (the
    /// private stream usually tells them first; each is told once either way).
    func follow(_ order: OrderRequest) async {
        for attempt in 0..<5 {
            try? await Task.sleep(for: Backoff(first: .milliseconds(100), cap: .seconds(2)).delay(attempt: attempt))
            do {
                guard let found = try await findOrder(order.clientOrderId, symbol: order.symbol) else { continue }
                post(tracker.order(found, executions: try await executions(of: found, symbol: order.symbol)))
                if !found.isOpen { return }
            } catch {
                logger.warning("\(settings.venue) \(order.clientOrderId): could not read its state now: \(error)")
            }
        }
    }

    /// The answer to a placement never came (or said the id exists): ask Bybit by `orderLinkId`. Found: what it did
    /// is told, fills under Bybit's execIds. Unknown after a second look: it was never placed, and the engine may
    /// send it again under the same id. Nothing is resent here.
    func settleUnknown(_ order: OrderRequest, after failure: ExecutionFailure) async {
        logger.warning("\(settings.venue) \(order.clientOrderId): \(failure.reason); asking Bybit what became of it")
        for attempt in 0..<5 {
            do {
                if let found = try await findOrder(order.clientOrderId, symbol: order.symbol) {
                    post(tracker.order(found, executions: try await executions(of: found, symbol: order.symbol)))
                    if !found.isOpen { return }
                } else if attempt >= 1 {
                    let kind = OrderUpdate.Kind.rejected(
                        ExecutionFailure(code: "not_placed", failureClass: .transient,
                                         reason: "Bybit has no order \(order.clientOrderId): \(failure.reason)",
                                         venueCode: failure.venueCode, venueMessage: failure.venueMessage))
                    tracker.forget(order.clientOrderId)
                    return post([OrderUpdate(clientOrderId: order.clientOrderId, venue: settings.venue, kind: kind,
                                             at: clock.now())])
                }
            } catch {
                logger.warning("\(settings.venue) \(order.clientOrderId): query failed: \(error)")
            }
            try? await Task.sleep(for: Backoff(first: .milliseconds(200), cap: .seconds(2)).delay(attempt: attempt))
        }
        // Still not known either way: the engine's silence watch asks again later; nothing is resent meanwhile.
    }

    /// The order by dexter's client id (`order/realtime`, then `order/history`), or nil when Bybit knows none.
    func findOrder(_ clientOrderId: String, symbol: Symbol) async throws -> BybitOrder? {
        guard Self.isValidLinkId(clientOrderId) else { return nil }
        let name = BybitSettings.instrument(symbol)
        let live = try await signed("order/realtime \(name) \(clientOrderId)") {
            self.builder.realtimeOrder(symbol: name, orderLinkId: clientOrderId, at: $0)
        }
        if let found = try BybitTrading.orderList(live).first(where: { $0.orderLinkId == clientOrderId }) { return found }
        let past = try await signed("order/history \(name) \(clientOrderId)") {
            self.builder.orderHistory(symbol: name, orderLinkId: clientOrderId, at: $0)
        }
        return try BybitTrading.orderList(past).first { $0.orderLinkId == clientOrderId }
    }

    /// The order's executions (`execution/list` by its orderId) when it filled anything.
    func executions(of order: BybitOrder, symbol: Symbol) async throws -> [BybitExecutionRow] {
        guard order.cumExecQty.isPositive else { return [] }
        let name = BybitSettings.instrument(symbol)
        let result = try await signed("execution/list \(name) \(order.orderId)") {
            self.builder.executions(symbol: name, orderId: order.orderId, at: $0)
        }
        return try BybitTrading.executionList(result).filter { $0.orderId == order.orderId }
    }

    func cancelOrder(_ clientOrderId: String) async {
        guard let symbol = tracker.symbol(of: clientOrderId) else {
            return post([OrderUpdate(clientOrderId: clientOrderId, venue: settings.venue,
                                     kind: .cancelRejected(reason: "no order \(clientOrderId) of this session"), at: clock.now())])
        }
        let name = BybitSettings.instrument(symbol)
        do {
            _ = try await signed("order/cancel \(name) \(clientOrderId)") {
                self.builder.cancelOrder(symbol: name, orderLinkId: clientOrderId, at: $0)
            }
            if let found = try await findOrder(clientOrderId, symbol: symbol) {
                post(tracker.order(found, executions: try await executions(of: found, symbol: symbol)))
            }
        } catch {
            post([OrderUpdate(clientOrderId: clientOrderId, venue: settings.venue, kind: .cancelRejected(reason: "\(error)"),
                              at: clock.now())])
        }
    }

    /// After each subscription of the private stream (Bybit sends no snapshot): the executions since the newest one
    /// seen (funding from the ledger's newest payment on the first), each told once by `execId`, then the session's
    /// unfinished orders asked for again.
    func catchUp() async {
        guard let stream = stream.withLock({ $0 }) else { return }
        let (first, connectedAt) = state.withLock { ($0.catchUps == 0, $0.connectedAt ?? venueTime) }
        // The first reads from the ledger's newest payment; later ones from the newest execution the stream saw.
        let since = (first ? fundingSince : stream.since) ?? stream.since ?? connectedAt
        do {
            // Every page (newest first), then told oldest first; at most 20 pages (2,000 rows) a catch-up.
            var rows: [BybitExecutionRow] = [], cursor: String?, seen = Set<String>()
            for _ in 0..<20 {
                let result = try await signed("execution/list since \(since)") { [cursor] in
                    self.builder.executions(since: since, cursor: cursor, at: $0)
                }
                let page = try BybitTrading.executionPage(result)
                rows += page.rows
                guard let next = page.cursor, seen.insert(next).inserted, !page.rows.isEmpty else { break }
                cursor = next
            }
            for row in rows.reversed() { stream.take(row) }
        } catch {
            logger.warning("\(settings.venue): executions since \(since) could not be read now: \(error)")
        }
        for (id, symbol) in tracker.unfinished {
            do {
                guard let found = try await findOrder(id, symbol: symbol) else { continue }
                post(tracker.order(found, executions: try await executions(of: found, symbol: symbol)))
            } catch {
                logger.warning("\(settings.venue) \(id): reconcile failed: \(error)")
            }
        }
        state.withLock { $0.catchUps += 1 }
    }
}
