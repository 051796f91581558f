import DexterCore
import DexterNet
import DexterVenues
import Foundation

// Placing, following and finding orders; what the user stream reports, completed by REST.

extension CoinbaseExecution {
    func place(_ order: OrderRequest) async {
        let id = order.clientOrderId
        func refuse(_ code: String, _ failureClass: ExecutionFailure.Class, _ reason: String) {
            post(tracker.ended(id, .rejected(ExecutionFailure(code: code, failureClass: failureClass, reason: reason)),
                               at: clock.now()))
        }
        // A resend under the same id (after "not placed") starts its story afresh.
        tracker.placing(id, immediate: true)
        guard let clientOrderId = CoinbaseClientOrderId.encode(id) else {
            return refuse("bad_request", .rejected,
                          "client order id \(id) cannot be a Coinbase client_order_id (at most 64 characters once encoded)")
        }
        guard order.quantity.isPositive, order.limitPrice.isPositive else {
            return refuse("bad_request", .rejected, "an order needs a positive size and limit price")
        }
        if let why = offGrid(order) { return refuse("bad_precision", .rejected, why) }
        let productId = CoinbaseTrading.productId(order.symbol)
        remember(id, productId: productId, orderId: nil)
        let request = CoinbaseRequestBuilder.createOrder(clientOrderId: clientOrderId, productId: productId, side: order.side,
                                                        baseSize: order.quantity, limitPrice: order.limitPrice)
        do {
            let answer = try await rest.send(request)
            let ack = try CoinbaseTrading.orderAck(answer.body)
            guard ack.success, let orderId = ack.orderId else {
                return post(tracker.ended(id, .rejected(CoinbaseErrors.failure(ack).failure), at: clock.now()))
            }
            remember(id, productId: productId, orderId: orderId)
            post(tracker.accepted(id, venueOrderId: orderId, at: clock.now()))
            await followToEnd(orderId, attempts: 4)
        } catch let failure as CoinbaseFailure where failure.retry == .queryFirst {
            await settleUnknown(order, request: request, after: failure.failure)
        } catch let failure as CoinbaseFailure {
            post(tracker.ended(id, .rejected(failure.failure), at: clock.now()))
        } catch let failure as HTTPFailure where failure.outcomeUnknown {
            await settleUnknown(order, request: request,
                                after: ExecutionFailure(code: "timeout", failureClass: .transient, reason: "\(failure)"))
        } catch let unreadable as WireParseError {
            // An answer came but could not be read: Coinbase may well have placed the order.
            await settleUnknown(order, request: request,
                                after: ExecutionFailure(code: "unreadable_answer", failureClass: .transient, reason: "\(unreadable)"))
        } catch {
            // Never reached Coinbase (its budget spent or stopped, a refused connection): the engine may send it again.
            refuse("not_sent", .transient, "\(error)")
        }
    }

    /// The answer never came, or said nothing of the outcome: the same request (same `client_order_id`) goes again,
    /// which Coinbase answers with the original order when it has one and creates otherwise — never a second order.
    /// What it did is then followed as usual. While answers keep failing it tries a few times; after that nothing is
    /// known either way, and the engine's silence watch asks again later (nothing else is sent meanwhile).
    func settleUnknown(_ order: OrderRequest, request: CoinbaseRequest, after failure: ExecutionFailure) async {
        let id = order.clientOrderId
        logger.warning("\(settings.venue) \(id): \(failure.reason); sending the same client_order_id again to learn its order")
        for attempt in 0..<5 {
            try? await Task.sleep(for: Backoff(first: .milliseconds(200), cap: .seconds(2)).delay(attempt: attempt))
            do {
                let answer = try await rest.send(request)
                let ack = try CoinbaseTrading.orderAck(answer.body)
                guard ack.success, let orderId = ack.orderId else {
                    // Refused now: the first never created an order either (Coinbase would have answered with it).
                    let refused = CoinbaseErrors.failure(ack).failure
                    return post(tracker.ended(id, .rejected(ExecutionFailure(
                        code: refused.code, failureClass: refused.failureClass,
                        reason: "\(refused.reason) (after: \(failure.reason))", venueCode: refused.venueCode,
                        venueMessage: refused.venueMessage)), at: clock.now()))
                }
                remember(id, productId: CoinbaseTrading.productId(order.symbol), orderId: orderId)
                post(tracker.accepted(id, venueOrderId: orderId, at: clock.now()))
                return await followToEnd(orderId, attempts: 4)
            } catch let refused as CoinbaseFailure where refused.retry == .never {
                return post(tracker.ended(id, .rejected(refused.failure), at: clock.now()))
            } catch {
                logger.warning("\(settings.venue) \(id): resend to learn the order failed: \(error)")
            }
        }
    }

    /// Follows Coinbase's order until it is done (an IOC is done by the time it answers; a few tries cover one that is
    /// not yet), then tells its fills and its end. The user stream may tell the same first; nothing is told twice.
    func followToEnd(_ orderId: String, attempts: Int) async {
        for attempt in 0..<attempts {
            do {
                let order = try await getOrder(orderId)
                if let order, order.isDone { return await tell(order) }
            } catch {
                logger.warning("\(settings.venue) \(orderId): query after the ack failed: \(error)")
            }
            try? await Task.sleep(for: Backoff(first: .milliseconds(100), cap: .seconds(1)).delay(attempt: attempt))
        }
        // Still working: the user stream, or the engine's silence watch, tells the rest.
    }

