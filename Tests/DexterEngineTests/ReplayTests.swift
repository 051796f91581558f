import DexterCore
import DexterDetect
import DexterEngine
import DexterMarket
import DexterVenues
import Foundation
import SharedTestData
import Testing

/// Replay of the start of real recordings (read in ../shared/data, see its SOURCES.md), checked against
/// computations written here independently: plain CSV splitting and Double arithmetic, JSONSerialization and
/// dictionaries.
@Suite struct ReplayTests {
    // Source: DasAnish/DeFi-arbitrage backtest/orderbook_bnc.csv and orderbook_hb.csv (MIT),
    // via ../shared/data/linkusdt_binance_huobi_20210820/. The header and the first 400 rows (00:00:00 to 00:06:39).
    static let linkBinance = "data/linkusdt_binance_huobi_20210820/orderbook_bnc.csv.gz"
    static let linkHuobi = "data/linkusdt_binance_huobi_20210820/orderbook_hb.csv.gz"
    static let linkLines = 401
    // Source: nkaz001/hftbacktest examples/spot/btcusdt_20240808.gz and ethusdt_20240808.gz (MIT),
    // via ../shared/data/binance_spot_btcusdt_ethusdt_20240808_09/. The first 1,500 and 1,000 lines (REST snapshot on
    // lines 8 and 6).
    static let btcusdt = "data/binance_spot_btcusdt_ethusdt_20240808_09/btcusdt_20240808.gz"
    static let ethusdt = "data/binance_spot_btcusdt_ethusdt_20240808_09/ethusdt_20240808.gz"

    /// The first `lines` lines of a recording in ../shared, as the replay reads them (named by the shared file).
    static func recording(_ path: String, firstLines lines: Int) throws -> RecordedFile {
        let whole = try RecordedFile(path: Shared.url(path).path)
        var end = whole.bytes.startIndex
        for _ in 0..<lines {
            end = try #require(whole.bytes[end...].firstIndex(of: UInt8(ascii: "\n")), "\(path) has fewer than \(lines) lines") + 1
        }
        return try RecordedFile(path: whole.path, bytes: Array(whole.bytes[..<end]))
    }

    /// The same lines inflated by the system gzip, for the checks written here apart from the replay's reading.
    static func text(_ path: String, firstLines lines: Int) throws -> String {
        let url = try Shared.url(path)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "gzip -dc '\(url.path)'"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let all = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        try #require(process.terminationStatus == 0 && all.count > lines, "\(path): gzip -dc failed or fewer than \(lines) lines")
        return all.prefix(lines).joined(separator: "\n") + "\n"
    }

    static let policy = DetectionPolicy(minNetUSD: FixedDecimal("0.01")!, maxNotionalUSD: FixedDecimal(1_000_000))

