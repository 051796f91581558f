import DexterCEX
import DexterCore
import DexterMarket
import Foundation
import SharedTestData
import Testing

/// Kraken's wire messages in `../shared/vectors/exchanges/wire/kraken` (see `../shared/vectors/exchanges/README.md`):
/// `cryptofeed/KRAKEN.ws.50.0` is a live capture of 2021-04-17 from bmoscon/cryptofeed (XFree86 1.1): WebSocket v1
/// `book-1000` for ten pairs, every update with Kraken's checksum `c`. v1 sends prices and volumes as strings with a
/// fixed number of decimals per pair, where v2 sends numbers and the checksum writes them with the pair's decimals:
/// the same rule over the same digits, so the v1 capture proves the book and its checksum; `KrakenV1Capture`
/// reads its frames into the v2 messages the book takes.
enum KrakenV1Capture {
    static let folder = "vectors/exchanges/wire/kraken"

    struct Replay {
        var books: [String: KrakenBookSync] = [:]
        var checksums = 0
        var resyncs = 0
        var snapshots = 0
    }

    /// One object of a v1 book message: a snapshot's `as` / `bs`, or an update's `a` / `b` and checksum `c`; each
    /// level `[price, volume, time(, "r")]`, all strings.
    struct Part: Decodable {
        var snapshotAsks: [[String]]?
        var snapshotBids: [[String]]?
        var asks: [[String]]?
        var bids: [[String]]?
        var checksum: String?

        enum CodingKeys: String, CodingKey {
            case snapshotAsks = "as", snapshotBids = "bs", asks = "a", bids = "b", checksum = "c"
        }
    }

    /// An element of a v1 channel message: the channel id, a part, the channel name, the pair.
    enum Element: Decodable {
        case number
        case text(String)
        case part(Part)

        init(from decoder: any Decoder) throws {
            let value = try decoder.singleValueContainer()
            if let text = try? value.decode(String.self) { self = .text(text) }
            else if (try? value.decode(Int64.self)) != nil { self = .number }
            else { self = .part(try value.decode(Part.self)) }
        }
    }

    /// `[channelID, {"as": […], "bs": […]}, "book-1000", "XMR/USD"]`, or an update whose one or two objects carry
    /// `a` / `b` levels and `c` the checksum.
    static func frames() throws -> [(pair: String, parts: [Part])] {
        let text = String(decoding: try Shared.data("\(folder)/cryptofeed/KRAKEN.ws.50.0"), as: UTF8.self)
        var frames: [(String, [Part])] = []
        for line in text.split(separator: "\n") {
            // "<time>: <message>"; channel messages are arrays, events objects.
            guard !line.hasPrefix("wss"), let colon = line.range(of: ": ") else { continue }
            let body = line[colon.upperBound...]
            guard body.hasPrefix("[") else { continue }
            let elements = try JSONDecoder().decode([Element].self, from: Data(body.utf8))
            guard elements.count >= 4, case .text(let name) = elements[elements.count - 2], name.hasPrefix("book"),
                  case .text(let pair) = elements[elements.count - 1] else { continue }
            frames.append((pair, elements.compactMap { if case .part(let part) = $0 { part } else { nil } }))
        }
        return frames
    }

    static func levels(_ rows: [[String]]?) -> [PriceLevel] {
        (rows ?? []).map { PriceLevel(price: FixedDecimal($0[0])!, quantity: FixedDecimal($0[1])!) }
    }

    /// Decimals a v1 value was written with ("354.80000000" → 8): fixed per pair in the capture.
    static func decimals(_ rows: [[String]]?) -> (price: Int, quantity: Int)? {
        guard let first = rows?.first else { return nil }
        func digits(_ text: String) -> Int { text.split(separator: ".").dropFirst().first?.count ?? 0 }
        return (digits(first[0]), digits(first[1]))
    }

    static func replay() throws -> Replay {
        var replay = Replay()
        for (pair, parts) in try frames() {
            if let snapshot = parts.first, snapshot.snapshotAsks != nil || snapshot.snapshotBids != nil {
                let both = decimals(snapshot.snapshotAsks) ?? decimals(snapshot.snapshotBids)!
                var book = replay.books[pair] ?? KrakenBookSync(symbol: pair, depth: 1000, priceDecimals: both.price,
                                                                quantityDecimals: both.quantity)
                _ = book.apply(KrakenBookMessage(symbol: pair, kind: .snapshot, bids: levels(snapshot.snapshotBids),
                                                 asks: levels(snapshot.snapshotAsks), checksum: nil, time: nil))
                replay.books[pair] = book
                replay.snapshots += 1
                continue
            }
            let asks = parts.flatMap { levels($0.asks) }, bids = parts.flatMap { levels($0.bids) }
            let checksum = parts.compactMap { $0.checksum }.first.flatMap { UInt32($0) }
            guard var book = replay.books[pair] else { continue }
            let outcome = book.apply(KrakenBookMessage(symbol: pair, kind: .update, bids: bids, asks: asks,
                                                       checksum: checksum, time: nil))
            replay.books[pair] = book
            if checksum != nil, outcome == .applied { replay.checksums += 1 }
            if case .needsSnapshot = outcome { replay.resyncs += 1 }
        }
        return replay
    }
}

