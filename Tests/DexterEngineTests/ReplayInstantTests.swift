import DexterCore
import DexterDetect
import DexterEngine
import DexterMarket
import DexterVenues
import Foundation
import SharedTestData
import Testing

/// Replay applies every message of one receive time before it searches the market (issue 13). Checked on the
/// LINK/USDT recording in `../shared/data/linkusdt_binance_huobi_20210820/` (DasAnish/DeFi-arbitrage, MIT; see
/// `../shared/data/SOURCES.md`): 1-second snapshots of Binance and Huobi, both files one row per second with the
/// same timestamps. The test aligns the two files second by second itself (gzip, then plain CSV splitting and
/// Double arithmetic), and the replay must report a cross in exactly the seconds where one venue's bid beat the
/// other's ask at that same second, sized as the greedy book match sizes it.
@Suite struct ReplayInstantTests {
    /// The recording's first 50 minutes: they hold the true crosses around 00:42 and, at 00:49:07, the largest
    /// false one the old replay reported.
    static let seconds = 3_000
    /// Taker fees the replay is given and the alignment below charges the same way: zero, so the crosses show.
    static let fees: [VenueId: Double] = ["binance": 0, "huobi": 0]

    /// `../shared/data/linkusdt_binance_huobi_20210820`; a missing shared folder fails the test, naming it.
    static func recordingFolder() throws -> URL {
        try Shared.url("data/linkusdt_binance_huobi_20210820/orderbook_bnc.csv.gz").deletingLastPathComponent()
    }

