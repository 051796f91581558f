import ArgumentParser
import DexterCore
import DexterDetect
import DexterEngine
import DexterVenues
import Foundation

/// Headless detection: the same pipeline as the screen, written to stdout.
struct Scan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stream opportunities from the embedded market, without a screen.",
        discussion: """
            With --json, each line is one JSON object: "event" is "new" when an opportunity appears, "update" when \
            its figures change and "gone" when it closes; "market_seconds" is the market's time since the scan began. Amounts are exact decimal strings. The market is \
            deterministic for a seed; --fast runs it without waiting for the clock.
            """)

    @OptionGroup var desk: DeskOptions

    @Option(name: .long, help: "How many seconds of market to scan.")
    var seconds: Double = 10

    @Flag(name: .long, help: "Write NDJSON, one opportunity event per line.")
    var json = false

    @Flag(name: .long, help: "Run the simulated clock as fast as possible instead of in real time.")
    var fast = false

    func validate() throws {
        guard seconds > 0, seconds.isFinite else { throw ValidationError("--seconds must be a positive number") }
    }

    func run() async throws {
        let config = try desk.load()
        let engineConfig = config.engineConfig(user: "scan")
        let start = WallClock().now()
        let venues = try config.venueSet(seed: desk.seed, start: start, journalPath: nil)
        // A scan drives one clocked market, the embedded one.
        guard venues.marketData.count == 1,
              let market = venues.marketData[0] as? any MarketDataClient & ClockedVenue else {
            throw ValidationError("dexter scan runs on the embedded market alone (every venue's connector \"sim\")")
        }
        var scan = try await ClockedScan(market, policy: engineConfig.detection,
                                         inventory: engineConfig.initialBalances, start: start)
        let end = start.adding(.nanoseconds(Int64(seconds * 1e9)))
        var seen = Set<UInt64>()
        var output = ""
        func emit(_ line: String) {
            output += line + "\n"
            if output.utf8.count > 1 << 16 { flush() }
        }
        func flush() {
            FileHandle.standardOutput.write(Data(output.utf8))
            output = ""
        }
        for opportunity in scan.pipeline.opportunities.sorted(by: { $0.id < $1.id }) {
            seen.insert(opportunity.id)
            emit(line(opportunity, event: "new", now: start, start: start))
        }
        var now = start
        let wallStart = monotonicNanoseconds()
        while now < end {
            now = min(end, now.adding(.milliseconds(100)))
            if !fast {
                let due = UInt64(now.nanoseconds - start.nanoseconds)
                let elapsed = monotonicNanoseconds() - wallStart
                if due > elapsed { try await Task.sleep(for: .nanoseconds(Int64(due - elapsed))) }
            }
            let changes = scan.advance(to: now)
            for id in changes.removed where seen.remove(id) != nil {
                let seconds = Double(now.duration(since: start).nanosecondsClamped) / 1e9
                emit(json ? #"{"event":"gone","id":\#(id),"market_seconds":\#(seconds)}"# : "gone #\(id)")
            }
            for opportunity in changes.upserted {
                let isNew = seen.insert(opportunity.id).inserted
                emit(line(opportunity, event: isNew ? "new" : "update", now: now, start: start))
            }
            if scan.takeCyclesChanged() {
                emit(cyclesLine(scan.pipeline.cycles.best, seconds: Double(now.duration(since: start).nanosecondsClamped) / 1e9))
            }
            if !fast { flush() }
        }
        flush()
    }

    /// The reported cycles after a change: `{"event":"cycles","cycles":[…]}`, each with its legs exact.
    func cyclesLine(_ cycles: [CycleOpportunity], seconds: Double) -> String {
        guard json else {
            return "cycles: " + (cycles.isEmpty ? "none" : cycles.map { "\($0.route) net $\($0.netUSD.formatted(digits: 2))" }
                .joined(separator: "; "))
        }
        let objects: [[String: Any]] = cycles.map { cycle in
            [
                "id": cycle.id, "route": cycle.route, "start": cycle.start.code,
                "amount_in": cycle.amountIn.description, "amount_out": cycle.amountOut.description,
                "net": cycle.net.description, "net_usd": cycle.netUSD.description, "gas_usd": cycle.gasUSD.description,
                "net_bps": cycle.netBps.rounded(digits: 4).description,
                "legs": cycle.legs.map { leg -> [String: Any] in
                    ["venue": leg.venue.name, "instrument": leg.symbol.description, "side": leg.side.rawValue,
                     "from": leg.from.code, "input": leg.input.description, "to": leg.to.code,
                     "output": leg.output.description, "quantity": leg.quantity.description,
                     "average_price": leg.averagePrice.description, "fee": leg.fee.description]
                },
            ]
        }
        let object: [String: Any] = ["event": "cycles", "cycles": objects, "market_seconds": seconds]
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    func line(_ opportunity: Opportunity, event: String, now: Timestamp, start: Timestamp) -> String {
        if json {
            return OpportunityJSON.encode(opportunity, event: event, at: now,
                                          marketSeconds: Double(now.duration(since: start).nanosecondsClamped) / 1e9)
        }
        return "\(event) #\(opportunity.id) \(opportunity.route) size \(opportunity.quantity) net \(opportunity.net) \(opportunity.symbol.quote) ($\(opportunity.netUSD.formatted(digits: 2)), \(opportunity.netBps.formatted(digits: 1)) bps)"
    }
}
