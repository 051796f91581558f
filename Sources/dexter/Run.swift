import ArgumentParser
import DexterCore
import DexterEngine
import DexterLedger
import DexterVenues
import Foundation
import Logging
import Synchronization

/// The desk without a screen: the engine, its ledger and (when asked) the auto-approve policy. For servers and
/// scripts; every booking is acknowledged on stdout once it is committed.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the desk headless: detect, auto-approve what the policy admits, execute and book.",
        discussion: """
            Writes NDJSON to stdout: {"event":"started",...}, then {"event":"booked","arbitrage":ID,"status":...,\
            "realised_usd":...} after each booking is durable in the ledger, and {"event":"stopped",...}. \
            With --events, each desk event (a halt, a refusal, a failed leg, leg risk, a stop-loss…) is a line too: \
            {"event":"desk","kind":...,"level":...,"text":...}, "text" as the screen's log says it. \
            Without --auto-approve (or [auto_approve] enabled = true) nothing is traded: it only watches. \
            With --replay FILE... the desk runs on a recording (REPLAY mode, paper fills) until the recording ends: \
            at its recorded pace times --speed, or instant by instant with --fast.
            """)

    @OptionGroup var desk: DeskOptions

    @OptionGroup var recorded: ReplayDeskOptions

    @Option(name: .long, help: "User to trade as (default: config's user, then the OS user).")
    var user: String?

    @Option(name: .long, help: "Ledger file (default: $XDG_DATA_HOME/dexter/<mode>.sqlite: sim.sqlite, replay.sqlite).")
    var ledger: String?

    @Option(name: .long, help: "How many seconds of market to run (default: 60; with --replay, to the recording's end).")
    var seconds: Double?

    @Flag(name: .long, help: "Run the market's clock as fast as possible instead of in real time.")
    var fast = false

    @Flag(name: .customLong("auto-approve"), help: "Turn the auto-approve policy on with config's [auto_approve] bounds.")
    var autoApprove = false

    @Flag(name: .long, help: "Also write each desk event (what the screen's log says) as an NDJSON line.")
    var events = false

    func validate() throws {
        if let seconds, !(seconds > 0 && seconds.isFinite) { throw ValidationError("--seconds must be a positive number") }
    }

    func run() async throws {
        let config = try desk.load()
        let userName = user ?? config.user ?? Paths.osUser
        try VaultAccess.checkUserName(userName)
        var engineConfig = config.engineConfig(user: userName)
        if recorded.isOn { engineConfig.mode = .replay }
        if autoApprove { engineConfig.autoApprove = config.autoApproveByUser[userName]?.bounds ?? config.autoApproveBounds }
        let ledgerPath = try ledger ?? config.ledgerPath ?? Paths.defaultLedger(mode: engineConfig.mode)
        try LogFile.start(path: config.logPath ?? Paths.defaultLog(mode: engineConfig.mode),
                          stderrFormat: LogFile.stderrFormat(configured: config.service.logFormat, serving: false))
        let ledgerFile = try DexterLedger.Ledger(path: ledgerPath)
        engineConfig.deskUser = try DeskMembers.admit(userName, in: ledgerFile)
        // The paper venues remember what they executed beside the ledger, so a restart can settle orders in flight.
        let journalPath = ledgerPath + ".paper-venues.jsonl"
        let onRecording = recorded.isOn ? try ReplayDesk(recorded, config: config, journalPath: journalPath) : nil
        let clock = SteppedClock(start: onRecording?.venue.start ?? WallClock().now())
        let engineClock: any Clock = fast ? clock : onRecording?.clock(speed: recorded.speed) ?? WallClock()
        let venues: VenueSet
        if let onRecording {
            engineConfig = onRecording.engineConfig(engineConfig, stakeUSD: config.replay.stakeUSD)
            venues = onRecording.venues
        } else {
            venues = try config.venueSet(seed: desk.seed, start: engineClock.now(), journalPath: journalPath)
        }
        // Started before the engine opens: bookings the restart settles are announced as they are committed.
        Self.emit(#"{"event":"started","user":"\#(userName)","ledger":"\#(ledgerPath)","auto_approve":\#(engineConfig.autoApprove != nil)}"#)
        let engine = try await Engine(config: engineConfig, venues: venues, ledger: ledgerFile, clock: engineClock,
                                      logger: Logger(label: "dexter.engine")) { id, status, realised in
            Self.emit(#"{"event":"booked","arbitrage":"\#(id)","status":"\#(status)","realised_usd":"\#(realised)"}"#)
        }
        if events { await engine.onEvent { Self.emit(Self.deskLine($0)) } }
        let shared = await SharedDeskLink.start(config.sharedDesk, engine: engine, ledger: ledgerFile)
        if let onRecording {
            try await Self.drive(engine, through: onRecording.venue, clock: engineClock, stepped: fast ? clock : nil,
                                 seconds: seconds)
        } else {
            let steps = Int((seconds ?? 60) * 100)
            let start = monotonicNanoseconds()
            for step in 0..<steps {
                if fast {
                    clock.advance(.milliseconds(10))
                } else {
                    let due = UInt64(step) * 10_000_000
                    let elapsed = monotonicNanoseconds() - start
                    if due > elapsed { try await Task.sleep(for: .nanoseconds(Int64(due - elapsed))) }
                }
                await engine.tick()
            }
        }
        await engine.publishNow()
        await shared?.stop()
        let pnl = engine.board.current?.pnl
        Self.emit(#"{"event":"stopped","arbitrages_today":\#(pnl?.arbitragesToday ?? 0),"realised_today_usd":"\#(pnl?.realisedTodayUSD ?? .zero)"}"#)
    }

    /// A desk event as one NDJSON line: its case ("halted", "legFailed"…), level and words.
    static func deskLine(_ said: DexterEngine.Notification) -> String {
        let object: [String: Any] = ["event": "desk", "kind": said.event.kind, "level": said.level.rawValue,
                                     "at": said.time.iso8601, "text": said.text]
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Drives the desk through a recording until it ends (or `seconds` of it have run): instant by instant on
    /// `stepped` (--fast), else every 10 ms on `clock`, the engine's paced one. Then the orders still on their way
    /// arrive (refused if after the last message), the venues go down, and the desk settles what came back.
    static func drive(_ engine: Engine, through venue: ReplayVenue, clock: any Clock, stepped: SteppedClock?,
                      seconds: Double?) async throws {
        let stop = seconds.map { venue.start.adding(.nanoseconds(Int64($0 * 1e9))) }
        let pause = Duration.milliseconds(10)
        while !venue.hasEnded, let next = venue.nextTime {
            if let stepped {
                if let stop, next > stop { break }
                stepped.set(max(next, stepped.now()))
            } else {
                if let stop, clock.now() >= stop { break }
                try await Task.sleep(for: pause)
            }
            await engine.tick()
        }
        guard stop == nil || venue.nextTime == nil else { return }
        let settled = venue.end.adding(venue.latency).adding(pause)
        if let stepped {
            stepped.set(max(settled, stepped.now()))
        } else {
            while clock.now() < settled { try await Task.sleep(for: pause) }
        }
        await engine.tick()
        stepped?.advance(pause)
        await engine.tick()
    }

    /// One line, written whole and unbuffered: a reader that sees it knows the booking is on disk.
    static func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}

/// A clock that moves only when told: the fast headless run advances it one engine step at a time.
final class SteppedClock: Clock {
    private let time: Mutex<Timestamp>
    init(start: Timestamp) { time = Mutex(start) }
    func now() -> Timestamp { time.withLock { $0 } }
    func advance(_ duration: Duration) { time.withLock { $0 = $0.adding(duration) } }
    func set(_ now: Timestamp) { time.withLock { $0 = now } }
}
