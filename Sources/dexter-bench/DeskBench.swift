import DexterCore
import DexterDetect
import DexterMarket
import DexterDesk
import DexterEngine
import DexterLedger
import DexterRisk
import DexterVenues
import Foundation
import Logging
import PostgresNIO
import Synchronization
import TestServers

/// `dexter-bench desk`: the shared desk on a PostgreSQL server of its own (Debian's, on a private socket):
/// - booking throughput to the shared ledger: 2,000 bookings each shipped from 1 box, then from 3 boxes at once
///   (baseline: the same bookings written to the box's own SQLite ledger);
/// - a desk-wide volume reservation's round trip (baseline: SELECT 1 on the same connection);
/// - the kill switch: a halt on one box → applied on another (baseline: a bare NOTIFY → LISTEN).
enum DeskBenchmark {
    static let logger = Logger(label: "bench.desk")

    static func run() async throws {
        let postgres = try LocalPostgres()
        let desk = try DeskDatabase(url: postgres.url)
        print("desk: a PostgreSQL \(try postgres.psql("SHOW server_version")) of its own on a Unix socket")
        try await shipping(desk, postgres: postgres)
        try await reservations(desk)
        try await killSwitch(desk)
    }

    static func shipping(_ desk: DeskDatabase, postgres: LocalPostgres) async throws {
        let folder = NSTemporaryDirectory() + "dexter-desk-bench-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let count = 2_000
        var ledgers: [Ledger] = []
        var local: [Double] = []
        for box in 0..<4 {
            let ledger = try Ledger(path: "\(folder)/box\(box).sqlite")
            let start = monotonicNanoseconds()
            try ledger.writer.book(batch: (0..<count).map { LedgerBenchmark.booking(box * count + $0) })
            local.append(Double(count) / (Double(monotonicNanoseconds() - start) / 1e9))
            ledgers.append(ledger)
        }
        print("  bookings written to a box's own ledger (baseline): \(Int(local[0]))/s, batched")
        let entries = try ledgers[0].reader.outboxHead()
        for boxes in [1, 3] {
            let chosen = boxes == 1 ? [ledgers[0]] : Array(ledgers[1...3])
            let start = monotonicNanoseconds()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, ledger) in chosen.enumerated() {
                    group.addTask {
                        let shipper = LedgerShipper(box: "bench-\(boxes)-\(index)", database: desk, ledger: ledger.reader, logger: logger)
                        while try await shipper.ship() > 0 {}
                        await shipper.close()
                    }
                }
                try await group.waitForAll()
            }
            let seconds = Double(monotonicNanoseconds() - start) / 1e9
            let rate = Double(count * boxes) / seconds
            print("  shipped to the shared ledger from \(boxes) box\(boxes == 1 ? "" : "es"): \(count * boxes) bookings "
                  + "(\(Int(entries) * boxes) rows) in \(String(format: "%.2f", seconds)) s, \(Int(rate)) bookings/s, "
                  + String(format: "×%.2f the box's own ledger", rate / local[0]))
        }
    }

    static func reservations(_ desk: DeskDatabase) async throws {
        let volume = DeskVolume(box: "bench", database: desk, allowance: DeskAllowance(), limit: FixedDecimal(1_000_000_000),
                                slice: .zero, logger: logger)
        _ = try await volume.reserve(atLeast: FixedDecimal(1), preferably: FixedDecimal(1), on: "2026-06-01")
        var samples: [UInt64] = []
        for _ in 0..<2_000 {
            let start = monotonicNanoseconds()
            _ = try await volume.reserve(atLeast: FixedDecimal(100), preferably: FixedDecimal(100), on: "2026-06-01")
            samples.append(monotonicNanoseconds() - start)
        }
        await volume.close()
        let connection = try await desk.connect(logger: logger)
        var baseline: [UInt64] = []
        for _ in 0..<2_000 {
            let start = monotonicNanoseconds()
            for try await _ in try await connection.query("SELECT 1", logger: logger) {}
            baseline.append(monotonicNanoseconds() - start)
        }
        try await connection.close()
        ServiceBenchmark.report("  SELECT 1 round trip (baseline)", baseline, baseline: nil)
        ServiceBenchmark.report("  desk-wide volume reservation round trip", samples, baseline: baseline)
    }

    static func killSwitch(_ desk: DeskDatabase) async throws {
        // Baseline: one connection NOTIFYs, another LISTENs.
        let listener = try await desk.connect(logger: logger)
        let notifier = try await desk.connect(logger: logger)
        let sentAt = Mutex<UInt64>(0)
        let heard = Mutex<[UInt64]>([])
        let listening = Task {
            try await listener.listen(on: "bench") { notices in
                for try await _ in notices {
                    let now = monotonicNanoseconds()
                    heard.withLock { $0.append(now - sentAt.withLock { $0 }) }
                }
            }
        }
        try await Task.sleep(for: .milliseconds(200))
        for _ in 0..<200 {
            sentAt.withLock { $0 = monotonicNanoseconds() }
            for try await _ in try await notifier.query("SELECT pg_notify('bench', 'x')", logger: logger) {}
            try await Task.sleep(for: .milliseconds(5))
        }
        listening.cancel()
        try? await listener.close()
        try? await notifier.close()
        let baseline = heard.withLock { $0 }

        // Two boxes: a halt (then a resume) on one, applied on the other.
        let boxes = try await [KillSwitchBox("from", desk), KillSwitchBox("to", desk)]
        let applied = Mutex<UInt64>(0)
        await boxes[1].control.onApplied { _ in applied.withLock { $0 = monotonicNanoseconds() } }
        for box in boxes { await box.start() }
        try await Task.sleep(for: .milliseconds(500))
        var samples: [UInt64] = []
        for round in 0..<100 {
            applied.withLock { $0 = 0 }
            let start = monotonicNanoseconds()
            if round % 2 == 0 {
                await boxes[0].engine.handle(.halt("bench round \(round)"), by: DeskUser(name: "rita", role: .riskManager))
            } else {
                await boxes[0].engine.handle(.resume, by: DeskUser(name: "rita", role: .riskManager))
            }
            while applied.withLock({ $0 }) == 0 { try await Task.sleep(for: .microseconds(200)) }
            samples.append(applied.withLock { $0 } - start)
        }
        for box in boxes { await box.stop() }
        ServiceBenchmark.report("  NOTIFY → LISTEN (baseline)", baseline, baseline: nil)
        ServiceBenchmark.report("  kill switch / resume on one box → applied on another", samples, baseline: baseline)
    }
}

