import DexterCore
import DexterNet
import Foundation

/// Every request to one aggregator API goes through here: none leaves while the API has stopped this client (a 429's
/// Retry-After), a failure to get an answer and an error status become typed `AggregatorError`s, and every text that
/// reaches an error goes through `redact` so the API key never appears in an error, a log line or a test's output,
/// even when an API echoes the key it was given.
struct AggregatorHTTP: Sendable {
    let source: AggregatorSource
    let http: HTTPTransport
    /// Shared by every request of this client: the stop after a 429.
    let gate: RateLimitGate
    let clock: any DexterCore.Clock
    let timeout: Duration
    let apiKey: String
    /// Reads the API's documented error body; nil when the body is not in that shape.
    let errorBody: @Sendable ([UInt8]) -> AggregatorAPIError?

    /// When the API names no Retry-After, or one dexter cannot read: how long to stop.
    static let defaultRetryAfter = Duration.seconds(60)

    /// GETs `url` with `headers`; a 2xx answer's body, or a typed error.
    func get(_ url: String, headers: [String: String]) async throws(AggregatorError) -> (body: [UInt8], at: Timestamp) {
        if let until = gate.stoppedUntil(at: clock.now()) {
            throw .rateLimited(source, retryAfter: until.duration(since: clock.now()), until: until)
        }
        let answer: HTTPAnswer
        do {
            answer = try await http.send(HTTPCall(.GET, url, headers: headers, timeout: timeout))
        } catch {
            let why = redact(error.description)
            throw error.outcomeUnknown ? .outcomeUnknown(source, why) : .unreachable(source, why)
        }
        let now = clock.now()
        if (200..<300).contains(answer.status) { return (answer.body, now) }
        if answer.status == 429 {
            let retryAfter = Self.retryAfter(answer.header("Retry-After")) ?? Self.defaultRetryAfter
            gate.stop(for: retryAfter, reason: "\(source) answered 429", at: now)
            throw .rateLimited(source, retryAfter: retryAfter, until: now.adding(retryAfter))
        }
        let api = errorBody(answer.body).map(redact)
        if let api, api.message.lowercased().contains("insufficient liquidity") {
            throw .noLiquidity(source, requestId: api.requestId)
        }
        throw .rejected(source, status: answer.status, api: api)
    }

    /// Retry-After in whole seconds (RFC 9110 also allows an HTTP date; neither API's docs say which it sends, so a
    /// date is treated as unreadable and the default stop applies).
    static func retryAfter(_ header: String?) -> Duration? {
        guard let header, let seconds = Int(header.trimmingCharacters(in: .whitespaces)), seconds >= 0 else {
            return nil
        }
        return .seconds(min(seconds, 3600))
    }

    /// The text with every occurrence of the API key replaced.
    func redact(_ text: String) -> String {
        guard !apiKey.isEmpty else { return text }
        return text.replacingOccurrences(of: apiKey, with: "<api key>")
    }

    /// A success answer that could not be read: its problem may quote the answer's text.
    func malformed(_ error: AggregatorParseError) -> AggregatorError {
        .malformed(AggregatorParseError(source: error.source, message: error.message, field: error.field,
                                        offset: error.offset, problem: redact(error.problem)))
    }

    func redact(_ api: AggregatorAPIError) -> AggregatorAPIError {
        AggregatorAPIError(code: redact(api.code), message: redact(api.message), requestId: api.requestId.map(redact),
                           details: api.details.map(redact))
    }
}

/// Query strings of the two APIs: names and values are addresses, integers and short words, escaped all the same.
enum AggregatorQuery {
    static func encode(_ items: [(String, String)]) -> String {
        items.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    private static func escape(_ text: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~".utf8)
        var out = ""
        for byte in text.utf8 {
            if allowed.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
