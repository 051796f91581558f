import DexterCore
import DexterRisk
import DexterVenues

/// What the trader can do to one working order from the Orders panel.
public enum OrderAction: String, Sendable, Hashable, CustomStringConvertible {
    case cancel
    case speedUp = "speed up"

    public var description: String { rawValue }
}

extension OrderRow {
    /// "#12 uni-v3 sell 1.5 ETH/USDC": the order as the Orders panel and the log name it.
    public var label: String { "\(tag) \(venue) \(side.rawValue) \(quantity) \(symbol)" }
}

/// The trader's cancel and speed-up of one order. Both go to the order's venue; how the order ends still comes as
/// its updates, and is booked like any other end (a canceled leg leaves its arbitrage to leg risk).
extension Engine {
    /// Asks the order's venue to cancel it. Needs the cancel-orders permission; only a live order, once.
    func cancelOrder(_ clientOrderId: String) {
        let now = clock.now()
        guard permitted(.cancelOrders, at: now) else { return }
        let order: OrderRow, client: any ExecutionClient
        do { (order, client) = try working(clientOrderId, for: .cancel) } catch {
            return refuse(clientOrderId, .cancel, error.reason, at: now)
        }
        guard order.state != .pendingCancel else {
            return refuse(clientOrderId, .cancel, "a cancel of it is already waiting for an answer", at: now)
        }
        if let waiting = retries.firstIndex(where: { $0.order.clientOrderId == clientOrderId }) {
            // Waiting to be sent again after a transient refusal: nothing is at the venue; it ends here, unsent.
            let retry = retries.remove(at: waiting)
            let reason = "canceled by \(member.name) before it was sent again"
            transition(clientOrderId, .canceled, reason: reason, at: now)
            settleUnsent(retry.order, reason: reason, at: now)
            audit("order cancel", "\(clientOrderId) \(order.label) by \(member.name) (waiting to be sent again)", at: now)
            notify(.orderCancelRequested(order), at: now)
            return publish(force: true)
        }
        transition(clientOrderId, .cancelRequested, reason: "cancel sent by \(member.name)", at: now)
        client.cancel(clientOrderId, on: order.venue)
        audit("order cancel", "\(clientOrderId) \(order.label) by \(member.name)", at: now)
        notify(.orderCancelRequested(order), at: now)
        publish(force: true)
    }

    /// Sends the order again paying more to be taken sooner, where its venue queues orders by what they pay (a chain
    /// transaction waiting to be mined). It spends more gas: it needs the approve permission.
    func speedUp(_ clientOrderId: String) {
        let now = clock.now()
        guard permitted(.approve, at: now) else { return }
        let order: OrderRow, client: any ExecutionClient
        do { (order, client) = try working(clientOrderId, for: .speedUp) } catch {
            return refuse(clientOrderId, .speedUp, error.reason, at: now)
        }
        guard let replacing = client as? any OrderSpeedingUp else {
            return refuse(clientOrderId, .speedUp, "\(order.venue) orders cannot be sped up: only a chain transaction "
                          + "waiting to be mined can", at: now)
        }
        guard order.state != .pendingCancel else {
            return refuse(clientOrderId, .speedUp, "a cancel of it is waiting to be mined", at: now)
        }
        guard !retries.contains(where: { $0.order.clientOrderId == clientOrderId }) else {
            return refuse(clientOrderId, .speedUp, "it is waiting to be sent again: nothing of it is at the venue", at: now)
        }
        // One speed-up of an order at a time: a second press while the first is on its way would race it.
        guard speedingUp.insert(clientOrderId).inserted else {
            return refuse(clientOrderId, .speedUp, "a speed-up of it is already on its way", at: now)
        }
        audit("order speed-up", "\(clientOrderId) \(order.label) by \(member.name)", at: now)
        Task {
            let answer: Result<String, any Error>
            do { answer = .success(try await replacing.speedUp(clientOrderId, on: order.venue)) } catch { answer = .failure(error) }
            self.speedUpAnswered(order, answer)
        }
    }

    func speedUpAnswered(_ order: OrderRow, _ answer: Result<String, any Error>) {
        let now = clock.now()
        speedingUp.remove(order.clientOrderId)
        switch answer {
        case .success(let sent):
            audit("order sped up", "\(order.clientOrderId): \(sent)", at: now)
            notify(.orderSpedUp(order, sent: sent), at: now)
        case .failure(let error):
            notify(.orderActionRefused(clientOrderId: order.clientOrderId, action: .speedUp, reason: "\(error)"), at: now)
        }
        publish(force: true)
    }

    struct NotWorking: Error { let reason: String }

    /// The live order and its venue's client; why the action cannot apply otherwise.
    private func working(_ clientOrderId: String, for action: OrderAction) throws(NotWorking) -> (OrderRow, any ExecutionClient) {
        guard let order = orderManager[clientOrderId] else { throw NotWorking(reason: "no such order this session") }
        guard order.row.state.isLive else {
            throw NotWorking(reason: "it is \(order.row.state.rawValue): only a live order can be \(action == .cancel ? "canceled" : "sped up")")
        }
        guard let client = venues.execution[order.request.venue] else {
            throw NotWorking(reason: "\(order.request.venue) has no execution connection")
        }
        return (order.row, client)
    }

    private func refuse(_ clientOrderId: String, _ action: OrderAction, _ reason: String, at now: Timestamp) {
        notify(.orderActionRefused(clientOrderId: clientOrderId, action: action, reason: reason), at: now)
        publish(force: true)
    }
}