    /// The file gunzipped by the gzip tool, cut to the header and the first `rows` rows.
    static func csvPrefix(_ url: URL, rows: Int) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-dc", url.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "gzip -dc \(url.path) failed")
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        try #require(lines.count > rows, "\(url.lastPathComponent) has fewer than \(rows) rows")
        return lines.prefix(rows + 1).joined(separator: "\n") + "\n"
    }

    /// One row: its timestamp as written and as seconds since 1970, and its ten levels a side as (price, size),
    /// best first.
    struct Snapshot {
        let time: String
        let second: Int
        let bids: [(price: Double, size: Double)]
        let asks: [(price: Double, size: Double)]
    }

    /// Plain splitting by the header's column names; the timestamp read as UTC (what the replay takes it as).
    static func snapshots(_ csv: String) throws -> [Snapshot] {
        let lines = csv.split(separator: "\n")
        let header = lines[0].split(separator: ",").map(String.init)
        func column(_ name: String) throws -> Int { try #require(header.firstIndex(of: name), "no column \(name)") }
        let bidColumns = try (1...10).map { (try column("b\($0)"), try column("bv\($0)")) }
        let askColumns = try (1...10).map { (try column("a\($0)"), try column("av\($0)")) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return try lines.dropFirst().map { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let date = try #require(formatter.date(from: fields[0]), "timestamp \(fields[0])")
            func levels(_ columns: [(Int, Int)]) throws -> [(price: Double, size: Double)] {
                try columns.map { (try #require(Double(fields[$0.0])), try #require(Double(fields[$0.1]))) }
            }
            return Snapshot(time: fields[0], second: Int(date.timeIntervalSince1970), bids: try levels(bidColumns),
                            asks: try levels(askColumns))
        }
    }

    /// What buying on one book and selling into another at the same moment earns: the buy venue's asks matched
    /// greedily against the sell venue's bids while the bid, less its fee, beats the ask plus its fee. Net is in
    /// USDT; bps are over the bought notional before fees, as an opportunity's net edge is. Where the match then
    /// reaches levels at the same price on both sides, buying them or not earns the same, so the best size, and
    /// with it the edge in bps, is any in a range (with zero fees the prices compare exactly).
    struct Cross {
        let net: Double
        let netBps: ClosedRange<Double>
    }

    static func cross(buying buy: Snapshot, at buyFee: Double, selling sell: Snapshot, at sellFee: Double) -> Cross? {
        let topAsk = buy.asks[0].price * (1 + buyFee), topBid = sell.bids[0].price * (1 - sellFee)
        guard topBid > topAsk else { return nil }
        var asks = buy.asks, bids = sell.bids
        var net = 0.0, notional = 0.0, evenNotional = 0.0
        var a = 0, b = 0
        while a < asks.count && b < bids.count && bids[b].price * (1 - sellFee) >= asks[a].price * (1 + buyFee) {
            let size = min(asks[a].size, bids[b].size)
            let edge = bids[b].price * (1 - sellFee) - asks[a].price * (1 + buyFee)
            if edge > 0 {
                net += size * edge
                notional += size * asks[a].price
            } else {
                evenNotional += size * asks[a].price
            }
            asks[a].size -= size
            bids[b].size -= size
            if asks[a].size <= 1e-12 { a += 1 }
            if bids[b].size <= 1e-12 { b += 1 }
        }
        return Cross(net: net, netBps: (net / (notional + evenNotional) * 10_000)...(net / notional * 10_000))
    }

    /// Crosses of a pairing of books, by direction (see `direction(of:)`).
    static func crosses(binance: Snapshot, huobi: Snapshot) -> [Int: Cross] {
        let binanceFee = fees["binance"]!, huobiFee = fees["huobi"]!
        var found: [Int: Cross] = [:]
        found[0] = cross(buying: binance, at: binanceFee, selling: huobi, at: huobiFee)
        found[1] = cross(buying: huobi, at: huobiFee, selling: binance, at: binanceFee)
        return found
    }

    /// 0 buys on Binance and sells on Huobi, 1 the reverse.
    static func direction(of opportunity: Opportunity) -> Int { opportunity.buy.venue == "binance" ? 0 : 1 }
    static func route(_ direction: Int) -> String { direction == 0 ? "binance→huobi" : "huobi→binance" }

    static func parts(_ event: ReplayRun.Event) -> (at: Timestamp, opportunity: Opportunity, open: Bool) {
        switch event {
        case .opened(let found, let at), .updated(let found, let at): (at, found, true)
        case .closed(let gone, let at): (at, gone, false)
        }
    }

    /// Why a reported opportunity is not the second's cross in its direction, or nil when it is: both legs are
    /// that second's books, the net is the greedy match's (sizes are whole 1e-8 lots, so within 1e-6 USD), and
    /// so is the edge in bps.
    static func disagreement(_ found: Opportunity, _ wanted: Cross?, at snapshot: Snapshot) -> String? {
        let what = "\(snapshot.time) \(route(direction(of: found))): reported \(found.netBps) bps, "
            + "\(found.netUSD) USD, legs received \(found.buy.receivedAt) and \(found.sell.receivedAt)"
        guard let wanted else { return what + "; no cross that second" }
        let second = Int64(snapshot.second) * 1_000_000_000
        let bps = (wanted.netBps.lowerBound - 0.001)...(wanted.netBps.upperBound + 0.001)
        guard found.buy.receivedAt.nanoseconds == second, found.sell.receivedAt.nanoseconds == second,
              bps.contains(found.netBps.doubleValue), abs(found.netUSD.doubleValue - wanted.net) <= 1e-6 else {
            return what + "; aligned \(wanted.netBps) bps, \(wanted.net) USD"
        }
        return nil
    }

    @Test func crossesAreThoseOfBothVenuesAtTheSameSecond() throws {
        let folder = try Self.recordingFolder()
        let texts = try ["orderbook_bnc.csv.gz", "orderbook_hb.csv.gz"].map {
            try Self.csvPrefix(folder.appendingPathComponent($0), rows: Self.seconds)
        }

        // The replay, on the same bytes: Binance's file first, so at each second its row is read before Huobi's.
        var settings = ReplaySettings()
        settings.takerFees = Self.fees.mapValues { FixedDecimal(approximating: $0) }
        let files = try zip(["orderbook_bnc.csv.gz", "orderbook_hb.csv.gz"], texts).map { name, text in
            try RecordedFile(path: folder.appendingPathComponent(name).path + " (first \(Self.seconds) rows)",
                             bytes: Array(text.utf8))
        }
        // Every cross is reported, however small: netUSD is kept to 8 decimals.
        let policy = DetectionPolicy(minNetUSD: FixedDecimal("0.00000001")!, maxNotionalUSD: FixedDecimal(1_000_000))
        var run = ReplayRun(feed: try ReplayFeed(files: files, settings: settings), policy: policy)
        var events: [ReplayRun.Event] = []
        // One message a step: the step that finds the files done only closes what is still open at the end.
        var endOfFiles = 0
        while try run.step(limit: 1, { events.append($0) }) { endOfFiles = events.count }
        events.removeLast(events.count - endOfFiles)
        #expect(run.feed.statistics.messages == 2 * Self.seconds)

        // Independently: row i of each file is the same second; a cross is one venue's bid over the other's ask
        // in that second's two rows.
        let binance = try Self.snapshots(texts[0]), huobi = try Self.snapshots(texts[1])
        try #require(binance.count == Self.seconds && huobi.count == Self.seconds)
        var expected: [Int: [Int: Cross]] = [:]
        for (bnc, hb) in zip(binance, huobi) {
            try #require(bnc.second == hb.second, "the files are aligned second by second (\(bnc.time), \(hb.time))")
            expected[bnc.second] = Self.crosses(binance: bnc, huobi: hb)
        }
        let crossSeconds = expected.values.filter { !$0.isEmpty }.count
        let largestTrueBps = expected.values.flatMap(\.values).map(\.netBps.upperBound).max() ?? 0

        // Every opportunity the replay reported, at every event, is a cross of that second's two books, sized as
        // the greedy match sizes it; and once a second's events are in, what is live is that second's crosses.
        let reported = events.map(Self.parts)
        var mismatches: [String] = []
        var live: [UInt64: Opportunity] = [:]
        var next = 0
        for snapshot in binance {
            let start = Int64(snapshot.second) * 1_000_000_000
            let crosses = expected[snapshot.second, default: [:]]
            while next < reported.count && reported[next].at.nanoseconds < start + 1_000_000_000 {
                let (at, opportunity, open) = reported[next]
                next += 1
                live[opportunity.id] = open ? opportunity : nil
                guard open else { continue }
                if at.nanoseconds != start {
                    mismatches.append("\(opportunity.route) reported at \(at), not at a recorded second")
                } else if let disagreement = Self.disagreement(opportunity, crosses[Self.direction(of: opportunity)],
                                                               at: snapshot) {
                    mismatches.append(disagreement)
                }
            }
            let liveRoutes = Set(live.values.map(Self.direction(of:)))
            if liveRoutes != Set(crosses.keys) {
                mismatches.append("\(snapshot.time): live after the second \(liveRoutes.sorted().map(Self.route)), "
                                  + "crossing that second \(crosses.keys.sorted().map(Self.route))")
            }
        }
        #expect(next == reported.count, "every event falls on a recorded second")
        #expect(mismatches.isEmpty, "\(mismatches.count) disagreements: \(mismatches.prefix(10))")
        #expect(crossSeconds > 100, "the slice holds true crosses (\(crossSeconds) seconds)")
        #expect(run.summary.opportunities > 0)

        // The defect this guards against. Before the fix, replay searched the market after every message; at a
        // shared receive time Binance's row is read first, so Binance's book of second t was priced against
        // Huobi's of t − 1. At 00:49:07 that pairing shows a 22.4 bps net edge (buy on Huobi at its ask of
        // 00:49:06, sell on Binance), and the old replay reported it: the largest "cross" of the run. Aligned by
        // the second no edge here passes 5 bps, and at 00:49:07 there is none at all.
        let falseSecond = try #require(binance.firstIndex { $0.time == "2021-08-20 00:49:07" })
        let stalePairing = Self.crosses(binance: binance[falseSecond], huobi: huobi[falseSecond - 1])
        let falseCross = try #require(stalePairing[1], "Binance at 00:49:07 against Huobi at 00:49:06 crosses")
        #expect(falseCross.netBps.lowerBound > 22 && falseCross.netBps.upperBound < 23)
        #expect(Self.crosses(binance: binance[falseSecond], huobi: huobi[falseSecond]).isEmpty)
        #expect(largestTrueBps > 1 && largestTrueBps < 5)
        let largestReported = reported.filter(\.open).map(\.opportunity.netBps).max() ?? .zero
        #expect(largestReported.doubleValue < 5, "no false cross of ~22 bps (largest \(largestReported) bps)")
    }
}
