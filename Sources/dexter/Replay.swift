import ArgumentParser
import DexterCore
import DexterDetect
import DexterEngine
import DexterVenues
import Foundation

/// Recorded markets through the detector: NDJSON of what was found, then a summary.
struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay recorded market data through the detector.",
        discussion: """
            Reads Binance combined-stream recordings ("<receive ns> {json}" per line: bookTicker, depth diffs synced \
            to the REST snapshot, trades) and L2 snapshot CSVs ("timestamp,symbol,b1..,bv1..,a1..,av1.."; the symbol \
            names the venue after a dot: LINKUSDT.BNC is Binance, .HB Huobi), gzipped or not, merged by receive time. \
            The messages of one receive time are all applied before the market is searched. Each opportunity is \
            written as one JSON line when it opens ("event": "open"), changes ("update") and closes ("close"); the \
            last line is the summary ("event": "summary"). A readable summary and a progress bar go to stderr. \
            Balances are taken as unlimited: sizes are what the recorded depth allowed, capped at --max-notional.             To trade a recording on paper at the full desk, with risk checks and a ledger: dexter --replay FILE...
            """)

    @Argument(help: "Recorded files (.gz or plain).")
    var files: [String]

    @Option(name: .long, help: "Write the NDJSON here instead of stdout.")
    var out: String?

    @Option(name: .long, help: "Pace the replay at N times the recorded speed; 0 runs as fast as possible.")
    var speed: Double = 0

    @Option(name: .long, help: "Smallest net profit worth reporting, in USD.")
    var minNet: Double = 0.01

    @Option(name: .long, help: "Largest notional per opportunity, in USD.")
    var maxNotional: Double = 1_000_000

    @OptionGroup var recording: RecordingOptions

    @Flag(name: .long, inversion: .prefixedNo, help: "Show a progress bar on stderr (default: when stderr is a terminal).")
    var progress: Bool?

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one recorded file") }
        guard speed >= 0, speed.isFinite else { throw ValidationError("--speed must be 0 or a positive number") }
        guard minNet >= 0, maxNotional > 0 else { throw ValidationError("--min-net must be ≥ 0 and --max-notional > 0") }
    }

    func run() async throws {
        let settings = try recording.settings()
        let recordings = try RecordingOptions.read(files)
        let policy = DetectionPolicy(minNetUSD: FixedDecimal(approximating: minNet).rounded(digits: 8),
                                     maxNotionalUSD: FixedDecimal(approximating: maxNotional).rounded(digits: 2))
        var run = ReplayRun(feed: try ReplayFeed(files: recordings, settings: settings), policy: policy)
        let output = try ReplayOutput(path: out)
        let bar = ProgressBar(enabled: progress ?? (isatty(STDERR_FILENO) == 1))
        let wallStart = monotonicNanoseconds()
        var firstTime: Timestamp?
        var more = true
        while more {
            more = try run.step(limit: speed > 0 ? 1 : 4_096) { output.write(Self.line($0)) }
            if speed > 0, let now = run.now {
                firstTime = firstTime ?? now
                let due = Double(now.nanoseconds - (firstTime?.nanoseconds ?? 0)) / speed
                let elapsed = Double(monotonicNanoseconds() - wallStart)
                if due > elapsed + 1e6 { try await Task.sleep(for: .nanoseconds(Int64(due - elapsed))) }
            }
            bar.update(done: run.feed.consumedBytes, total: run.feed.totalBytes, messages: run.feed.statistics.messages,
                       elapsedNanoseconds: monotonicNanoseconds() - wallStart)
        }
        bar.finish()
        let seconds = Double(monotonicNanoseconds() - wallStart) / 1e9
        output.write(Self.summaryLine(run, seconds: seconds))
        output.close()
        FileHandle.standardError.write(Data(Self.readableSummary(run, seconds: seconds).utf8))
    }

    static func line(_ event: ReplayRun.Event) -> String {
        switch event {
        case .opened(let opportunity, let time): return OpportunityJSON.encode(opportunity, event: "open", at: time)
        case .updated(let opportunity, let time): return OpportunityJSON.encode(opportunity, event: "update", at: time)
        case .closed(let opportunity, let time):
            return #"{"event":"close","id":\#(opportunity.id),"pair":"\#(opportunity.symbol)","time":"\#(time.iso8601)"}"#
        }
    }

    static func summaryLine(_ run: ReplayRun, seconds: Double) -> String {
        let statistics = run.feed.statistics
        let summary = run.summary
        let object: [String: Any] = [
            "event": "summary",
            "messages": statistics.messages,
            "messages_by_kind": statistics.byKind,
            "depth_applied": statistics.depthApplied, "depth_dropped": statistics.depthDropped,
            "sequence_gaps": statistics.gaps, "snapshots": statistics.snapshots,
            "book_updates": statistics.published,
            "market_from": statistics.firstTime?.iso8601 ?? "", "market_to": statistics.lastTime?.iso8601 ?? "",
            "wall_seconds": (seconds * 1000).rounded() / 1000,
            "opportunities": summary.opportunities,
            "total_net_usd": summary.totalNetUSD.description,
            "by_route": summary.byRoute.mapValues { ["count": $0.count, "net_usd": $0.netUSD.description] },
            "by_net_edge": summary.byEdge.mapValues { ["count": $0.count, "net_usd": $0.netUSD.description] },
        ]
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    static func readableSummary(_ run: ReplayRun, seconds: Double) -> String {
        let statistics = run.feed.statistics
        let summary = run.summary
        var text = "replayed \(statistics.messages) messages in \(String(format: "%.2f", seconds)) s"
        text += " (\(Int(Double(statistics.messages) / max(seconds, 1e-9))) msg/s)"
        if let from = statistics.firstTime, let to = statistics.lastTime {
            text += ", market \(from.iso8601) → \(to.iso8601)"
        }
        text += "\n  " + statistics.byKind.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        text += "; depth diffs applied \(statistics.depthApplied), dropped \(statistics.depthDropped)"
        text += ", sequence gaps \(statistics.gaps)\n"
        text += "opportunities \(summary.opportunities), net if each taken once at first sight: "
            + "\(summary.totalNetUSD.rounded(digits: 2)) USD\n"
        for (route, tally) in summary.byRoute.sorted(by: { $0.key < $1.key }) {
            text += "  \(route): \(tally.count), \(tally.netUSD.rounded(digits: 2)) USD\n"
        }
        for bucket in ReplaySummary.edgeBuckets {
            guard let tally = summary.byEdge[bucket.label] else { continue }
            text += "  net edge \(bucket.label): \(tally.count), \(tally.netUSD.rounded(digits: 2)) USD\n"
        }
        return text
    }
}