    /// An order's story from REST (its fills under Coinbase's trade ids, then its end), less what was already told.
    func tell(_ order: CoinbaseOrder) async {
        do {
            let trades = try await order.filledSize.isPositive ? fills(of: order.orderId) : []
            post(tracker.restUpdates(order, fills: trades))
        } catch {
            logger.warning("\(settings.venue) \(order.dexterClientOrderId): fills of \(order.orderId) unread: \(error)")
        }
    }

    /// `GET orders/historical/{id}`; nil when Coinbase does not know it (404).
    func getOrder(_ orderId: String) async throws -> CoinbaseOrder? {
        do {
            let answer = try await rest.send(CoinbaseRequestBuilder.getOrder(orderId))
            return try CoinbaseTrading.order(answer.body)
        } catch let failure as CoinbaseFailure where failure.failure.code == "unknown_order" {
            return nil
        }
    }

    /// Every fill of one order (the fills endpoint, paged by cursor): exact prices, sizes, commissions, trade ids.
    func fills(of orderId: String) async throws -> [CoinbaseFill] {
        var all: [CoinbaseFill] = [], cursor: String?
        for _ in 0..<20 {
            let answer = try await rest.send(CoinbaseRequestBuilder.listFills(orderIds: [orderId], cursor: cursor))
            let page = try CoinbaseTrading.fills(answer.body)
            for fill in page.items where fill.orderId == orderId && !all.contains(where: { $0.tradeId == fill.tradeId }) {
                all.append(fill)
            }
            guard !page.cursor.isEmpty, page.cursor != cursor else { break }
            cursor = page.cursor
        }
        return all
    }

    /// The account's orders (List Orders, newest first, 100 a page, at most `pages` pages).
    func listOrders(open: Bool = false, productId: String? = nil, since: Timestamp? = nil, pages: Int = 20) async throws
        -> [CoinbaseOrder] {
        var all: [CoinbaseOrder] = [], cursor: String?
        for _ in 0..<pages {
            let answer = try await rest.send(CoinbaseRequestBuilder.listOrders(productId: productId, open: open, start: since,
                                                                               cursor: cursor))
            let page = try CoinbaseTrading.orders(answer.body)
            all += page.items
            guard page.hasNext, !page.cursor.isEmpty, page.cursor != cursor else { break }
            cursor = page.cursor
        }
        return all
    }

    /// The latest listed order under a `client_order_id` (List Orders has no filter for it: the listing is read).
    func findListed(clientOrderId: String, productId: String?, since: Timestamp?) async throws -> CoinbaseOrder? {
        try await listOrders(productId: productId, since: since, pages: 10).filter { $0.clientOrderId == clientOrderId }
            .max { $0.createdTime < $1.createdTime }
    }

    func cancelOrder(_ clientOrderId: String) async {
        let venue = settings.venue
        func refused(_ reason: String) {
            post([OrderUpdate(clientOrderId: clientOrderId, venue: venue, kind: .cancelRejected(reason: reason), at: clock.now())])
        }
        do {
            var orderId = known(clientOrderId)?.orderId
            if orderId == nil, let encoded = CoinbaseClientOrderId.encode(clientOrderId) {
                orderId = try await findListed(clientOrderId: encoded, productId: known(clientOrderId)?.productId, since: nil)?.orderId
            }
            guard let orderId else { return refused("Coinbase has no order \(clientOrderId)") }
            let answer = try await rest.send(CoinbaseRequestBuilder.cancelOrders([orderId]))
            let result = try CoinbaseTrading.cancelResults(answer.body).first { $0.orderId == orderId }
            guard let result, result.success else {
                let failure = CoinbaseErrors.failure(code: result?.failureReason ?? "UNKNOWN_CANCEL_ORDER", message: nil,
                                                     httpStatus: 200)
                return refused(failure.failure.detail + (result?.failureReason.map { " (\($0))" } ?? ""))
            }
            await followToEnd(orderId, attempts: 3)
        } catch let failure as CoinbaseFailure {
            refused(failure.failure.detail)
        } catch {
            refused("\(error)")
        }
    }

    // MARK: The user stream

    /// What a `user` update tells that has not been told yet; an order that counts more filled than its fills told
    /// has them (and then its end) read by REST.
    func streamed(_ order: CoinbaseStreamOrder) {
        if !order.clientOrderId.isEmpty, known(order.dexterClientOrderId) == nil {
            remember(order.dexterClientOrderId, productId: order.productId, orderId: order.orderId)
        }
        post(tracker.streamUpdates(order))
        guard tracker.isMissingFills(order) else { return }
        Task {
            if let found = try? await self.getOrder(order.orderId) { await self.tell(found) }
        }
    }

    /// After the stream was away or lost a message: every order since `since` is read again by REST (its fills, its
    /// end), less what was told already.
    func readBack(since: Timestamp) async {
        do {
            let orders = try await listOrders(since: since.adding(.seconds(-5)), pages: 10)
            guard !orders.isEmpty else { return }
            logger.info("\(settings.venue): reading back \(orders.count) orders since the user stream was lost")
            for order in orders where order.filledSize.isPositive || order.isDone { await tell(order) }
        } catch {
            logger.warning("\(settings.venue): reading back orders failed: \(error)")
        }
    }
}
