import DexterCore
import DexterDetect
import DexterEngine
import DexterLedger
import DexterMarket
import DexterRisk
import DexterVenues
import Foundation
import Logging
import Synchronization

/// Replay throughput on the recorded BTCUSDT stream (both files in shared/data, ~99,000 messages): messages per
/// second through parsing, book keeping and the detector, from memory (gunzip is timed apart). The baseline in
/// the same run parses the same lines with Foundation's JSONSerialization and does nothing else.
enum ReplayBenchmark {
    static func run() async throws {
        let root = ProcessInfo.processInfo.environment["DEXTER_DATA"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data").path
        let directory = root + "/binance_spot_btcusdt_ethusdt_20240808_09"
        let paths = ["btcusdt_20240808.gz", "btcusdt_20240809.gz"].map { directory + "/" + $0 }
        guard paths.allSatisfy({ FileManager.default.fileExists(atPath: $0) }) else {
            print("replay: skipped, \(directory) not found (set DEXTER_DATA to shared/data)")
            return
        }
        let unzipStart = monotonicNanoseconds()
        let files = try paths.map { try RecordedFile(path: $0) }
        let unzipSeconds = Double(monotonicNanoseconds() - unzipStart) / 1e9
        let bytes = files.reduce(0) { $0 + $1.bytes.count }
        print("replay: BTCUSDT \(paths.count) files, \(bytes / 1_000_000) MB unzipped in "
              + String(format: "%.3f s", unzipSeconds))
        let policy = DetectionPolicy(minNetUSD: FixedDecimal("0.01")!, maxNotionalUSD: FixedDecimal(1_000_000))
        var rates: [Double] = []
        var messages = 0
        for _ in 0..<7 {
            var replay = ReplayRun(feed: try ReplayFeed(files: files), policy: policy)
            let start = monotonicNanoseconds()
            while try replay.step(limit: 65_536, { _ in }) {}
            let seconds = Double(monotonicNanoseconds() - start) / 1e9
            messages = replay.feed.statistics.messages
            rates.append(Double(messages) / seconds)
        }
        rates.sort()
        var feedRates: [Double] = []
        for _ in 0..<5 {
            var feed = try ReplayFeed(files: files)
            let start = monotonicNanoseconds()
            while try feed.next() != nil {}
            feedRates.append(Double(feed.statistics.messages) / (Double(monotonicNanoseconds() - start) / 1e9))
        }
        feedRates.sort()
        print("  feed alone (parse + books, no market state or detector): median \(Int(feedRates[2])) msg/s")
        print("  dexter replay (parse + books + detector): \(messages) messages, median \(Int(rates[3])) msg/s, "
              + "best \(Int(rates[6])) msg/s, worst \(Int(rates[0])) msg/s over 7 runs")
        var deskRates: [Double] = []
        for _ in 0..<3 { deskRates.append(try await deskRate(files, policy: policy)) }
        deskRates.sort()
        print("  the desk on the recording (ReplayVenue → inbox → engine, a tick per instant, a ledger): median "
              + "\(Int(deskRates[1])) msg/s over 3 runs, \(String(format: "%.1f", rates[3] / deskRates[1]))× slower "
              + "than dexter replay")

        // Baseline: JSONSerialization on each line's JSON, nothing else.
        var lines: [Data] = []
        for file in files {
            for line in file.bytes.split(separator: UInt8(ascii: "\n")) {
                guard let space = line.firstIndex(of: UInt8(ascii: " ")) else { continue }
                lines.append(Data(line[(space + 1)...]))
            }
        }
        let start = monotonicNanoseconds()
        var parsed = 0
        for line in lines where (try? JSONSerialization.jsonObject(with: line)) != nil { parsed += 1 }
        let baselineRate = Double(parsed) / (Double(monotonicNanoseconds() - start) / 1e9)
        print("  baseline (JSONSerialization parse only): \(parsed) messages, \(Int(baselineRate)) msg/s")
        print("  ratio: replay is \(String(format: "%.1f", rates[3] / baselineRate))× the baseline at the median")
    }

    /// Messages per second through the engine on a `ReplayVenue`, its clock moved to each instant in turn (as
    /// `dexter run --replay --fast` does): detection only, nothing approved.
    static func deskRate(_ files: [RecordedFile], policy: DetectionPolicy) async throws -> Double {
        let venue = try ReplayVenue(files: files)
        let clock = BenchClock(venue.start)
        var venues = VenueSet()
        venues.add(venue)
        let config = EngineConfig(
            user: "bench", mode: .replay,
            limits: RiskLimits(maxNotionalPerTradeUSD: policy.maxNotionalUSD, dailyVolumeUSD: FixedDecimal(1_000_000_000),
                               maxPosition: [:], allowedSymbols: Set(venue.markets.map(\.key.symbol))),
            detection: policy, initialBalances: Inventory(), swapSlippageTolerance: FixedDecimal("0.005")!)
        let path = NSTemporaryDirectory() + "dexter-bench-replay-\(UUID().uuidString).sqlite"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let engine = try await Engine(config: config, venues: venues, ledger: try Ledger(path: path), clock: clock,
                                      logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
        let start = monotonicNanoseconds()
        while let next = venue.nextTime {
            clock.set(next)
            await engine.tick()
        }
        let seconds = Double(monotonicNanoseconds() - start) / 1e9
        return Double(venue.statistics.messages) / seconds
    }
}

/// A clock the benchmark sets.
final class BenchClock: Clock {
    private let time: Mutex<Timestamp>
    init(_ start: Timestamp) { time = Mutex(start) }
    func now() -> Timestamp { time.withLock { $0 } }
    func set(_ now: Timestamp) { time.withLock { $0 = now } }
}
