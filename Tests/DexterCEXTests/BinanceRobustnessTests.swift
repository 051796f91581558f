import DexterCEX
import DexterCore
import Foundation
import SharedTestData
import Testing

/// Every parser is a pure function over bytes, so a fuzz target can call it as it is. Here, not a fuzzer but its
/// floor: every capture line, cut short and mutated, through every parser — errors are expected, a crash or a hang
/// is not (a hang would stall the test run).
@Suite struct BinanceRobustnessTests {
    static func everyParser(_ bytes: [UInt8]) {
        _ = try? BinanceMarketData.streamMessage(bytes)
        _ = try? BinanceMarketData.depthUpdate(bytes)
        _ = try? BinanceMarketData.bookTicker(bytes)
        _ = try? BinanceMarketData.depthSnapshot(bytes)
        _ = try? BinanceMarketData.exchangeInfo(bytes)
        _ = try? BinanceTrading.order(bytes)
        _ = try? BinanceTrading.orders(bytes)
        _ = try? BinanceTrading.account(bytes)
        _ = try? BinanceTrading.errorBody(bytes)
        if let event = try? BinanceTrading.userEvent(bytes), case .executionReport(let report) = event {
            _ = report.orderUpdate(venue: "binance")
        }
        if let frame = try? BinanceTrading.webSocketFrame(bytes), case .event(_, .executionReport(let report)) = frame {
            _ = report.orderUpdate(venue: "binance")
        }
        if let order = try? BinanceTrading.order(bytes) {
            _ = order.orderUpdates(venue: "binance")
            _ = order.executionReport(symbol: Symbol(base: "BTC", quote: "USDT"), venue: "binance")
        }
    }

    static func corpus() throws -> [[UInt8]] {
        var corpus = try BinanceCaptures.streamMessages()
        corpus += try BinanceCaptures.depthSnapshots().map(\.body)
        corpus.append(try BinanceCaptures.exchangeInfo())
        let nautilus = try Shared.url("\(BinanceCaptures.folder)/nautilus/spot")
        for folder in ["http_json", "user_data_json"] {
            let names = try FileManager.default.contentsOfDirectory(atPath: nautilus.appendingPathComponent(folder).path)
            for name in names.sorted() where name.hasSuffix(".json") {
                corpus.append(try BinanceCaptures.nautilus("\(folder)/\(name)"))
            }
        }
        return corpus
    }

    @Test func truncatedMessagesNeverCrash() throws {
        var inputs = 0
        for message in try Self.corpus() {
            // Every prefix of a short message; 64 cuts of a long one (a 35 kB snapshot).
            let stride = max(1, message.count / 64)
            for end in Swift.stride(from: 0, to: message.count, by: stride) {
                Self.everyParser(Array(message[..<end]))
                inputs += 1
            }
        }
        #expect(inputs > 20_000)
    }

    @Test func mutatedMessagesNeverCrash() throws {
        var random = SeededGenerator(seed: 14)
        let interesting = Array("{}[]\",:.-0123456789eE\\ntu \u{7F}".utf8) + [0x00, 0xFF, 0xC3]
        var inputs = 0
        for message in try Self.corpus() where !message.isEmpty {
            for _ in 0..<24 {
                var mutated = message
                for _ in 0...Int(random.next() % 3) {
                    let index = Int(random.next() % UInt64(mutated.count))
                    switch random.next() % 4 {
                    case 0: mutated[index] = interesting[Int(random.next() % UInt64(interesting.count))]
                    case 1: mutated[index] = UInt8(truncatingIfNeeded: random.next())
                    case 2: mutated.remove(at: index)
                    default: mutated.insert(contentsOf: mutated[index..<min(mutated.count, index + 8)], at: index)
                    }
                    if mutated.isEmpty { break }
                }
                Self.everyParser(mutated)
                inputs += 1
            }
        }
        // Deep nesting and huge numbers, which a recursive parser or a careless integer would trip on.
        Self.everyParser(Array(repeating: UInt8(ascii: "["), count: 100_000))
        Self.everyParser(Array(#"{"e":"depthUpdate","E":99999999999999999999999,"U":1,"u":1,"s":"X","b":[],"a":[]}"#.utf8))
        Self.everyParser(Array(#"{"lastUpdateId":1,"bids":[["99999999999999999999999999999999999999","1"]],"asks":[]}"#.utf8))
        #expect(inputs > 6_000)
    }
}
