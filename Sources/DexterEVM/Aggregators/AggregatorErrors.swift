import DexterCore

/// An aggregator answer that could not be read: which API, which answer, which field, where, and what was wrong, so
/// a trader reading the log knows whether the API changed its format or the bytes were cut.
public struct AggregatorParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public let source: String
    /// The answer being read: "quote", "swap", "price", "error".
    public let message: String
    /// The field, where one is to blame.
    public let field: String?
    /// Byte offset in the answer where reading stopped.
    public let offset: Int
    public let problem: String

    public init(source: String, message: String, field: String?, offset: Int, problem: String) {
        self.source = source
        self.message = message
        self.field = field
        self.offset = offset
        self.problem = problem
    }

    public var description: String {
        let place = field.map { "field \"\($0)\" at byte \(offset)" } ?? "byte \(offset)"
        return "\(source) \(message) answer: \(place): \(problem)"
    }
}

/// The fields of an aggregator's error answer, in one shape for both: 1inch's `{error, description, statusCode,
/// requestId, meta: [{type, value}]}` and 0x's `{name, message, data: {zid, details: [{field, reason}]}}`.
public struct AggregatorAPIError: Sendable, Hashable, CustomStringConvertible {
    /// 1inch `error` ("Bad Request"), 0x `name` ("TOKEN_NOT_SUPPORTED").
    public let code: String
    /// 1inch `description`, 0x `message`.
    public let message: String
    /// 1inch `requestId`, 0x `data.zid`: what the API's support asks for.
    public let requestId: String?
    /// 1inch `meta` as "type: value", 0x `data.details` as "field: reason".
    public let details: [String]

    public init(code: String, message: String, requestId: String?, details: [String]) {
        self.code = code
        self.message = message
        self.requestId = requestId
        self.details = details
    }

    public var description: String {
        var text = "\(code): \(message)"
        if !details.isEmpty { text += " (\(details.joined(separator: "; ")))" }
        if let requestId { text += " [request \(requestId)]" }
        return text
    }
}

/// Why an aggregator gave no quote. Every text in it went through the client's redaction: the API key never appears.
public enum AggregatorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The API answered with an error status: the HTTP status, and the API's error fields when the body had the
    /// documented shape (a gateway's bare 500 has none).
    case rejected(AggregatorSource, status: Int, api: AggregatorAPIError?)
    /// The API said too many requests (429): nothing is sent to it until `until`, `retryAfter` from when it said so
    /// (its Retry-After header; a minute when it gave none or one dexter cannot read).
    case rateLimited(AggregatorSource, retryAfter: Duration, until: Timestamp)
    /// No route for this pair and size: 0x's `liquidityAvailable: false`, 1inch's "insufficient liquidity" error.
    case noLiquidity(AggregatorSource, requestId: String?)
    /// A success answer not in the documented shape, or not an answer to what was asked.
    case malformed(AggregatorParseError)
    /// No answer in time, or the connection dropped after the request left. For a quote nothing happened on chain;
    /// the API's own state (its rate counter) is unknown.
    case outcomeUnknown(AggregatorSource, String)
    /// The request never left (connection refused, bad URL).
    case unreachable(AggregatorSource, String)

    public var description: String {
        switch self {
        case .rejected(let source, let status, let api):
            "\(source) refused the request: HTTP \(status)" + (api.map { ", \($0)" } ?? "")
        case .rateLimited(let source, let retryAfter, let until):
            "\(source) rate limit: nothing sent for \(retryAfter.secondsDouble) s, until \(until)"
        case .noLiquidity(let source, let requestId):
            "\(source) has no route for this pair and size" + (requestId.map { " [request \($0)]" } ?? "")
        case .malformed(let error): "\(error)"
        case .outcomeUnknown(let source, let why): "\(source) gave no answer: \(why)"
        case .unreachable(let source, let why): "\(source) unreachable: \(why)"
        }
    }
}
