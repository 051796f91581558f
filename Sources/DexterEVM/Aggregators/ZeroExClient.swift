import BigInt
import DexterCore
import DexterCrypto
import DexterNet

/// 0x's Swap API v2 for one chain: `GET /swap/{allowance-holder|permit2}/price` (indicative) and `…/quote` (firm,
/// with a transaction for the taker). Headers `0x-api-key` and `0x-version: v2`. Amounts are base units both ways.
public struct ZeroExClient: Sendable {
    /// How the taker grants the allowance (0x docs, "AllowanceHolder vs Permit2").
    public enum Allowance: String, Sendable {
        /// An ordinary ERC-20 approval of the AllowanceHolder contract: the quote's transaction is sent as it is.
        case allowanceHolder = "allowance-holder"
        /// A Permit2 signature: the quote's transaction data must have the taker's EIP-712 signature of
        /// `permit2.eip712` appended before it is sent. dexter does not sign it yet, so a permit2 quote here carries
        /// no transaction (its amounts are as good as the other's).
        case permit2
    }

    public let chainId: UInt64
    public let allowance: Allowance
    private let baseURL: String
    private let http: AggregatorHTTP

    /// `baseURL`: "https://api.0x.org" for the real API; a test server's URL in tests.
    public init(apiKey: String, chainId: UInt64, allowance: Allowance = .allowanceHolder,
                baseURL: String = "https://api.0x.org", transport: HTTPTransport = HTTPTransport(connectTimeout: .seconds(1)),
                clock: any DexterCore.Clock = WallClock(), timeout: Duration = .seconds(5)) {
        self.chainId = chainId
        self.allowance = allowance
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        http = AggregatorHTTP(source: .zeroEx, http: transport,
                              gate: RateLimitGate(limits: .init(weight: 1_000_000, headroom: 1)), clock: clock,
                              timeout: timeout, apiKey: apiKey,
                              errorBody: { try? ZeroExWire.error($0) })
    }

    /// The indicative price of selling `sellAmount` of `sell` for `buy`; `taker`, when given, lets 0x report issues
    /// (allowance, balance).
    public func price(sell: EthereumAddress, buy: EthereumAddress, sellAmount: BigUInt, taker: EthereumAddress? = nil,
                      slippageBps: Int = 100) async throws(AggregatorError) -> AggregatorQuote {
        try await fetch("price", sell, buy, sellAmount, taker, slippageBps)
    }

    /// A firm quote with the transaction for `taker`; its `minimumBuyAmount` is the quoted amount less `slippageBps`.
    public func quote(sell: EthereumAddress, buy: EthereumAddress, sellAmount: BigUInt, taker: EthereumAddress,
                      slippageBps: Int = 100) async throws(AggregatorError) -> AggregatorQuote {
        try await fetch("quote", sell, buy, sellAmount, taker, slippageBps)
    }

    private func fetch(_ method: String, _ sell: EthereumAddress, _ buy: EthereumAddress, _ sellAmount: BigUInt,
                       _ taker: EthereumAddress?, _ slippageBps: Int) async throws(AggregatorError) -> AggregatorQuote {
        precondition((0...10_000).contains(slippageBps), "0x takes a slippage of 0 to 10,000 bps")
        var query = [("chainId", "\(chainId)"), ("sellToken", sell.checksummed), ("buyToken", buy.checksummed),
                     ("sellAmount", String(sellAmount))]
        if let taker { query.append(("taker", taker.checksummed)) }
        query.append(("slippageBps", "\(slippageBps)"))
        let url = "\(baseURL)/swap/\(allowance.rawValue)/\(method)?\(AggregatorQuery.encode(query))"
        let (body, at) = try await http.get(url, headers: ["0x-api-key": http.apiKey, "0x-version": "v2",
                                                           "Accept": "application/json"])
        let answer: ZeroExAnswer
        do { answer = try ZeroExWire.answer(body, message: method) } catch { throw http.malformed(error) }
        guard case .route(let route) = answer else {
            guard case .noLiquidity(let zid) = answer else { preconditionFailure() }
            throw .noLiquidity(.zeroEx, requestId: zid.map(http.redact))
        }
        // 0x echoes what it priced: an answer for other tokens or another amount is not an answer to this request.
        for (field, got, asked) in [("sellToken", route.sellToken, sell), ("buyToken", route.buyToken, buy)]
            where got != asked {
            throw mismatch(method, field, "\(got)", "\(asked)")
        }
        if route.sellAmount != sellAmount {
            throw mismatch(method, "sellAmount", "\(route.sellAmount)", "\(sellAmount)")
        }
        return AggregatorQuote(source: .zeroEx, chainId: chainId, sellToken: sell, buyToken: buy,
                               sellAmount: sellAmount, buyAmount: route.buyAmount, minimumBuyAmount: route.minBuyAmount,
                               gas: route.gas ?? route.transaction?.gas, route: route.sources, issues: route.issues,
                               receivedAt: at, transaction: allowance == .permit2 ? nil : route.transaction)
    }

    private func mismatch(_ method: String, _ field: String, _ got: String, _ asked: String) -> AggregatorError {
        .malformed(AggregatorParseError(source: "0x", message: method, field: field, offset: 0,
                                        problem: "answers for \(got), asked \(asked)"))
    }
}
