import DexterCEX
import DexterCore
import DexterMarket
import Testing

/// The USDⓈ-M futures book rule (binance-usdm.md, "The book rule"): drop u < lastUpdateId, the first applied diff
/// straddles the snapshot (U ≤ lastUpdateId ≤ u), then each `pu` is the last `u`. Ids jump as on the real stream.
struct BinanceUSDMBookSyncTests {
    func diff(_ first: UInt64, _ final: UInt64, pu: UInt64?, bid: (String, String)? = nil) -> BinanceDepthUpdate {
        BinanceDepthUpdate(eventTime: Timestamp(milliseconds: 1), symbol: "BTCUSDT", firstUpdateId: first,
                           finalUpdateId: final, previousFinalUpdateId: pu,
                           bids: bid.map { [PriceLevel(price: FixedDecimal($0.0)!, quantity: FixedDecimal($0.1)!)] } ?? [],
                           asks: [])
    }

    func snapshot(_ id: UInt64) -> BinanceDepthSnapshot {
        BinanceDepthSnapshot(lastUpdateId: id, bids: [PriceLevel(price: FixedDecimal(100), quantity: FixedDecimal(1))],
                             asks: [PriceLevel(price: FixedDecimal(101), quantity: FixedDecimal(1))])
    }

    @Test func theFirstDiffStraddlesTheSnapshotAndEachNextNamesTheLastU() {
        var sync = BinanceBookSync(symbol: "BTCUSDT", continuity: .futures)
        #expect(sync.apply(diff(10, 90, pu: 5)) == .buffered)             // older than the snapshot: dropped
        #expect(sync.apply(diff(95, 120, pu: 90, bid: ("99", "2"))) == .buffered)
        #expect(sync.apply(snapshot(100)) == .applied)                    // 95 ≤ 100 ≤ 120: joins
        #expect(sync.isLive && sync.lastUpdateId == 120)
        // Not contiguous (U far above u + 1), as futures ids are; continuity is pu.
        #expect(sync.apply(diff(500, 530, pu: 120, bid: ("99", "0"))) == .applied)
        #expect(sync.orderBook().bids == [BookLevel(price: FixedDecimal(100), quantity: FixedDecimal(1))])
        #expect(sync.apply(diff(400, 530, pu: 120)) == .ignored)          // seen already
    }

    @Test func theSnapshotsOwnEventJoins() {
        var sync = BinanceBookSync(symbol: "BTCUSDT", continuity: .futures)
        #expect(sync.apply(snapshot(100)) == .applied)
        #expect(sync.apply(diff(60, 99, pu: 50)) == .ignored)
        #expect(sync.apply(diff(80, 100, pu: 70)) == .applied)            // u = lastUpdateId: the snapshot's own event
        #expect(sync.apply(diff(300, 310, pu: 100)) == .applied)
    }

    @Test func aPuBreakAsksForASnapshot() {
        var sync = BinanceBookSync(symbol: "BTCUSDT", continuity: .futures)
        _ = sync.apply(snapshot(100))
        #expect(sync.apply(diff(90, 110, pu: 80)) == .applied)
        guard case .needsSnapshot(let reason) = sync.apply(diff(300, 310, pu: 200)) else {
            Issue.record("a pu that is not the last u must break the book")
            return
        }
        #expect(reason.contains("pu=200") && reason.contains("110"), "\(reason)")
        #expect(!sync.isLive)
        // The next snapshot joins the kept diff when it straddles it.
        #expect(sync.apply(snapshot(305)) == .applied && sync.lastUpdateId == 310)
    }

    @Test func aFirstDiffPastTheSnapshotAsksForANewerOne() {
        var sync = BinanceBookSync(symbol: "BTCUSDT", continuity: .futures)
        _ = sync.apply(snapshot(100))
        guard case .needsSnapshot = sync.apply(diff(150, 160, pu: 140)) else {
            Issue.record("a first diff with U > lastUpdateId leaves a gap")
            return
        }
    }

    @Test func spotKeepsItsOwnRule() {
        var sync = BinanceBookSync(symbol: "BTCUSDT")
        _ = sync.apply(snapshot(100))
        #expect(sync.apply(diff(101, 105, pu: nil)) == .applied)
        guard case .needsSnapshot = sync.apply(diff(200, 210, pu: 105)) else {
            Issue.record("spot ids are contiguous: U must be the last u + 1 whatever pu says")
            return
        }
    }
}
