import DexterCore
import DexterMarket
import DexterNet
import DexterVenues
import Foundation

/// What a newcomer needs to know of a configured Binance venue before trading on it, each line found by asking it:
/// reachable and how fast, the clock offset (signed requests outside recvWindow fail with -1021), the rate-limit
/// headroom, and every configured market — listed, trading, its filters and its book's best bid and ask now.
public struct BinanceCheck: Sendable {
    public struct MarketLine: Sendable {
        public let symbol: Symbol
        public let problem: String?
        public let tick: FixedDecimal?
        public let lot: FixedDecimal?
        public let minNotional: FixedDecimal?
        public let bestBid: FixedDecimal?
        public let bestAsk: FixedDecimal?
    }

    public let venue: VenueId
    public let restURL: String
    public let reachable: Bool
    public let problem: String?
    public let roundTrip: Duration?
    public let clockOffset: Duration?
    public let weightUsed: Int?
    public let weightLimit: Int?
    public let markets: [MarketLine]

    public var allGood: Bool { reachable && problem == nil && markets.allSatisfy { $0.problem == nil } }

    /// Asks the venue; never throws: what fails is a line of the report.
    public static func run(_ settings: BinanceSettings, http: HTTPTransport = HTTPTransport()) async -> BinanceCheck {
        func call(_ request: BinanceRequest) async throws -> HTTPAnswer {
            let answer = try await http.send(HTTPCall(.GET, settings.restURL + request.target, timeout: settings.requestTimeout))
            guard (200..<300).contains(answer.status) else {
                throw BinanceVenueError.refused(status: answer.status, body: String(decoding: answer.body.prefix(200), as: UTF8.self))
            }
            return answer
        }
        let sent = Date()
        let time: HTTPAnswer
        do { time = try await call(BinanceRequestBuilder.serverTime()) } catch {
            return BinanceCheck(venue: settings.venue.id, restURL: settings.restURL, reachable: false, problem: "\(error)",
                                roundTrip: nil, clockOffset: nil, weightUsed: nil, weightLimit: nil, markets: [])
        }
        let received = Date()
        let roundTrip = Duration.nanoseconds(Int64(received.timeIntervalSince(sent) * 1e9))
        // The server's time against the middle of the round trip.
        let middle = sent.timeIntervalSince1970 + received.timeIntervalSince(sent) / 2
        let serverMillis = Self.serverTime(time.body)
        let offset = serverMillis.map { Duration.nanoseconds(Int64((Double($0) / 1000 - middle) * 1e9)) }
        var markets: [MarketLine] = []
        var weightUsed = time.header("X-MBX-USED-WEIGHT-1M").flatMap(Int.init)
        var weightLimit: Int?
        do {
            let answer = try await call(BinanceRequestBuilder.exchangeInfo(symbols: settings.symbols.map(BinanceMarketFeed.venueName)))
            weightUsed = answer.header("X-MBX-USED-WEIGHT-1M").flatMap(Int.init) ?? weightUsed
            let info = try BinanceMarketData.exchangeInfo(answer.body)
            weightLimit = info.rateLimits.first { $0.type == "REQUEST_WEIGHT" && $0.interval == "MINUTE" }?.limit
            for symbol in settings.symbols {
                let name = BinanceMarketFeed.venueName(symbol)
                guard let listed = info.instruments.first(where: { $0.venueSymbol == name }), let spec = listed.instrumentSpec else {
                    markets.append(MarketLine(symbol: symbol, problem: "not listed (exchangeInfo has no \(name))", tick: nil,
                                              lot: nil, minNotional: nil, bestBid: nil, bestAsk: nil))
                    continue
                }
                var top: (FixedDecimal?, FixedDecimal?) = (nil, nil)
                var problem: String? = listed.isTrading ? nil : "status \(listed.status): not trading"
                do {
                    let depth = try BinanceMarketData.depthSnapshot(try await call(BinanceRequestBuilder.depth(symbol: name, limit: 5)).body)
                    top = (depth.bids.first?.price, depth.asks.first?.price)
                } catch {
                    problem = problem ?? "no book: \(error)"
                }
                markets.append(MarketLine(symbol: symbol, problem: problem, tick: spec.tickSize, lot: spec.lotSize,
                                          minNotional: spec.minNotional, bestBid: top.0, bestAsk: top.1))
            }
        } catch {
            return BinanceCheck(venue: settings.venue.id, restURL: settings.restURL, reachable: true,
                                problem: "exchangeInfo: \(error)", roundTrip: roundTrip, clockOffset: offset,
                                weightUsed: weightUsed, weightLimit: weightLimit, markets: markets)
        }
        return BinanceCheck(venue: settings.venue.id, restURL: settings.restURL, reachable: true, problem: nil,
                            roundTrip: roundTrip, clockOffset: offset, weightUsed: weightUsed, weightLimit: weightLimit,
                            markets: markets)
    }

    /// `{"serverTime":1499827319559}` → the milliseconds; nil outside years 1970…2255, as `WireReader.milliseconds`
    /// refuses any venue time: the clock offset made from it is in nanoseconds, which a larger one would overflow.
    static func serverTime(_ body: [UInt8]) -> Int64? {
        let text = String(decoding: body, as: UTF8.self)
        guard let range = text.range(of: "\"serverTime\":"),
              let millis = Int64(text[range.upperBound...].prefix { $0.isNumber }),
              (0...9_000_000_000_000).contains(millis) else { return nil }
        return millis
    }

    /// The report, a few lines per venue.
    public var lines: [String] {
        var lines = ["\(venue) (binance at \(restURL)): " + (reachable ? "reachable" : "NOT REACHABLE: \(problem ?? "")")]
        guard reachable else { return lines }
        if let roundTrip { lines.append("  round trip \(Int(roundTrip.secondsDouble * 1000)) ms") }
        if let clockOffset {
            let millis = Int(clockOffset.secondsDouble * 1000)
            lines.append("  clock offset \(millis > 0 ? "+" : "")\(millis) ms" + (abs(millis) > 1000
                ? "  WARNING: signed requests carry the venue's time (the offset is measured and kept)" : ""))
        }
        if let weightUsed {
            lines.append("  request weight used \(weightUsed)" + (weightLimit.map { " of \($0) a minute" } ?? ""))
        }
        if let problem { lines.append("  PROBLEM: \(problem)") }
        for market in markets {
            if let problem = market.problem {
                lines.append("  \(market.symbol): \(problem)")
                continue
            }
            let top = "bid \(market.bestBid.map { "\($0)" } ?? "—") / ask \(market.bestAsk.map { "\($0)" } ?? "—")"
            lines.append("  \(market.symbol): tick \(market.tick!) lot \(market.lot!) min notional \(market.minNotional!); \(top)")
        }
        return lines
    }
}
