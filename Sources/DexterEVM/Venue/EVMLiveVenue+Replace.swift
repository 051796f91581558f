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
    /// or filled, if the swap got there first. Nothing pending: refused.
    public func cancel(_ clientOrderId: String, on venue: VenueId) {
        let nonce: BigUInt, original: String
        do { (nonce, original) = try waiting(clientOrderId) } catch {
            post(OrderUpdate(clientOrderId: clientOrderId, venue: venue, kind: .cancelRejected(reason: "\(error)"), at: clock.now()))
            return
        }
        Task {
            do {
                let (hash, route) = try await executor.cancel(nonce: nonce)
                journalReplacement(hash, of: clientOrderId)
                var shown = OrderUpdate(clientOrderId: clientOrderId, venue: venue, kind: .accepted(venueOrderId: original),
                                        at: clock.now())
                shown.route = Self.shown(hash: try Hex.decode(original), route: route) + ", cancel "
                    + Self.short(hash) + " sent"
                post(shown)
            } catch {
                post(OrderUpdate(clientOrderId: clientOrderId, venue: venue, kind: .cancelRejected(reason: "\(error)"),
                                 at: clock.now()))
            }
        }
    }

    /// The same swap at its nonce with both fees raised by 12.5 % (or to the market's, if higher), under the chain's
    /// fee cap. Returns the new transaction and its fees; the Orders panel shows its hash from then on.
    public func speedUp(_ clientOrderId: String, on venue: VenueId) async throws -> String {
        let (nonce, _) = try waiting(clientOrderId)
        let (hash, route) = try await executor.speedUp(nonce: nonce)
        journalReplacement(hash, of: clientOrderId)
        var shown = OrderUpdate(clientOrderId: clientOrderId, venue: venue, kind: .accepted(venueOrderId: Hex.encode(hash)),
                                at: clock.now())
        shown.route = Self.shown(hash: hash, route: route) + ", sped up"
        post(shown)
        let fees = await executor.lastSent(at: nonce)
        let priced = fees.map { " at max fee \(Self.gwei($0.maxFeePerGas)) gwei, tip \(Self.gwei($0.maxPriorityFeePerGas)) gwei" } ?? ""
        return "\(Self.short(hash)) sent at nonce \(nonce)\(priced) (\(route.isPrivate ? "private" : "public"))"
    }

    /// The nonce and hash of the order's swap while it waits to be mined; why not otherwise.
    func waiting(_ clientOrderId: String) throws(EVMLiveError) -> (nonce: BigUInt, hash: String) {
        guard let entry = journal.entry(clientOrderId), entry.report == nil, entry.stage == .sent || entry.stage == .signed,
              let nonce = entry.nonce.flatMap({ BigUInt($0) }), let hash = entry.hash else {
            throw .nothingWaiting(clientOrderId)
        }
        return (nonce, hash)
    }

    func journalReplacement(_ hash: [UInt8], of clientOrderId: String) {
        guard var current = journal.entry(clientOrderId), current.report == nil else { return }
        current.replacements = (current.replacements ?? []) + [Hex.encode(hash)]
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
