import DexterCore
import DexterDetect
import DexterMarket
import DexterVenues

/// Detection alone on a venue that keeps its own clock (`dexter scan`, a determinism test): the venue publishes into
/// an inbox this drains, with no orders and no ledger.
public struct ClockedScan: Sendable {
    public private(set) var pipeline: MarketPipeline
    private let venue: any MarketDataClient & ClockedVenue
    private let inbox = VenueInbox()

    public init(_ venue: some MarketDataClient & ClockedVenue, policy: DetectionPolicy, inventory: Inventory,
                start: Timestamp) async throws {
        let instruments = try await venue.instruments()
        self.venue = venue
        self.pipeline = MarketPipeline(markets: instruments.map(\.market), gas: try await venue.currentGas(),
                                       policy: policy, inventory: inventory, start: start)
        try await venue.subscribe(instruments.map(\.market.key), into: inbox)
    }

    /// Runs the venue to `time` and folds what it published into the opportunity set.
    public mutating func advance(to time: Timestamp) -> DetectionChanges {
        venue.advance(to: time)
        return pipeline.apply(inbox.drain().market, at: time)
    }

    /// Whether the reported cycles changed since the last call.
    public mutating func takeCyclesChanged() -> Bool { pipeline.takeCyclesChanged() }
}
