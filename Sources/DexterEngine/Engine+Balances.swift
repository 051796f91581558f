import DexterCore
import DexterLedger
import DexterMarket
import DexterVenues

/// The venue's account against the ledger (LIVE): a fresh ledger opens with what each venue says its account holds;
/// afterwards the two are compared at start and after every fill there. A difference is shown and audited, and the
/// ledger is never overwritten by it: the trader decides what it means.
extension Engine {
    /// What the ledger holds at a venue's account: its exchange account, or its chain's wallet.
    func ledgerHoldings(at venue: VenueId) -> [Asset: FixedDecimal] {
        portfolio.inventory.balances[account(of: venue)] ?? [:]
    }

    /// The account a venue trades from, as its markets say.
    func account(of venue: VenueId) -> AccountId {
        pipeline.state.venues.first { $0.id == venue }?.account ?? .exchange(venue)
    }

    /// Every asset either side holds whose amounts differ (a missing one is zero), by asset.
    static func balanceDifferences(ledger: [Asset: FixedDecimal], venue: [Asset: FixedDecimal]) -> [BalanceDifference] {
        Set(ledger.keys).union(venue.keys).sorted().compactMap { asset in
            let booked = ledger[asset] ?? .zero, held = venue[asset] ?? .zero
            return booked == held ? nil : BalanceDifference(asset: asset, ledger: booked, venue: held)
        }
    }

    /// Compares and says so: agreement once after a difference (or when `announce`), a difference once per new one.
    func reconcileBalances(_ venue: VenueId, venueHoldings: [Asset: FixedDecimal], announce: Bool, at now: Timestamp) {
        let differences = Self.balanceDifferences(ledger: ledgerHoldings(at: venue), venue: venueHoldings)
        guard !differences.isEmpty else {
            if announce || balanceMismatches[venue] != nil {
                notify(.balancesAgree(venue, assets: venueHoldings.filter { !$0.value.isZero }.count), at: now)
            }
            balanceMismatches[venue] = nil
            return
        }
        guard balanceMismatches[venue] != differences else { return }
        balanceMismatches[venue] = differences
        audit("balance mismatch", "\(venue): " + differences.map(\.description).joined(separator: "; "), at: now)
        notify(.balanceMismatch(venue, differences), at: now)
    }

    /// After a booking with fills at reconciled venues: each one's balances are asked for and compared when they
    /// come, if nothing is under way there by then (a fill not yet booked is a difference that is only time).
    func checkBalances(after execution: Execution) {
        var asked: Set<AccountId> = []
        for venue in Set(execution.orders.map(\.venue)).sorted() where config.reconciledVenues.contains(venue) {
            // Two DEXes of one chain share its wallet: it is asked once.
            guard asked.insert(account(of: venue)).inserted else { continue }
            requestBalances(venue)
        }
    }

    func requestBalances(_ venue: VenueId) {
        guard let client = venues.execution[venue], balanceChecks.insert(venue).inserted else { return }
        Task {
            let answer: Result<[Asset: FixedDecimal], any Error>
            do { answer = .success(try await client.balances(on: venue)) } catch { answer = .failure(error) }
            self.balancesAnswered(venue, answer)
        }
    }

    func balancesAnswered(_ venue: VenueId, _ answer: Result<[Asset: FixedDecimal], any Error>) {
        balanceChecks.remove(venue)
        let now = clock.now()
        switch answer {
        case .failure(let error):
            notify(.balanceCheckFailed(venue, error: "\(error)"), at: now)
        case .success(let held):
            let account = account(of: venue)
            let busy = orderManager.live.contains { self.account(of: $0.request.venue) == account }
                || inFlight.values.contains { $0.orders.contains { self.account(of: $0.venue) == account } }
            // The booking still to come will ask again.
            guard !busy else { return }
            reconcileBalances(venue, venueHoldings: held, announce: false, at: now)
        }
    }

    /// The accounts of reconciled venues as each venue reports them, read before the ledger opens (a venue that
    /// cannot say stops the start: a LIVE desk does not trade on balances it has not seen).
    static func venueHoldings(_ config: EngineConfig, venues: VenueSet,
                              accounts: [VenueId: AccountId]) async throws -> [VenueId: [Asset: FixedDecimal]] {
        var holdings: [VenueId: [Asset: FixedDecimal]] = [:]
        var asked: Set<AccountId> = []
        for venue in config.reconciledVenues {
            guard let client = venues.execution[venue], asked.insert(accounts[venue] ?? .exchange(venue)).inserted else { continue }
            do {
                holdings[venue] = try await client.balances(on: venue).filter { !$0.value.isZero }
            } catch {
                throw VenueBalancesUnavailable(venue: venue, reason: "\(error)")
            }
        }
        return holdings
    }
}

/// A LIVE desk could not read a venue's balances at start.
public struct VenueBalancesUnavailable: Error, Sendable, CustomStringConvertible {
    public let venue: VenueId
    public let reason: String
    public var description: String { "\(venue)'s balances could not be read: \(reason)" }
}
