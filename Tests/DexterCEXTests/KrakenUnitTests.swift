import DexterCEX
import DexterCore
import DexterMarket
import DexterNet
import DexterVenues
import Foundation
import SharedTestData
import Synchronization
import Testing

/// A clock the test sets by hand.
final class KrakenTestClock: DexterCore.Clock, Sendable {
    let time: Mutex<Timestamp>
    init(_ start: Timestamp) { time = Mutex(start) }
    func now() -> Timestamp { time.withLock { $0 } }
    func set(_ value: Timestamp) { time.withLock { $0 = value } }
}

/// The pieces of Kraken execution that need no server: dexter's ids as `cl_ord_id`s, the error map (checked against
/// ccxt's), the nonce across restarts and a stepped-back clock, the rate counters, prices and volumes on the grid.
@Suite struct KrakenUnitTests {
    @Test func dextersIdsBecomeClOrdIdsAndBack() {
        // Up to 18 characters: free text, as it is.
        for id in ["mj3k2x1a-a17-2", "abc123", "dx_2024.01", "mj3k2x1a-a12345-12"] {
            #expect(KrakenClientOrderId.encode(id) == id)
            #expect(KrakenClientOrderId.decode(id) == id)
        }
        // Longer: packed into a UUID, and back.
        for id in ["mj3k2x1a-a1234567-12", "Run-A1-0123456789abc", "mj3k2x1a-a1234567-1", "zzzzzzzzzzzzzzzzzzzzz"] {
            guard let clOrdId = KrakenClientOrderId.encode(id) else { Issue.record("\(id) not encoded"); continue }
            #expect(clOrdId.count == 36 && clOrdId.split(separator: "-").map(\.count) == [8, 4, 4, 4, 12], "\(clOrdId)")
            #expect(KrakenClientOrderId.decode(clOrdId) == id, "\(id) → \(clOrdId)")
        }
        // Over 21, a character no form takes, or empty: refused before anything is sent.
        #expect(KrakenClientOrderId.encode(String(repeating: "a", count: 22)) == nil)
        #expect(KrakenClientOrderId.encode("a b") == nil && KrakenClientOrderId.encode("") == nil && KrakenClientOrderId.encode("é") == nil)
        #expect(KrakenClientOrderId.encode("dx:a/b") == nil)
        // Another tool's UUID is not one of dexter's (its marker bits differ), and stays as it is.
        #expect(KrakenClientOrderId.decode("d15708c1-dbb6-465d-b77d-47258319cc90") == "d15708c1-dbb6-465d-b77d-47258319cc90")
    }

    @Test func krakensErrorsAreTypedAndAgreeWithCcxt() throws {
        let cases: [(String, String, ExecutionFailure.Class, KrakenRetry)] = [
            ("EOrder:Insufficient funds", "insufficient_funds", .rejected, .never),
            ("EOrder:Order minimum not met", "below_minimum", .rejected, .never),
            ("EOrder:Cost minimum not met", "below_minimum", .rejected, .never),
            ("EGeneral:Invalid arguments:volume minimum not met", "below_minimum", .rejected, .never),
            ("EOrder:Invalid price:Invalid price argument", "bad_precision", .rejected, .never),
            ("EGeneral:Invalid arguments", "bad_request", .rejected, .never),
            ("EAPI:Invalid key", "bad_key", .rejected, .never), ("EAPI:Invalid signature", "bad_signature", .rejected, .never),
            ("EAPI:Invalid nonce", "bad_nonce", .transient, .freshNonce),
            ("EAPI:Rate limit exceeded", "rate_limited", .transient, .afterDecay),
            ("EOrder:Rate limit exceeded", "rate_limited", .transient, .afterDecay),
            ("EService: Throttled: 1700000000", "rate_limited", .transient, .afterDecay),
            ("EService:Unavailable", "venue_unavailable", .transient, .queryFirst),
            ("EService:Busy", "venue_busy", .transient, .queryFirst),
            ("EService:Deadline elapsed", "outcome_unknown", .transient, .queryFirst),
            ("EGeneral:Permission denied", "not_permitted", .rejected, .never),
            ("EOrder:Unknown order", "unknown_order", .rejected, .never),
            ("EQuery:Unknown asset pair", "unknown_symbol", .rejected, .never),
            ("EService:Market in cancel_only mode", "market_restricted", .market, .never),
            ("EWhatever:New", "rejected", .rejected, .never),
        ]
        for (text, code, failureClass, retry) in cases {
            let failure = KrakenErrors.failure(text)
            #expect(failure.failure.code == code && failure.failure.failureClass == failureClass && failure.retry == retry, "\(text)")
            #expect(failure.failure.venueMessage == text)
        }
        #expect(KrakenErrors.failure(nil, httpStatus: 502).retry == .queryFirst)
        #expect(KrakenErrors.failure(nil).retry == .queryFirst, "no words, no status: the outcome is unknown")
        // ccxt 4.5.90's exact map: retryable classes (NetworkError's) are transient here, the rest are not.
        let maps = try JSONSerialization.jsonObject(with: Shared.data("vectors/exchanges/ccxt_exception_maps.json")) as? [String: Any]
        let exact = try #require(((maps?["maps"] as? [String: Any])?["kraken"] as? [String: Any])?["exact"] as? [String: String])
        let retryable: Set<String> = ["InvalidNonce", "DDoSProtection", "RateLimitExceeded", "ExchangeNotAvailable", "RequestTimeout",
                                      "OnMaintenance"]
        for (text, ccxtClass) in exact where !text.hasPrefix("EFunding") {
            let failure = KrakenErrors.failure(text).failure
            if ccxtClass == "OnMaintenance" {
                #expect(failure.failureClass == .market, "\(text): a restricted market, not an unknown outcome")
            } else {
                #expect(failure.isRetryable == retryable.contains(ccxtClass), "\(text): ccxt says \(ccxtClass), dexter \(failure.code)")
            }
        }
    }