@Suite struct KrakenBookSyncTests {
    /// Every update of the capture, 4,269 checksums over ten pairs at depth 1000, leaves a book whose top 10 hash to
    /// Kraken's own checksum: levels applied in order, the book cut to the subscribed depth, values written with the
    /// pair's decimals.
    @Test func everyCapturedChecksumVerifies() throws {
        let replay = try KrakenV1Capture.replay()
        #expect(replay.snapshots == 10)
        #expect(replay.resyncs == 0)
        #expect(replay.checksums == 4269)
        #expect(replay.books.count == 10)
        #expect(replay.books.values.allSatisfy { $0.isLive })
    }

    /// Without the cut to the subscribed depth, levels Kraken stopped telling about stay in the book; the capture
    /// shows it matters: at depth 1000 the book is exactly 1000 deep on each side wherever the venue had that many.
    @Test func theBookIsCutToTheSubscribedDepth() throws {
        let replay = try KrakenV1Capture.replay()
        for (pair, book) in replay.books {
            let full = book.orderBook()
            #expect(full.bids.count <= 1000 && full.asks.count <= 1000, "\(pair)")
            #expect(full.bids.count > 10 && full.asks.count > 10, "\(pair)")
        }
    }

    /// The shared vectors' own (book, checksum) pairs: two real v1 tops of XMR/USD and a real v2 ALGO/USD top
    /// (prices with 5 decimals, quantities with 8), each checksum string and value reproduced.
    @Test func sharedChecksumVectors() throws {
        let vectors = try JSONSerialization.jsonObject(with: Shared.data("vectors/exchanges/checksum_vectors.json")) as! [[String: Any]]
        let kraken = vectors.filter { ($0["venue"] as? String)?.hasPrefix("kraken") == true }
        #expect(kraken.count == 3)
        for vector in kraken {
            func side(_ key: String) throws -> [[String]] { try #require(vector[key] as? [[String]], "\(key)") }
            let asks = try side("asks_top10"), bids = try side("bids_top10")
            let priceDecimals = vector["price_precision"] as? Int
                ?? asks[0][0].split(separator: ".")[1].count
            let quantityDecimals = vector["qty_precision"] as? Int
                ?? asks[0][1].split(separator: ".")[1].count
            func levels(_ raw: [[String]]) -> [PriceLevel] {
                raw.map { PriceLevel(price: FixedDecimal($0[0])!, quantity: FixedDecimal($0[1])!) }
            }
            let text = KrakenBookSync.checksumText(asks: levels(asks), bids: levels(bids), priceDecimals: priceDecimals,
                                                   quantityDecimals: quantityDecimals)
            #expect(String(decoding: text, as: UTF8.self) == vector["checksum_string"] as? String)
            #expect(KrakenBookSync.checksum(asks: levels(asks), bids: levels(bids), priceDecimals: priceDecimals,
                                            quantityDecimals: quantityDecimals) == (vector["expected_checksum"] as? Int).map(UInt32.init))
        }
    }

    /// A lost update shows at the next checksum: the book is dropped and asks for a snapshot, serves nothing until
    /// one comes, and is whole again after it.
    @Test func aLostUpdateIsCaughtByTheNextChecksum() throws {
        let frames = try KrakenV1Capture.frames().filter { $0.pair == "XBT/CHF" }
        let snapshot = frames[0].parts[0]
        var book = KrakenBookSync(symbol: "XBT/CHF", depth: 1000, priceDecimals: 5, quantityDecimals: 8)
        _ = book.apply(KrakenBookMessage(symbol: "XBT/CHF", kind: .snapshot, bids: KrakenV1Capture.levels(snapshot.snapshotBids),
                                         asks: KrakenV1Capture.levels(snapshot.snapshotAsks), checksum: nil, time: nil))
        var outcomes: [KrakenBookSync.Outcome] = []
        // Skip the first update that changes the top 10 (its checksum differs from the book's), apply the rest.
        let before = String(book.checksum())
        let skipped = try #require(frames.dropFirst().firstIndex { frame in
            frame.parts.contains { $0.checksum.map { $0 != before } ?? false }
        })
        for frame in frames[(skipped + 1)...].prefix(40) {
            let message = KrakenBookMessage(symbol: "XBT/CHF", kind: .update,
                                            bids: frame.parts.flatMap { KrakenV1Capture.levels($0.bids) },
                                            asks: frame.parts.flatMap { KrakenV1Capture.levels($0.asks) },
                                            checksum: frame.parts.compactMap { $0.checksum }.first.flatMap { UInt32($0) },
                                            time: nil)
            let outcome = book.apply(message)
            outcomes.append(outcome)
            if case .needsSnapshot = outcome { break }
        }
        guard case .needsSnapshot(let reason)? = outcomes.last else {
            Issue.record("no checksum caught the lost update: \(outcomes)")
            return
        }
        #expect(reason.contains("XBT/CHF") && reason.contains("checksum"))
        #expect(book.orderBook().bids.isEmpty && book.orderBook().asks.isEmpty)
        #expect(book.apply(KrakenBookMessage(symbol: "XBT/CHF", kind: .update, bids: [], asks: [], checksum: nil, time: nil)) == .ignored)
    }
}
