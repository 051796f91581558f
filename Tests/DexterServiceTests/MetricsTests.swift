import DexterCore
import DexterDetect
import DexterEngine
import DexterLedger
import DexterMarket
import DexterRisk
import DexterService
import DexterVenues
import Foundation
import Synchronization
import Testing

/// The desk's Prometheus exposition, from a real engine on the simulated market: what monitoring reads, checked by
/// Prometheus's own `promtool check metrics` (Debian's `prometheus` package).
///
/// swift-metrics has one backend per process and the tests of this target share the process: every test bootstraps
/// through `DeskMetrics.bootstrap()` (once, the same registry), and other tests' engines may add to the same
/// counters, so the figures here are floors, never exact counts.
@Suite struct MetricsTests {
    @Test func aRunningDeskExposesItsMetricsAndPromtoolAcceptsThem() async throws {
        DeskMetrics.bootstrap()  // before the engine: its metrics bind to the backend when it makes them
        let clock = SteppedClock()
        let path = NSTemporaryDirectory() + "dexter-metrics-\(UUID().uuidString).sqlite"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let ledger = try Ledger(path: path)
        var venues = VenueSet()
        venues.add(SimulatedVenues(universe: Self.universe, start: clock.now()))
        let engine = try await Engine(config: Self.config, venues: venues, ledger: ledger, clock: clock)
        let booked = Mutex(0)
        await engine.onBooked { _, _, _ in booked.withLock { $0 += 1 } }

        // The market in 10 ms steps for six simulated seconds at least (beta's feed drops from the second to the
        // third), and until a trade is booked and gauges have been sampled since (once a simulated second). The
        // seeded market's first jump comes within seconds.
        func advance() async {
            clock.advance(.milliseconds(10))
            await engine.tick()
        }
        var bookedAt: Int?
        for step in 1...12_000 {
            await advance()
            if bookedAt == nil, booked.withLock({ $0 }) > 0 { bookedAt = step }
            if let bookedAt, step >= 600, step - bookedAt > 150 { break }
        }
        try #require(bookedAt != nil, "the simulated desk booked no trade in two minutes")
        // A resync as an exchange adapter reports one (a gap in the depth stream), through the same seam.
        engine.inbox.post(.resyncing(reason: "depth stream gap"), for: "alpha")
        await advance()
        engine.inbox.post(.live, for: "alpha")
        await advance()

        let text = DeskMetrics.exposition()
        try Promtool.checkMetrics(text)
        let samples = Exposition(text)
        for venue in ["alpha", "beta"] {
            #expect(samples["dexter_feed_messages_total", ["venue": venue]] ?? 0 > 0, "\(venue)'s updates counted")
            #expect(samples["dexter_venue_up", ["venue": venue]] == 1)
            #expect(samples["dexter_feed_age_seconds", ["venue": venue]] != nil)
            #expect(samples["dexter_rate_limit_headroom_ratio", ["venue": venue, "budget": "desk"]].map { (0...1).contains($0) } == true)
        }
        #expect(samples["dexter_venue_disconnects_total", ["venue": "beta"]] ?? 0 >= 1, "beta's outage")
        #expect(samples["dexter_venue_reconnects_total", ["venue": "beta"]] ?? 0 >= 1, "beta back after its outage")
        #expect(samples["dexter_venue_resyncs_total", ["venue": "alpha"]] ?? 0 >= 1)
        #expect(samples["dexter_detection_latency_seconds_count"] ?? 0 > 0)
        #expect(samples["dexter_detection_latency_seconds_bucket", ["le": "+Inf"]] == samples["dexter_detection_latency_seconds_count"])
        #expect(samples["dexter_opportunities_detected_total"] ?? 0 > 0)
        #expect(samples["dexter_opportunities", ["kind": "route"]] != nil)
        #expect(samples["dexter_approvals_total", ["outcome": "approved"]] ?? 0 > 0)
        #expect(samples["dexter_orders_submitted_total", ["venue": "alpha"]] ?? 0 > 0)
        #expect(samples.sum("dexter_orders_total", ["outcome": "filled"]) > 0)
        #expect(samples.sum("dexter_fills_total") > 0, "a booked trade's fills counted")
        #expect(samples.sum("dexter_bookings_total") > 0)
        #expect(samples["dexter_ledger_commit_seconds_count", ["operation": "booking"]] ?? 0 > 0)
        #expect(samples["dexter_ledger_commit_seconds_count", ["operation": "order_event"]] ?? 0 > 0)
        #expect(samples["dexter_realised_pnl_usd"] != nil)
        #expect(samples["dexter_trading_state", ["state": "active"]] != nil)
        #expect(samples["dexter_process_resident_memory_bytes"] ?? 0 > 1_000_000, "resident memory read from /proc")
        // Every metric of the catalog that the run moved has its HELP line (promtool's lint holds that too).
        for metric in MetricCatalog.all where text.contains("\n\(metric.name)") || text.hasPrefix(metric.name) {
            #expect(text.contains("# HELP \(metric.name) "), "\(metric.name) has no HELP")
        }
    }

    @Test func bootstrapIsIdempotent() {
        #expect(DeskMetrics.bootstrap() === DeskMetrics.bootstrap())
        #expect(DeskMetrics.exposition().contains("# TYPE dexter_process_resident_memory_bytes gauge"))
    }

    // MARK: The simulated market

