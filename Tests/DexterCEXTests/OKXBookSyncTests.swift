import DexterCEX
import DexterCore
import DexterMarket
import Foundation
import SharedTestData
import Testing

/// OKX's wire messages in `../shared/vectors/exchanges/wire/okx` (see `../shared/vectors/exchanges/README.md`):
/// `cryptofeed/OKX.ws.1.0` is a live capture of 2022-05-13 from bmoscon/cryptofeed (XFree86 1.1) — lines
/// `<receipt time>: <message>` after the lines naming what was sent — with `books` for BTC-USD-220527,
/// UNI-USD-SWAP and BTC-USDT, each carrying OKX's own checksum (before seqIds existed).
enum OKXCaptures {
    static let folder = "vectors/exchanges/wire/okx"

    /// Every message the capture received, in order.
    static func messages() throws -> [[UInt8]] {
        let bytes = Array(try Shared.data("\(folder)/cryptofeed/OKX.ws.1.0"))
        return bytes.split(separator: UInt8(ascii: "\n")).compactMap { line in
            // Lines of what was sent name the URL ("wss://… <- …"); received ones start with their time.
            guard line.first != UInt8(ascii: "w"), let brace = line.firstIndex(of: UInt8(ascii: "{")) else { return nil }
            return Array(line[brace...])
        }
    }

    static func instruments() throws -> [UInt8] {
        Array(try Shared.data("\(folder)/cryptofeed/instruments_SPOT.2022-05-13.BTC-USDT_ETH-USDT.json"))
    }
}

@Suite struct OKXBookSyncTests {
    /// The books kept from the capture, and how many messages went into them.
    static func replayCapture() throws -> (books: [String: OKXBookSync], applied: Int, resyncs: Int) {
        var books: [String: OKXBookSync] = [:]
        var applied = 0, resyncs = 0
        for bytes in try OKXCaptures.messages() {
            guard case .book(let push) = try OKXMarketData.publicMessage(bytes) else { continue }
            switch books[push.instrument, default: OKXBookSync(instrument: push.instrument)].apply(push) {
            case .applied: applied += 1
            case .needsSnapshot: resyncs += 1
            case .ignored: break
            }
        }
        return (books, applied, resyncs)
    }

    /// Every `books` message of the capture, 290 over three instruments, leaves a book whose top 25 hash to OKX's
    /// own checksum: the wire's texts are kept verbatim and the levels applied as OKX applies them.
    @Test func everyCapturedChecksumVerifies() throws {
        let (books, applied, resyncs) = try Self.replayCapture()
        #expect(applied == 290)
        #expect(resyncs == 0)
        for instrument in ["BTC-USD-220527", "UNI-USD-SWAP", "BTC-USDT"] {
            #expect(books[instrument]?.isLive == true, "\(instrument)")
        }
    }

    /// The kept book equals the snapshot with every later update written over it by a plain dictionary.
    @Test func captureBookMatchesAnIndependentReplay() throws {
        let (books, _, _) = try Self.replayCapture()
        var bids: [FixedDecimal: FixedDecimal] = [:], asks: [FixedDecimal: FixedDecimal] = [:]
        for bytes in try OKXCaptures.messages() {
            guard case .book(let push) = try OKXMarketData.publicMessage(bytes), push.instrument == "BTC-USDT" else { continue }
            if push.action == .snapshot { bids = [:]; asks = [:] }
            for level in push.bids { bids[level.price] = level.size.isZero ? nil : level.size }
            for level in push.asks { asks[level.price] = level.size.isZero ? nil : level.size }
        }
        let book = try #require(books["BTC-USDT"]).orderBook()
        #expect(book.bids.map(\.price) == bids.keys.sorted(by: >))
        #expect(book.bids.map(\.quantity) == bids.keys.sorted(by: >).map { bids[$0]! })
        #expect(book.asks.map(\.price) == asks.keys.sorted())
        #expect(book.asks.map(\.quantity) == asks.keys.sorted().map { asks[$0]! })
        #expect(!book.isCrossed && book.bids.count > 100)
    }

