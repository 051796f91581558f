import DexterCore
import DexterNet
import DexterVenues
import Foundation
import Synchronization

/// Binance USDⓈ-M's ORDERS limits for the account (per 10 s and per minute), counted here before an order leaves
/// (one that would break them is never sent: Binance would answer -1015 and count it), corrected by the venue's own
/// `X-MBX-ORDER-COUNT-10S` / `-1M` on every order answer.
struct BinanceUSDMOrderGates: Sendable {
    let tenSeconds: RateLimitGate
    let minute: RateLimitGate

    init(per10s: Int, perMinute: Int) {
        tenSeconds = RateLimitGate(limits: .init(weight: per10s, window: .seconds(10)))
        minute = RateLimitGate(limits: .init(weight: perMinute, window: .seconds(60)))
    }

    /// Nil when one more order fits now; else why not.
    func admit(at now: Timestamp) -> String? {
        for (gate, name) in [(tenSeconds, "10 s"), (minute, "minute")] {
            if case .go = gate.admit(weight: 1, at: now) { continue }
            return "this \(name)'s order limit (\(gate.limits.weight) orders, dexter keeps "
                + "\(Int(((1 - gate.limits.headroom) * 100).rounded())) % spare) is reached"
        }
        return nil
    }

    func observe(_ answer: HTTPAnswer, at now: Timestamp) {
        tenSeconds.observe(usedWeight: answer.header("X-MBX-ORDER-COUNT-10S").flatMap(Int.init), at: now)
        minute.observe(usedWeight: answer.header("X-MBX-ORDER-COUNT-1M").flatMap(Int.init), at: now)
    }

    /// The fuller of the two windows, for the Risk panel.
    func usage(at now: Timestamp, heldUntil: Timestamp?) -> RateLimitUsage {
        let fuller = [tenSeconds, minute].max { a, b in a.used(at: now) * b.limits.weight < b.used(at: now) * a.limits.weight }!
        return RateLimitUsage(name: "ord", used: fuller.used(at: now), limit: fuller.limits.weight, heldUntil: heldUntil)
    }
}

extension BinanceUSDMExecution {
    func place(_ order: OrderRequest) async {
        let id = order.clientOrderId, symbol = order.symbol
        guard let venueId = BinanceUSDMClientOrderId.encode(id) else {
            return reject(order, ExecutionFailure(code: "bad_request", failureClass: .rejected,
                                                  reason: "client order id \(id) cannot be a Binance newClientOrderId"))
        }
        if let full = state.withLock({ $0.orderGates }).admit(at: clock.now()) {
            return reject(order, ExecutionFailure(code: "order_rate_limited", failureClass: .transient, reason: "not sent: \(full)"))
        }
        tracker.track(id, symbol: symbol)
        let name = BinanceUSDMTrading.venueName(symbol)
        do {
            let answer = try await signed(weight: 0) {
                self.builder.newOrder(symbol: name, side: order.side, quantity: order.quantity, price: order.limitPrice,
                                      clientOrderId: venueId, reduceOnly: order.reduceOnly, timestamp: $0)
            }
            state.withLock { $0.orderGates }.observe(answer, at: clock.now())
            let placed = try BinanceUSDMTrading.order(answer.body)
            post(tracker.restUpdates(placed, trades: await tradesOrNone(placed, symbol: symbol), symbol: symbol))
        } catch let failure as BinanceFailure {
            if case .queryFirst = failure.retry { return await settleUnknown(order, after: failure.failure) }
            reject(order, failure.failure)
        } catch let failure as HTTPFailure where failure.outcomeUnknown {
            await settleUnknown(order, after: ExecutionFailure(code: "timeout", failureClass: .transient, reason: "\(failure)"))
        } catch {
            // Never reached Binance (refused connection, stopped by its rate limit, an unreadable answer to a request
            // that was refused): the engine may send it again under the same id.
            reject(order, ExecutionFailure(code: "not_sent", failureClass: .transient, reason: "\(error)"))
        }
    }

    /// A refusal before the order reached Binance's book: told, and the id forgotten so a resend starts afresh.
    private func reject(_ order: OrderRequest, _ failure: ExecutionFailure) {
        tracker.forget(order.clientOrderId)
        post([OrderUpdate(clientOrderId: order.clientOrderId, venue: settings.venue, kind: .rejected(failure), at: clock.now())])
    }