    /// Two exchanges quoting ETH/USDT, alpha quick and beta slow to follow the underlying: they cross after every
    /// jump. USD is USDC: a USDC/USDT book values the USDT quote. Beta's feed drops for a second, two in.
    static let universe: SimulatedUniverse = {
        let symbol = Symbol(base: "ETH", quote: "USDT")
        func book(_ name: String, catchUp: Double, symbol: Symbol = symbol, top: Double = 1) -> SimulatedBook {
            SimulatedBook(
                venue: VenueSpec(id: VenueId(name), kind: .exchange, takerFee: FixedDecimal("0.0005")!, stalenessBound: .seconds(2)),
                instrument: InstrumentSpec(symbol: symbol, tickSize: FixedDecimal("0.0001")!, lotSize: FixedDecimal("0.001")!,
                                           minNotional: FixedDecimal(5)),
                catchUpRate: catchUp, noiseBps: 0, halfSpreadBps: 0.5, levels: 10, topQuantity: top, updatesPerSecond: 20)
        }
        return SimulatedUniverse(
            seed: 5,
            assets: [SimulatedAsset(asset: "ETH", priceUSD: 3000, volatility: 0.8, jumpsPerHour: 1200, jumpSize: 0.004),
                     SimulatedAsset(asset: "USDT", priceUSD: 1, volatility: 0, jumpsPerHour: 0, jumpSize: 0),
                     SimulatedAsset(asset: "USDC", priceUSD: 1, volatility: 0, jumpsPerHour: 0, jumpSize: 0)],
            books: [book("alpha", catchUp: 8), book("beta", catchUp: 0.5),
                    book("alpha", catchUp: 10, symbol: Symbol(base: "USDC", quote: "USDT"), top: 100_000)],
            pools: [], chains: [], latency: [VenueId("alpha"): .milliseconds(10), VenueId("beta"): .milliseconds(10)],
            outages: [FeedOutage(venues: ["beta"], start: .seconds(2), length: .seconds(1))])
    }()

    /// A desk that approves on its own whatever clears a cent, up to $5,000 a trade, with 10 ETH and 30,000 USDT on
    /// each exchange.
    static let config: EngineConfig = {
        let symbol = Symbol(base: "ETH", quote: "USDT")
        var inventory = Inventory()
        for name in ["alpha", "beta"] {
            inventory.credit("ETH", FixedDecimal(10), at: .exchange(VenueId(name)))
            inventory.credit("USDT", FixedDecimal(30_000), at: .exchange(VenueId(name)))
        }
        var config = EngineConfig(
            user: "metrics", mode: .sim,
            limits: RiskLimits(maxNotionalPerTradeUSD: FixedDecimal(5_000), dailyVolumeUSD: FixedDecimal(1_000_000),
                               maxPosition: ["ETH": FixedDecimal(100)], allowedSymbols: [symbol]),
            detection: DetectionPolicy(minNetUSD: FixedDecimal("0.01")!, maxNotionalUSD: FixedDecimal(5_000)),
            initialBalances: inventory, swapSlippageTolerance: FixedDecimal("0.005")!)
        config.autoApprove = AutoApprovePolicy(minNetUSD: FixedDecimal("0.01")!, maxNotionalUSD: FixedDecimal(5_000), pairs: [])
        return config
    }()
}

/// A clock the test moves by hand.
final class SteppedClock: DexterCore.Clock {
    private let time = Mutex(Timestamp(nanoseconds: 1_764_000_000_000_000_000))
    func now() -> Timestamp { time.withLock { $0 } }
    func advance(_ duration: Duration) { time.withLock { $0 = $0.adding(duration) } }
}

/// Runs `promtool check metrics` on an exposition, as Prometheus's maintainers lint one: a problem is a failure, and
/// so is a missing promtool (it comes with Debian's `prometheus` package; scripts/install-deps.sh installs it).
enum Promtool {
    static func checkMetrics(_ exposition: String) throws {
        guard let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first(where: FileManager.default.isExecutableFile)
        else {
            Issue.record("promtool not found: install Debian's prometheus package (sudo apt-get install -y prometheus)")
            return
        }
        let file = NSTemporaryDirectory() + "dexter-metrics-\(UUID().uuidString).prom"
        try exposition.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: promtool)
        process.arguments = ["check", "metrics"]
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: file))
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "promtool check metrics: \(said)\n\(exposition)")
    }
}

/// The samples of an exposition in the text format, by name and labels.
struct Exposition {
    private var samples: [(name: String, labels: [String: String], value: Double)] = []

    init(_ text: String) {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            let series = line[..<space]
            guard let brace = series.firstIndex(of: "{") else {
                samples.append((String(series), [:], value))
                continue
            }
            var labels: [String: String] = [:]
            // label="value" pairs; the desk's label values hold no quotes or commas.
            for pair in series[series.index(after: brace)..<series.index(before: series.endIndex)].split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { continue }
                labels[String(parts[0])] = String(parts[1].dropFirst().dropLast())
            }
            samples.append((String(series[..<brace]), labels, value))
        }
    }

    /// The sample of `name` whose labels include `labels`: the first, or nil.
    subscript(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { Self.matches($0, name, labels) }?.value
    }

    /// The sum of every sample of `name` whose labels include `labels`.
    func sum(_ name: String, _ labels: [String: String] = [:]) -> Double {
        samples.filter { Self.matches($0, name, labels) }.reduce(0) { $0 + $1.value }
    }

    private static func matches(_ sample: (name: String, labels: [String: String], value: Double), _ name: String,
                                _ labels: [String: String]) -> Bool {
        sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value }
    }
}
