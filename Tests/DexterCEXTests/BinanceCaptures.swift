import Foundation
import SharedTestData
import Testing

/// Binance's wire messages in `../shared/vectors/exchanges/wire/binance` (see `../shared/vectors/exchanges/README.md`):
/// `cryptofeed/` are live captures of 2021-10-12 from bmoscon/cryptofeed (XFree86 1.1) — the WebSocket file is one
/// `<receipt time>: <message>` per line after a first line naming the streams, the HTTP file one
/// `<url> -> <receipt time>: <body>` per line; `nautilus/spot/` are single messages from nautechsystems/nautilus_trader
/// (LGPL-3.0), mostly Binance's documentation examples: shapes, not numeric truth.
enum BinanceCaptures {
    static let folder = "vectors/exchanges/wire/binance"

    /// Every message of the combined-stream capture, in order.
    static func streamMessages() throws -> [[UInt8]] {
        let lines = try lines("\(folder)/cryptofeed/BINANCE.ws.1.0")
        return lines.dropFirst().compactMap { line in
            guard let brace = line.firstIndex(of: UInt8(ascii: "{")) else { return nil }
            return Array(line[brace...])
        }
    }

    /// Every message with its receipt time (seconds, as the capture writes it), in order.
    static func timedStreamMessages() throws -> [(receivedAt: Double, body: [UInt8])] {
        try lines("\(folder)/cryptofeed/BINANCE.ws.1.0").dropFirst().compactMap { line in
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), let brace = line.firstIndex(of: UInt8(ascii: "{")),
                  let time = Double(String(decoding: line[line.startIndex..<colon], as: UTF8.self)) else { return nil }
            return (time, Array(line[brace...]))
        }
    }

    /// The REST snapshots' receipt times, by symbol.
    static func snapshotTimes() throws -> [String: Double] {
        var times: [String: Double] = [:]
        for line in try lines("\(folder)/cryptofeed/BINANCE.http.0.0") {
            let text = String(decoding: line, as: UTF8.self)
            guard let arrow = text.range(of: " -> "), let symbolStart = text.range(of: "symbol="),
                  let colon = text[arrow.upperBound...].firstIndex(of: ":"),
                  let time = Double(text[arrow.upperBound..<colon]) else { continue }
            times[String(text[symbolStart.upperBound...].prefix { $0 != "&" })] = time
        }
        return times
    }

    /// The REST depth snapshots, by the symbol in their URL.
    static func depthSnapshots() throws -> [(symbol: String, body: [UInt8])] {
        try lines("\(folder)/cryptofeed/BINANCE.http.0.0").compactMap { line in
            let text = String(decoding: line, as: UTF8.self)
            guard let arrow = text.range(of: " -> "), let symbolStart = text.range(of: "symbol="),
                  let brace = text[arrow.upperBound...].firstIndex(of: "{") else { return nil }
            let symbol = text[symbolStart.upperBound...].prefix { $0 != "&" && $0 != " " }
            return (String(symbol), Array(text[brace...].utf8))
        }
    }

    static func nautilus(_ name: String) throws -> [UInt8] {
        Array(try Shared.data("\(folder)/nautilus/spot/\(name)"))
    }

    static func exchangeInfo() throws -> [UInt8] {
        Array(try Shared.data("\(folder)/cryptofeed/exchangeInfo.2021-10-11.BTCUSDT_ETHBTC.json"))
    }

    static func lines(_ path: String) throws -> [ArraySlice<UInt8>] {
        let bytes = Array(try Shared.data(path))
        return bytes.split(separator: UInt8(ascii: "\n")).filter { !$0.isEmpty }
    }
}
