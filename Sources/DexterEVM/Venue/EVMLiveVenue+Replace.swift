import BigInt
import DexterCore
import DexterCrypto
import DexterVenues

/// The Orders panel's two keys for a swap waiting to be mined: speed it up (the same swap at its nonce, both fees
/// raised) or cancel it (a 0-value transfer at its nonce). Either way the swap's wait follows its nonce
/// (`SwapExecutor.confirm`): whichever transaction a block takes decides how the order ends. Each replacement is
/// journaled, so a restarted desk's query finds it.
extension EVMLiveVenue: OrderSpeedingUp {
    /// A swap still waiting to be mined is canceled on chain: a 0-value transfer to the wallet at its nonce with both
    /// fees bumped, which a miner takes instead (`SwapExecutor.cancel`). It ends canceled when the cancel is mined —
    /// or filled, if the swap got there first. Nothing pending: refused. The cancel is journaled before it is sent.
    public func cancel(_ clientOrderId: String, on venue: VenueId) {
        let nonce: BigUInt, original: [UInt8]
        do { (nonce, original) = try waiting(clientOrderId) } catch {
            post(OrderUpdate(clientOrderId: clientOrderId, venue: venue, kind: .cancelRejected(reason: "\(error)"), at: clock.now()))
            return
        }
        Task {
            do {
                let (hash, route) = try await executor.cancel(nonce: nonce) { sent in
                    self.journalReplacement(sent.hash, of: clientOrderId, isCancel: true)
                }
                var shown = OrderUpdate(clientOrderId: clientOrderId, venue: venue, kind: .routeChanged, at: clock.now())
                shown.route = Self.shown(hash: original, route: route) + ", cancel " + Self.short(hash) + " sent"
                post(shown)
            } catch {
                post(OrderUpdate(clientOrderId: clientOrderId, venue: venue, kind: .cancelRejected(reason: "\(error)"),
                                 at: clock.now()))
            }
        }
    }

    /// The same swap at its nonce with both fees raised by 12.5 % (or to the market's, if higher), under the chain's
    /// fee cap, run by `eth_call` first and journaled before it is sent. Returns the new transaction and its fees; the
    /// Orders panel shows its hash from then on.
    public func speedUp(_ clientOrderId: String, on venue: VenueId) async throws -> String {
        let (nonce, _) = try waiting(clientOrderId)
        let (hash, route, sent) = try await executor.speedUp(nonce: nonce) { sent in
            self.journalReplacement(sent.hash, of: clientOrderId, isCancel: false)
        }
        var shown = OrderUpdate(clientOrderId: clientOrderId, venue: venue, kind: .routeChanged, at: clock.now())
        shown.route = Self.shown(hash: hash, route: route) + ", sped up"
        post(shown)
        return "\(Self.short(hash)) sent at nonce \(nonce) at max fee \(Self.gwei(sent.maxFeePerGas)) gwei, "
            + "tip \(Self.gwei(sent.maxPriorityFeePerGas)) gwei (\(route.isPrivate ? "private" : "public"))"
    }

    /// The nonce and hash of the order's swap while it waits to be mined; why not otherwise.
    func waiting(_ clientOrderId: String) throws(EVMLiveError) -> (nonce: BigUInt, hash: [UInt8]) {
        guard let entry = journal.entry(clientOrderId), entry.report == nil, entry.stage == .sent || entry.stage == .signed,
              let nonce = entry.nonce.flatMap({ BigUInt($0) }), let hash = entry.hash.flatMap({ try? Hex.decode($0) }) else {
            throw .nothingWaiting(clientOrderId)
        }
        return (nonce, hash)
    }

    /// Writes a replacement down before it leaves, so that a restart's query looks for it too.
    func journalReplacement(_ hash: [UInt8], of clientOrderId: String, isCancel: Bool) {
        guard var current = journal.entry(clientOrderId), current.report == nil else { return }
        current.replacements = (current.replacements ?? []) + [Hex.encode(hash)]
        // Written even when empty: a journal from before cancels were told apart has replacements and no cancels.
        current.cancels = (current.cancels ?? []) + (isCancel ? [Hex.encode(hash)] : [])
        journal.record(current)
    }

    static func short(_ hash: [UInt8]) -> String {
        let hex = Hex.encode(hash)
        return "\(hex.prefix(6))…\(hex.suffix(4))"
    }

    /// Wei per gas in gwei, to the wei (trailing zeros dropped).
    static func gwei(_ wei: BigUInt) -> String {
        FixedDecimal(units: Int128(wei), decimals: 9).description
    }
}
