import DexterCore
import DexterVenues

/// The desk's side of the conversation with venues beyond orders sent: connections that change, and orders a venue
/// has gone quiet about, which are asked for by client order id before anything is assumed.
extension Engine {
    func connectionChanged(_ venue: VenueId, to state: ConnectionState, at now: Timestamp) {
        let before = connections[venue]
        connections[venue] = state
        if before != state { metrics.connection(venue, from: before, to: state) }
        guard let before, before != state else { return }
        notify(.connectionChanged(venue, state), at: now)
    }

    /// Live orders silent past the bound are queried; the answer comes back through `resolveQuery`.
    func querySilentOrders(at now: Timestamp) {
        for order in orderManager.silent(for: config.orderSilenceBeforeQuery, at: now) {
            let id = order.request.clientOrderId, venue = order.request.venue
            guard let client = venues.execution[venue] else { continue }
            orderManager.setQuerying(id, true, at: now)
            notify(.orderSilent(venue, clientOrderId: id, silence: config.orderSilenceBeforeQuery), at: now)
            Task {
                let answer: Result<OrderQueryAnswer, any Error>
                do { answer = .success(try await client.query(id, on: venue)) } catch { answer = .failure(error) }
                self.resolveQuery(id, answer)
            }
        }
    }

    /// What a venue answered about a silent order: its outcome settles it; an order it never saw is sent again
    /// under the same id while attempts remain (it cannot fill twice); one still working is waited for.
    func resolveQuery(_ clientOrderId: String, _ answer: Result<OrderQueryAnswer, any Error>) {
        let now = clock.now()
        guard let order = orderManager[clientOrderId], order.state.isLive else { return }
        orderManager.setQuerying(clientOrderId, false, at: now)
        switch answer {
        case .failure(let error):
            notify(.queryFailed(order.request.venue, clientOrderId: clientOrderId, error: "\(error)"), at: now)
        case .success(.found(let report)) where report.isDone:
            let applied = orderManager.settle(clientOrderId, with: report)
            for step in applied.steps { persist(step, of: clientOrderId, reason: "settled by query", at: now) }
            notify(.queryAnswered(order.request.venue, clientOrderId: clientOrderId, report.status), at: now)
            if cancelsAwaited.contains(clientOrderId), applied.outcome != nil { cancelAnswered(clientOrderId, at: now) }
            if let outcome = applied.outcome { settle(outcome) }
        case .success(.found):
            break
        case .success(.unknown):
            let failure = ExecutionFailure(code: "lost", failureClass: .transient,
                                           reason: "the venue never received the order")
            handle(OrderUpdate(clientOrderId: clientOrderId, venue: order.request.venue, kind: .rejected(failure), at: now))
        }
    }
}