    /// Two venues' L2 snapshots, fees set to zero so the recorded crosses show. Both rows of a second carry one
    /// receive time, so both are applied before both directions are priced: the best profit book against book is
    /// the greedy match of the buy venue's asks against the sell venue's bids while the bid is higher. An
    /// opportunity opens when that profit reaches $0.01 and closes when it falls below.
    @Test func l2SnapshotsFindWhatAGreedyBookMatchFinds() throws {
        var settings = ReplaySettings()
        settings.takerFees = ["binance": .zero, "huobi": .zero]
        let files = try [Self.linkBinance, Self.linkHuobi].map { try Self.recording($0, firstLines: Self.linkLines) }
        var run = ReplayRun(feed: try ReplayFeed(files: files, settings: settings), policy: Self.policy)
        var opened: [Opportunity] = []
        while try run.step(limit: 1_000, { if case .opened(let opportunity, _) = $0 { opened.append(opportunity) } }) {}

        // Independently: parse the rows, walk them in the same order, price both directions.
        let rows = try [Self.linkBinance, Self.linkHuobi].map { path in
            try Self.text(path, firstLines: Self.linkLines).split(separator: "\n").dropFirst().map { line in
                line.split(separator: ",").map(String.init)
            }
        }
        #expect(rows[0].count == 400 && rows[1].count == 400)
        func book(_ row: [String]) -> (bids: [(Double, Double)], asks: [(Double, Double)]) {
            let bids = (0..<10).map { (Double(row[2 + $0])!, Double(row[12 + $0])!) }
            let asks = (0..<10).map { (Double(row[22 + $0])!, Double(row[32 + $0])!) }
            return (bids, asks)
        }
        func profit(buyAsks: [(Double, Double)], sellBids: [(Double, Double)]) -> Double {
            var asks = buyAsks, bids = sellBids, total = 0.0
            var a = 0, b = 0
            while a < asks.count && b < bids.count && bids[b].0 > asks[a].0 {
                let quantity = min(asks[a].1, bids[b].1)
                total += quantity * (bids[b].0 - asks[a].0)
                asks[a].1 -= quantity
                bids[b].1 -= quantity
                if asks[a].1 <= 1e-12 { a += 1 }
                if bids[b].1 <= 1e-12 { b += 1 }
            }
            return total
        }
        var live = [false, false]
        var expected: [(direction: Int, net: Double)] = []
        for index in 0..<400 {
            #expect(rows[0][index][0] == rows[1][index][0], "row \(index) is one second on both venues")
            let binance = book(rows[0][index]), huobi = book(rows[1][index])
            // Direction 0 buys on Binance and sells on Huobi; direction 1 the reverse.
            let nets = [profit(buyAsks: binance.asks, sellBids: huobi.bids),
                        profit(buyAsks: huobi.asks, sellBids: binance.bids)]
            for direction in 0..<2 {
                let open = nets[direction] >= 0.01
                if open && !live[direction] { expected.append((direction, nets[direction])) }
                live[direction] = open
            }
        }
        #expect(expected.count > 10, "the slice holds recorded crosses")
        #expect(opened.count == expected.count)
        for (found, wanted) in zip(opened, expected) {
            #expect(found.buy.venue == (wanted.direction == 0 ? "binance" : "huobi"))
            // Sizes are whole 1e-8 lots, so the exact net may sit a hair under the continuous optimum.
            #expect(abs(found.netUSD.doubleValue - wanted.net) < 1e-6, "\(found.route) \(found.netUSD) vs \(wanted.net)")
        }
        let total = expected.reduce(0) { $0 + $1.net }
        #expect(abs(run.summary.totalNetUSD.doubleValue - total) < 1e-4)
        #expect(run.summary.opportunities == expected.count)
        #expect(run.summary.byRoute.values.reduce(0) { $0 + $1.count } == expected.count)
        #expect(run.summary.byEdge.values.reduce(0) { $0 + $1.count } == expected.count)
    }

    /// With the venues' real taker fees (0.1 % and 0.2 %) the same slice crosses nowhere after costs.
    @Test func l2SnapshotsAtRealFeesFindNothing() throws {
        let files = try [Self.linkBinance, Self.linkHuobi].map { try Self.recording($0, firstLines: Self.linkLines) }
        var run = ReplayRun(feed: try ReplayFeed(files: files), policy: Self.policy)
        while try run.step(limit: 1_000, { _ in }) {}
        #expect(run.feed.statistics.messages == 800)
        #expect(run.summary.opportunities == 0)
    }

    /// Binance streams: the book is synced to the REST snapshot by the documented rule (drop u ≤ lastUpdateId,
    /// the first applied diff spans lastUpdateId + 1, then U = previous u + 1), tickers newer than the book set
    /// its top. Checked against the same rule run here on JSONSerialization output and dictionaries.
    @Test func binanceStreamsKeepTheBookTheWayTheDocumentedSyncDoes() throws {
        let slices = [(Self.btcusdt, 1_500), (Self.ethusdt, 1_000)]
        let files = try slices.map { try Self.recording($0.0, firstLines: $0.1) }
        var feed = try ReplayFeed(files: files)
        var lastBook: [MarketKey: OrderBook] = [:]
        var crossed = 0
        var previousTime = Timestamp(nanoseconds: 0)
        while let update = try feed.next() {
            #expect(update.time >= previousTime, "merged by receive time")
            previousTime = update.time
            if case .liquidity(let key, .book(let book), _, _)? = update.event {
                if book.isCrossed { crossed += 1 }
                lastBook[key] = book
            }
        }
        #expect(crossed == 0)
        #expect(feed.statistics.messages == 2_500)
        #expect(feed.statistics.gaps == 0)

        for (slice, symbol) in zip(slices, ["BTC/USDT", "ETH/USDT"]) {
            let reference = try Self.referenceBook(Self.text(slice.0, firstLines: slice.1))
            let book = try #require(lastBook[MarketKey(venue: "binance", symbol: try Symbol(parsing: symbol))])
            #expect(book.bestBid?.price == reference.bestBid, "\(symbol) best bid")
            #expect(book.bestAsk?.price == reference.bestAsk, "\(symbol) best ask")
            #expect(book.bids.first?.quantity == reference.bidQuantity, "\(symbol) best bid size")
            #expect(book.asks.prefix(5).map(\.price) == reference.asks.prefix(5).map { $0 }, "\(symbol) top asks")
            #expect(feed.statistics.byKind["trade", default: 0] > 0)
        }
        // One venue alone never crosses itself: nothing to report.
        var run = ReplayRun(feed: try ReplayFeed(files: files), policy: Self.policy)
        while try run.step(limit: 500, { _ in }) {}
        #expect(run.summary.opportunities == 0)
    }