    /// The answer to a placement never came: ask Binance by client id (a few times: its query may not see the order
    /// at once). Found: what it did is told, fills under Binance's trade ids. Unknown: it was never placed, and the
    /// engine may send it again under the same id. Nothing is resent here.
    func settleUnknown(_ order: OrderRequest, after failure: ExecutionFailure) async {
        logger.warning("\(settings.venue) \(order.clientOrderId): \(failure.reason); asking Binance what became of it")
        for attempt in 0..<4 {
            do {
                if let found = try await findOrder(order.clientOrderId, symbol: order.symbol) {
                    post(tracker.restUpdates(found, trades: await tradesOrNone(found, symbol: order.symbol), symbol: order.symbol))
                    if !found.isOpen { return }
                } else if attempt >= 1 {
                    return reject(order, ExecutionFailure(code: "not_placed", failureClass: .transient,
                                                          reason: "Binance has no order \(order.clientOrderId): \(failure.reason)",
                                                          venueCode: failure.venueCode, venueMessage: failure.venueMessage))
                }
            } catch {
                logger.warning("\(settings.venue) \(order.clientOrderId): query failed: \(error)")
            }
            try? await Task.sleep(for: Backoff(first: .milliseconds(200), cap: .seconds(2)).delay(attempt: attempt))
        }
        // Still not known either way: the engine's silence watch asks again later; nothing is resent meanwhile.
    }

    /// The order by dexter's client id, or nil when Binance does not know it (-2013).
    func findOrder(_ clientOrderId: String, symbol: Symbol) async throws -> BinanceUSDMOrder? {
        guard let venueId = BinanceUSDMClientOrderId.encode(clientOrderId) else { return nil }
        do {
            let answer = try await signed(weight: 1) {
                self.builder.queryOrder(symbol: BinanceUSDMTrading.venueName(symbol), clientOrderId: venueId, timestamp: $0)
            }
            return try BinanceUSDMTrading.order(answer.body)
        } catch let failure as BinanceFailure where failure.failure.venueCode == "-2013" {
            return nil
        }
    }

    /// The order's trades (`userTrades` by its order id) when it filled anything.
    func tradesIfFilled(_ order: BinanceUSDMOrder, symbol: Symbol) async throws -> [BinanceUSDMTrade] {
        guard order.executedQuantity.isPositive else { return [] }
        let answer = try await signed(weight: 5) {
            self.builder.userTrades(symbol: BinanceUSDMTrading.venueName(symbol), orderId: order.orderId, timestamp: $0)
        }
        return try BinanceUSDMTrading.trades(answer.body).filter { $0.orderId == order.orderId }
    }

    /// The trades, or none when they cannot be read now: the user data stream (or a later query) brings the fills,
    /// and the order's end waits for them.
    func tradesOrNone(_ order: BinanceUSDMOrder, symbol: Symbol) async -> [BinanceUSDMTrade] {
        do { return try await tradesIfFilled(order, symbol: symbol) } catch {
            logger.warning("\(settings.venue) \(order.dexterClientOrderId): its trades could not be read now: \(error)")
            return []
        }
    }

    /// A found order's outcome, fees from its trades.
    func report(_ order: BinanceUSDMOrder, symbol: Symbol) async throws -> ExecutionReport {
        order.executionReport(symbol: symbol, venue: settings.venue, trades: try await tradesIfFilled(order, symbol: symbol))
    }

    func cancelOrder(_ clientOrderId: String) async {
        guard let symbol = tracker.symbol(of: clientOrderId), let venueId = BinanceUSDMClientOrderId.encode(clientOrderId) else {
            return post([OrderUpdate(clientOrderId: clientOrderId, venue: settings.venue,
                                     kind: .cancelRejected(reason: "no order \(clientOrderId) of this session"), at: clock.now())])
        }
        do {
            let answer = try await signed(weight: 1) {
                self.builder.cancelOrder(symbol: BinanceUSDMTrading.venueName(symbol), clientOrderId: venueId, timestamp: $0)
            }
            let canceled = try BinanceUSDMTrading.order(answer.body)
            post(tracker.restUpdates(canceled, trades: await tradesOrNone(canceled, symbol: symbol), symbol: symbol))
        } catch {
            post([OrderUpdate(clientOrderId: clientOrderId, venue: settings.venue, kind: .cancelRejected(reason: "\(error)"),
                              at: clock.now())])
        }
    }

    /// Orders of this session not known to be done, asked for again (after the user stream was down): what they did
    /// meanwhile is told, each fill once.
    func reconcileOrders() async {
        for (id, symbol) in tracker.unfinished {
            do {
                guard let found = try await findOrder(id, symbol: symbol) else { continue }
                post(tracker.restUpdates(found, trades: try await tradesIfFilled(found, symbol: symbol), symbol: symbol))
            } catch {
                logger.warning("\(settings.venue) \(id): reconcile failed: \(error)")
            }
        }
    }
}