    /// The checksum vectors of `../shared/vectors/exchanges/checksum_vectors.json` (OKX's snapshots, their top 25).
    @Test func checksumVectors() throws {
        let vectors = try #require(try JSONSerialization.jsonObject(
            with: Shared.data("vectors/exchanges/checksum_vectors.json")) as? [[String: Any]])
        let okx = vectors.filter { $0["venue"] as? String == "okx" }
        #expect(okx.count == 2)
        for vector in okx {
            func side(_ key: String) throws -> [OKXLevel] {
                try #require(vector[key] as? [[String]]).map { try #require(OKXLevel($0[0], $0[1])) }
            }
            // Written as a string or a number; OKX's value is a signed 32-bit integer.
            let value = try #require(vector["expected_checksum"].flatMap { Int64("\($0)") })
            let expected = Int32(truncatingIfNeeded: value)
            #expect(OKXBookSync.checksum(bids: try side("bids_top25"), asks: try side("asks_top25")) == expected)
        }
    }

    // MARK: Injected faults

    static func level(_ price: String, _ size: String) -> OKXLevel { OKXLevel(price, size)! }

    static func push(_ action: OKXBookMessage.Action, bids: [OKXLevel] = [], asks: [OKXLevel] = [], seq: Int64?,
                     prev: Int64?, checksum: Int32? = nil) -> OKXBookMessage {
        OKXBookMessage(instrument: "BTC-USDT", action: action, bids: bids, asks: asks, time: Timestamp(milliseconds: 1),
                       checksum: checksum, seqId: seq, prevSeqId: prev)
    }

    static func liveBook() -> OKXBookSync {
        var sync = OKXBookSync(instrument: "BTC-USDT")
        let bids = [level("100.1", "2"), level("100", "5")], asks = [level("100.2", "1")]
        #expect(sync.apply(push(.snapshot, bids: bids, asks: asks, seq: 10, prev: -1,
                                checksum: OKXBookSync.checksum(bids: bids, asks: asks))) == .applied)
        return sync
    }

    @Test func updatesFollowTheSequenceAndTheChecksum() {
        var sync = Self.liveBook()
        #expect(sync.apply(Self.push(.update, bids: [Self.level("100.1", "0")], asks: [Self.level("100.3", "4")], seq: 12,
                                     prev: 10, checksum: OKXBookSync.checksum(bids: [Self.level("100", "5")],
                                                                              asks: [Self.level("100.2", "1"), Self.level("100.3", "4")])))
                == .applied)
        #expect(sync.orderBook().bids.map(\.price) == [100] && sync.orderBook().asks.map(\.price) == [FixedDecimal("100.2")!, FixedDecimal("100.3")!])
        // A heartbeat: no levels, seqId == prevSeqId.
        #expect(sync.apply(Self.push(.update, seq: 12, prev: 12)) == .ignored)
        // After maintenance the sequence may restart lower: fine while prevSeqId matches.
        #expect(sync.apply(Self.push(.update, bids: [Self.level("99", "1")], seq: 3, prev: 12)) == .applied)
        #expect(sync.isLive && sync.lastSeqId == 3)
    }

    @Test func aGapOrAWrongChecksumDropsTheBook() {
        var sync = Self.liveBook()
        guard case .needsSnapshot(let reason) = sync.apply(Self.push(.update, bids: [Self.level("99", "1")], seq: 15, prev: 13))
        else { Issue.record("a gap was accepted"); return }
        #expect(reason.contains("prevSeqId 13") && reason.contains("seqId 10"))
        #expect(!sync.isLive && sync.orderBook().bids.isEmpty, "a stale book is not served")
        #expect(sync.apply(Self.push(.update, seq: 16, prev: 15)) == .ignored, "nothing until the snapshot")

        var corrupted = Self.liveBook()
        guard case .needsSnapshot(let why) = corrupted.apply(Self.push(.update, asks: [Self.level("100.2", "3")], seq: 11, prev: 10,
                                                                        checksum: 12345))
        else { Issue.record("a wrong checksum was accepted"); return }
        #expect(why.contains("checksum") && why.contains("12345"))
        // The fresh snapshot brings it back.
        #expect(corrupted.apply(Self.push(.snapshot, bids: [Self.level("100", "1")], seq: 20, prev: -1)) == .applied)
        #expect(corrupted.isLive && corrupted.orderBook().bids.first?.price == 100)
    }

    @Test func malformedMessagesNameTheField() throws {
        let bad: [(String, String)] = [
            (#"{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[["x","1","0","1"]],"bids":[],"ts":"1"}]}"#, "asks"),
            (#"{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[],"bids":[],"ts":"1","checksum":99999999999}]}"#, "checksum"),
            (#"{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"merge","data":[{"asks":[],"bids":[],"ts":"1"}]}"#, "action"),
            (#"{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[],"bids":[]}]}"#, "ts"),
        ]
        for (text, field) in bad {
            #expect(throws: WireParseError.self, "\(field)") { try OKXMarketData.publicMessage(Array(text.utf8)) }
            do { _ = try OKXMarketData.publicMessage(Array(text.utf8)) } catch {
                #expect(error.field == field, "\(error)")
            }
        }
        #expect(try OKXMarketData.publicMessage(Array("pong".utf8)) == .pong)
        #expect(try OKXMarketData.publicMessage(Array(#"{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"px":"1"}]}"#.utf8)) == .unhandled)
    }

    @Test func instrumentsFromTheCapturedListing() throws {
        let listed = try OKXMarketData.instruments(try OKXCaptures.instruments())
        let btc = try #require(listed.first { $0.instrument == "BTC-USDT" })
        #expect(btc.base == "BTC" && btc.quote == "USDT" && btc.isTrading)
        #expect(btc.tickSize == FixedDecimal("0.1")! && btc.lotSize == FixedDecimal("0.00000001")! && btc.minSize == FixedDecimal("0.00001")!)
        #expect(throws: WireParseError.self) {
            try OKXMarketData.instruments(Array(#"{"code":"50011","msg":"Too Many Requests","data":[]}"#.utf8))
        }
    }
}
