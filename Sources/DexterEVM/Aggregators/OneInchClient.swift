import BigInt
import DexterCore
import DexterCrypto
import DexterNet

/// 1inch's Swap API v6.0 for one chain: `GET /swap/v6.0/{chain}/quote` (a price: the amount out, its gas and route)
/// and `GET /swap/v6.0/{chain}/swap` (the same with a transaction built for `from`). Authorised with
/// `Authorization: Bearer <key>`. Amounts are base units both ways.
public struct OneInchClient: Sendable {
    public let chainId: UInt64
    private let baseURL: String
    private let http: AggregatorHTTP

    /// `baseURL`: "https://api.1inch.dev" for the real API; a test server's URL in tests.
    /// The transport connects within 1 s: the HTTP client retries a refused connection until its connect timeout, and
    /// an API that cannot be reached must say so, not look like an answer lost in flight.
    public init(apiKey: String, chainId: UInt64, baseURL: String = "https://api.1inch.dev",
                transport: HTTPTransport = HTTPTransport(connectTimeout: .seconds(1)), clock: any DexterCore.Clock = WallClock(),
                timeout: Duration = .seconds(5)) {
        self.chainId = chainId
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        http = AggregatorHTTP(source: .oneInch, http: transport,
                              gate: RateLimitGate(limits: .init(weight: 1_000_000, headroom: 1)), clock: clock,
                              timeout: timeout, apiKey: apiKey,
                              errorBody: { try? OneInchWire.error($0) })
    }

    /// The amount of `buy` that `amount` of `sell` gets, with the gas estimate and the route.
    public func quote(sell: EthereumAddress, buy: EthereumAddress, amount: BigUInt) async throws(AggregatorError)
        -> AggregatorQuote {
        let query = Self.common(sell, buy, amount) + [("includeGas", "true"), ("includeProtocols", "true")]
        let (body, at) = try await http.get(url("quote", query), headers: headers)
        let answer: OneInchAnswer
        do { answer = try OneInchWire.answer(body, message: "quote") } catch { throw http.malformed(error) }
        return quote(answer, sell, buy, amount, at)
    }

    /// A swap transaction for `from` (its `origin`, the EOA that signs, is `from` too), the least accepted amount
    /// set `slippageBps` (hundredths of a percent; 1inch takes a percent, 0…50) under the quoted one.
    public func swap(sell: EthereumAddress, buy: EthereumAddress, amount: BigUInt, from: EthereumAddress,
                     slippageBps: Int) async throws(AggregatorError) -> AggregatorQuote {
        precondition((0...5000).contains(slippageBps), "1inch takes a slippage of 0 to 50 %")
        let query = Self.common(sell, buy, amount) + [
            ("from", from.checksummed), ("origin", from.checksummed), ("slippage", Self.percent(slippageBps)),
            ("includeProtocols", "true"),
        ]
        let (body, at) = try await http.get(url("swap", query), headers: headers)
        let answer: OneInchAnswer
        do { answer = try OneInchWire.answer(body, message: "swap") } catch { throw http.malformed(error) }
        if let sender = answer.transaction?.from, sender != from {
            throw .malformed(AggregatorParseError(source: "1inch", message: "swap", field: "tx.from", offset: 0,
                                                  problem: "built for \(sender), asked for \(from)"))
        }
        return quote(answer, sell, buy, amount, at)
    }

    private var headers: [String: String] { ["Authorization": "Bearer \(http.apiKey)", "Accept": "application/json"] }

    private func url(_ method: String, _ query: [(String, String)]) -> String {
        "\(baseURL)/swap/v6.0/\(chainId)/\(method)?\(AggregatorQuery.encode(query))"
    }

    private static func common(_ sell: EthereumAddress, _ buy: EthereumAddress, _ amount: BigUInt)
        -> [(String, String)] {
        [("src", sell.checksummed), ("dst", buy.checksummed), ("amount", String(amount))]
    }

    private func quote(_ answer: OneInchAnswer, _ sell: EthereumAddress, _ buy: EthereumAddress, _ amount: BigUInt,
                       _ at: Timestamp) -> AggregatorQuote {
        // 1inch does not echo the request's tokens or amount (only with includeTokensInfo, as token info): the quote
        // is for what was asked.
        AggregatorQuote(source: .oneInch, chainId: chainId, sellToken: sell, buyToken: buy, sellAmount: amount,
                        buyAmount: answer.dstAmount, minimumBuyAmount: nil,
                        gas: answer.gas ?? answer.transaction?.gas, route: answer.protocols, issues: [],
                        receivedAt: at, transaction: answer.transaction)
    }

    /// Basis points as 1inch's percent: 50 → "0.5", 100 → "1", 5 → "0.05".
    package static func percent(_ bps: Int) -> String {
        let whole = bps / 100, fraction = bps % 100
        guard fraction != 0 else { return "\(whole)" }
        let digits = fraction < 10 ? "0\(fraction)" : "\(fraction)"
        return "\(whole)." + (digits.hasSuffix("0") ? String(digits.dropLast()) : digits)
    }
}