/// The NDJSON sink: a file or stdout, buffered.
final class ReplayOutput {
    private let handle: FileHandle
    private var buffer = ""

    init(path: String?) throws {
        if let path {
            guard FileManager.default.createFile(atPath: path, contents: nil),
                  let handle = FileHandle(forWritingAtPath: path) else {
                throw ValidationError("--out \(path): cannot be written")
            }
            self.handle = handle
        } else {
            handle = FileHandle.standardOutput
        }
    }

    func write(_ line: String) {
        buffer += line
        buffer += "\n"
        if buffer.utf8.count > 1 << 16 { flush() }
    }

    func flush() {
        handle.write(Data(buffer.utf8))
        buffer = ""
    }

    func close() {
        flush()
        if handle !== FileHandle.standardOutput { try? handle.close() }
    }
}

/// A one-line progress bar on stderr, redrawn at most ten times a second.
final class ProgressBar {
    private let enabled: Bool
    private var lastDraw: UInt64 = 0

    init(enabled: Bool) { self.enabled = enabled }

    func update(done: Int, total: Int, messages: Int, elapsedNanoseconds: UInt64) {
        guard enabled, elapsedNanoseconds - lastDraw >= 100_000_000 || done >= total else { return }
        lastDraw = elapsedNanoseconds
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        let width = 30
        let filled = Int(fraction * Double(width))
        let rate = Double(messages) / max(Double(elapsedNanoseconds) / 1e9, 1e-9)
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let line = String(format: "\r%@ %3.0f%%  %d msgs  %.0f msg/s ", bar, fraction * 100, messages, rate)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
