import Foundation

/// One RPC URL of a chain. RPC URLs often carry an API key in their path or query (`…/v2/<key>`, `?apikey=…`), so the
/// URL is never written out whole: errors and logs name it as `scheme://host[:port]` only.
public struct RPCEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The whole URL, secret included: for the transport, never for text.
    let url: String
    /// `scheme://host[:port]`.
    public let redacted: String
    /// The parts of the URL that may be secret (not those the redacted form shows anyway), to scrub from any text a lower layer wrote (an error that quotes the
    /// URL it was given).
    private let secrets: [String]

    public init(_ url: String) throws(EVMRPCError) {
        try self.init(url, schemes: ["http", "https"], shape: "http(s)://host…")
    }

    /// A WebSocket endpoint (`eth_subscribe`), kept and redacted the same way.
    public init(webSocket url: String) throws(EVMRPCError) {
        try self.init(url, schemes: ["ws", "wss"], shape: "ws(s)://host…")
    }

    private init(_ url: String, schemes: [String], shape: String) throws(EVMRPCError) {
        guard let parsed = URLComponents(string: url), let scheme = parsed.scheme?.lowercased(),
              schemes.contains(scheme), let host = parsed.host, !host.isEmpty else {
            throw .badURL("an RPC URL of \(url.count) characters that is not \(shape)")
        }
        self.url = url
        let shown = redactedURL(url)
        redacted = shown
        secrets = [url, parsed.percentEncodedPath, parsed.percentEncodedQuery, parsed.percentEncodedUser,
                   parsed.percentEncodedPassword, parsed.percentEncodedFragment]
            .compactMap { $0 }.filter { $0.count > 1 && !shown.contains($0) }.sorted { $0.count > $1.count }
    }

    public var description: String { redacted }

    /// `text` with every secret part of this URL replaced by "…".
    func scrub(_ text: String) -> String {
        secrets.reduce(text) { $0.replacingOccurrences(of: $1, with: "…") }
    }
}

/// A URL as it may be shown, whatever its scheme: `scheme://host[:port]`, never the path, query or user part where
/// providers put keys.
public func redactedURL(_ url: String) -> String {
    guard let parsed = URLComponents(string: url), let scheme = parsed.scheme?.lowercased(), let host = parsed.host,
          !host.isEmpty else { return "(a URL)" }
    let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host  // an IPv6 literal
    return "\(scheme)://\(bracketed)" + (parsed.port.map { ":\($0)" } ?? "")
}