    @Test func malformedRecordingsNameTheFileAndLine() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("replay-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let bad = directory.appendingPathComponent("bad.ndjson").path
        try "1723161253937085768 {\"stream\":\"btcusdt@bookTicker\",\"data\":{\"u\":1,\"s\":\"BTCUSDT\",\"b\":\"1\",\"B\":\"1\",\"a\":\"2\",\"A\":\"1\"}}\n1723161253937085769 {\"stream\":\"btcusdt@bookTicker\",\"data\":{\"u\":2,\"b\":\"x\"}}\n"
            .write(toFile: bad, atomically: true, encoding: .utf8)
        var feed = try ReplayFeed(files: [try RecordedFile(path: bad)])
        _ = try feed.next()
        #expect(throws: ReplayError.corrupt(path: bad, line: 2, reason: "bookTicker without u, b, B, a and A")) {
            _ = try feed.next()
        }
        let unknown = directory.appendingPathComponent("unknown.txt").path
        try "hello,world\n".write(toFile: unknown, atomically: true, encoding: .utf8)
        #expect(throws: ReplayError.self) { try RecordedFile(path: unknown) }
        let shortRow = directory.appendingPathComponent("short.csv").path
        let header = try Self.text(Self.linkBinance, firstLines: 1).split(separator: "\n")[0]
        try "\(header)\n2021-08-20 00:00:00,LINKUSDT.BNC,27.1\n".write(toFile: shortRow, atomically: true, encoding: .utf8)
        var csv = try ReplayFeed(files: [try RecordedFile(path: shortRow)])
        #expect(throws: ReplayError.corrupt(path: shortRow, line: 2, reason: "3 fields where the header has 42")) {
            _ = try csv.next()
        }
    }

    /// The documented Binance sync, on dictionaries: the final book of one recorded symbol.
    static func referenceBook(_ text: String) throws -> (bestBid: FixedDecimal?, bestAsk: FixedDecimal?,
                                                          bidQuantity: FixedDecimal?, asks: [FixedDecimal]) {
        var bids: [FixedDecimal: FixedDecimal] = [:], asks: [FixedDecimal: FixedDecimal] = [:]
        var synced = false, lastId: UInt64 = 0, lastTicker: UInt64 = 0
        var pending: [[String: Any]] = []
        func apply(_ diff: [String: Any]) {
            for (side, levels) in [("b", true), ("a", false)].map({ ($0.1, diff[$0.0] as? [[String]] ?? []) }) {
                for level in levels {
                    let price = FixedDecimal(level[0])!, quantity = FixedDecimal(level[1])!
                    if side { bids[price] = quantity.isZero ? nil : quantity } else { asks[price] = quantity.isZero ? nil : quantity }
                }
            }
            lastId = (diff["u"] as? NSNumber)?.uint64Value ?? 0
        }
        for line in text.split(separator: "\n") {
            let json = line[line.index(after: line.firstIndex(of: " ")!)...]
            let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
            if let snapshotId = (object["lastUpdateId"] as? NSNumber)?.uint64Value {
                bids = [:]; asks = [:]
                for level in object["bids"] as! [[String]] { bids[FixedDecimal(level[0])!] = FixedDecimal(level[1])! }
                for level in object["asks"] as! [[String]] { asks[FixedDecimal(level[0])!] = FixedDecimal(level[1])! }
                lastId = snapshotId
                synced = true
                for diff in pending where ((diff["u"] as? NSNumber)?.uint64Value ?? 0) > lastId { apply(diff) }
                pending = []
                continue
            }
            let stream = object["stream"] as! String
            let payload = object["data"] as! [String: Any]
            if stream.hasSuffix("@bookTicker") {
                let id = (payload["u"] as! NSNumber).uint64Value
                guard id > lastTicker, !synced || id > lastId else { continue }
                lastTicker = id
                if !synced { bids = [:]; asks = [:] }
                let bid = FixedDecimal(payload["b"] as! String)!, ask = FixedDecimal(payload["a"] as! String)!
                bids = bids.filter { $0.key <= bid }
                asks = asks.filter { $0.key >= ask }
                bids[bid] = FixedDecimal(payload["B"] as! String)!
                asks[ask] = FixedDecimal(payload["A"] as! String)!
            } else if stream.contains("@depth") {
                if !synced { pending.append(payload); continue }
                if ((payload["u"] as! NSNumber).uint64Value) <= lastId { continue }
                apply(payload)
            }
        }
        let bestBid = bids.keys.max()
        return (bestBid, asks.keys.min(), bestBid.flatMap { bids[$0] }, asks.keys.sorted())
    }
}
