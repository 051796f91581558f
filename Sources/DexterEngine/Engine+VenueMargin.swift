import DexterCore
import DexterMarket
import DexterVenues

/// What perpetual venues that report their margin (LIVE) say of the desk's positions: read every few seconds, their
/// margin ratio joins the desk's model in the margin buffer (the stricter of the two counts), and a position the
/// venue holds otherwise than the ledger is shown and audited once per difference — never written over the ledger.
extension Engine {
    static let venueMarginEvery = Duration.seconds(5)
    /// A venue's figures older than this no longer count in the buffer (the model alone does).
    static let venueMarginFreshFor = Duration.seconds(30)

    func requestVenueMargins(at now: Timestamp) {
        guard now.duration(since: lastVenueMarginRequest) >= Self.venueMarginEvery else { return }
        lastVenueMarginRequest = now
        for client in venues.executionClients.compactMap({ $0 as? any MarginReporting }) {
            for venue in client.venueIds where marginChecks.insert(venue).inserted {
                Task {
                    let answer: Result<VenueMargin, any Error>
                    do { answer = .success(try await client.margin(on: venue)) } catch { answer = .failure(error) }
                    self.venueMarginAnswered(venue, answer)
                }
            }
        }
    }

    func venueMarginAnswered(_ venue: VenueId, _ answer: Result<VenueMargin, any Error>) {
        marginChecks.remove(venue)
        let now = clock.now()
        switch answer {
        case .failure(let error):
            logger.warning("\(venue)'s margin could not be read: \(error)")
        case .success(let margin):
            venueMargins[venue] = margin
            // An order under way there is a difference that is only time.
            let busy = orderManager.live.contains { $0.request.venue == venue }
                || inFlight.values.contains { $0.orders.contains { $0.venue == venue } }
            guard !busy else { return }
            reconcilePositions(venue, margin, at: now)
        }
    }

    /// The venue's positions against the ledger's, each perpetual either side holds.
    func reconcilePositions(_ venue: VenueId, _ margin: VenueMargin, at now: Timestamp) {
        let ledger = portfolio.inventory.positions[.exchange(venue)] ?? [:]
        let held = Dictionary(margin.positions.map { ($0.symbol, $0.size) }) { first, _ in first }
        let differences = Set(ledger.keys).union(held.keys).sorted().compactMap { symbol -> PositionDifference? in
            let booked = ledger[symbol]?.size ?? .zero, reported = held[symbol] ?? .zero
            return booked == reported ? nil : PositionDifference(symbol: symbol, ledger: booked, venue: reported)
        }
        guard positionMismatches[venue] != differences else { return }
        if differences.isEmpty {
            positionMismatches[venue] = nil
            notify(.positionsAgree(venue), at: now)
            return
        }
        positionMismatches[venue] = differences
        audit("position mismatch", "\(venue): " + differences.map(\.description).joined(separator: "; "), at: now)
        notify(.positionMismatch(venue, differences), at: now)
    }

    /// The venue's own margin ratio for `account`, when it reported one recently.
    func venueMarginRatio(_ account: AccountId, at now: Timestamp) -> Double? {
        guard case .exchange(let venue) = account, let margin = venueMargins[venue],
              now.duration(since: margin.at) <= Self.venueMarginFreshFor else { return nil }
        return margin.marginRatio
    }
}

/// A perpetual the ledger and its venue hold differently.
public struct PositionDifference: Sendable, Hashable, CustomStringConvertible {
    public let symbol: Symbol
    public let ledger: FixedDecimal
    public let venue: FixedDecimal

    public init(symbol: Symbol, ledger: FixedDecimal, venue: FixedDecimal) {
        self.symbol = symbol
        self.ledger = ledger
        self.venue = venue
    }

    /// "ETH/USDT:USDT ledger 9 venue 8.5".
    public var description: String { "\(symbol) ledger \(ledger) venue \(venue)" }
}