    @Test func theNonceOnlyGrowsAcrossRestartsEvenWithTheClockSteppedBack() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dexter-kraken-nonce-\(UUID().uuidString)/nonce")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let clock = KrakenTestClock(Timestamp(seconds: 1_700_000_000))
        let first = try KrakenNonce(file: file, clock: clock)
        let a = try first.next(), b = try first.next()
        #expect(a == 1_700_000_000_000_000 && b == a + 1, "microseconds, then one above when the clock stands still")
        let onDisk = try String(contentsOf: file, encoding: .utf8)
        #expect(first.mark >= b && onDisk.hasPrefix(String(first.mark)), "the mark is on disk")
        clock.set(Timestamp(seconds: 1_700_000_010))
        let c = try first.next()
        #expect(c == 1_700_000_010_000_000)
        // A restart with the clock an hour behind: the first nonce is still above every one sent.
        clock.set(Timestamp(seconds: 1_699_996_400))
        let second = try KrakenNonce(file: file, clock: clock)
        let d = try second.next()
        #expect(d > c, "\(d) after \(c)")
        // A file that holds no number is refused, naming the file, not guessed at.
        try Data("garbage".utf8).write(to: file)
        #expect(throws: KrakenNonceError.self) { _ = try KrakenNonce(file: file, clock: clock) }
    }

    @Test func theRateCounterDecaysAndStopsAfterARefusal() {
        let counter = KrakenRateCounter(maximum: 15, decayPerSecond: 0.33, headroom: 0.8)
        let start = Timestamp(seconds: 1_700_000_000)
        for _ in 0..<12 { #expect(counter.admit(cost: 1, at: start) == .go) }
        guard case .waitUntil = counter.admit(cost: 1, at: start) else { Issue.record("12 of 15 at 0.8 headroom"); return }
        #expect(counter.admit(cost: 1, at: start.adding(.seconds(4))) == .go, "decayed by 1.32")
        counter.limited(at: start.adding(.seconds(4)))
        guard case .stoppedUntil = counter.admit(cost: 1, at: start.adding(.seconds(20))) else { Issue.record("stopped"); return }
        #expect(counter.admit(cost: 1, at: start.adding(.seconds(60))) == .go)
    }

    @Test func pricesAndVolumesOffTheGridAreRefusedNotRounded() throws {
        let pairs = try KrakenMarketData.assetPairs(try Shared.data("vectors/exchanges/wire/kraken/nautilus/http_asset_pairs.json"))
        let pair = try #require(pairs.first { $0.priceDecimals == 1 } ?? pairs.first)
        let step = FixedDecimal(units: 1, decimals: pair.priceDecimals)
        let onGrid = FixedDecimal(30_000) + step
        #expect(KrakenOrderFormat.price(onGrid, pair: pair) == onGrid.description)
        #expect(KrakenOrderFormat.price(onGrid + step / FixedDecimal(10), pair: pair) == nil)
        let lot = FixedDecimal(units: 1, decimals: pair.lotDecimals)
        #expect(KrakenOrderFormat.volume(lot * 3, pair: pair) == (lot * 3).description)
        #expect(KrakenOrderFormat.volume(lot / FixedDecimal(10), pair: pair) == nil && KrakenOrderFormat.volume(.zero, pair: pair) == nil)
    }

    @Test func aSecretThatIsNotBase64OrAKeyOfTheWrongShapeIsRefusedWithoutEchoingIt() {
        let secret = "this is not base64 at all!"
        do {
            _ = try KrakenExecution(settings: KrakenExecutionSettings(venue: "kraken"),
                                    credentials: KrakenCredentials(apiKey: "k", secret: secret))
            Issue.record("accepted a secret that is not base64")
        } catch {
            #expect("\(error)".contains("kraken") && !"\(error)".contains(secret), "\(error)")
        }
        #expect(throws: KrakenKeyError.self) {
            _ = try KrakenLiveVenue(marketData: KrakenListedInstruments(), settings: KrakenExecutionSettings(venue: "kraken"),
                                    credentials: KrakenCredentials(apiKey: "short\"key", secret: KrakenSigningTests.secret))
        }
    }
}
