import DexterCore
import DexterVenues

extension DeskConfig {
    /// The desk's venues as config describes them, opened at `start`: the only place concrete venues are named. The
    /// embedded market is every `[venues.*]` today; `journalPath` is where its paper venues remember what they
    /// executed, so a restarted desk can ask them about orders it had in flight.
    func venueSet(seed: UInt64?, start: Timestamp, journalPath: String?) throws -> VenueSet {
        var universe = self.universe
        if let seed { universe.seed = seed }
        var venues = VenueSet()
        venues.add(SimulatedVenues(universe: universe, start: start, journal: try journalPath.map(PaperJournal.init(path:))))
        return venues
    }
}