/// A box with no market of its own (no venues): enough to carry the desk's trading state.
final class KillSwitchBox: Sendable {
    let engine: Engine
    let control: DeskControl
    let folder: String
    private let tasks: Mutex<[Task<Void, Never>]> = Mutex([])

    init(_ name: String, _ desk: DeskDatabase) async throws {
        folder = NSTemporaryDirectory() + "dexter-desk-bench-\(name)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let ledger = try Ledger(path: folder + "/desk.sqlite")
        var config = EngineConfig(user: "ada", mode: .sim, limits: RiskLimits(maxNotionalPerTradeUSD: FixedDecimal(1),
                                                                            dailyVolumeUSD: FixedDecimal(1), maxPosition: [:], allowedSymbols: []),
                                  detection: DetectionPolicy(minNetUSD: FixedDecimal(1), maxNotionalUSD: FixedDecimal(1)),
                                  initialBalances: Inventory(), swapSlippageTolerance: FixedDecimal("0.005")!)
        config.deskUser = DeskUser(name: "ada", role: .admin, mayTrade: true)
        engine = try await Engine(config: config, venues: VenueSet(), ledger: ledger, clock: WallClock())
        control = DeskControl(box: name, database: desk, engine: engine, logger: DeskBenchmark.logger)
    }

    func start() async {
        await control.catchUp()
        let control = self.control, engine = self.engine
        tasks.withLock { $0 = [Task { await control.run() }, Task { await engine.run() }] }
    }

    func stop() async {
        let running = tasks.withLock { $0 }
        running[0].cancel()
        _ = await running[0].value
        await control.close()
        await engine.stop()
        _ = await running[1].value
        try? FileManager.default.removeItem(atPath: folder)
    }
}
