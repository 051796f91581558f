import Foundation

/// One RPC URL. Provider URLs carry API keys in their path or query, so the URL is only ever shown as
/// `scheme://host[:port]`, and any text a lower layer wrote is scrubbed of its secret parts.
public struct SolanaEndpoint: Sendable, Hashable, CustomStringConvertible {
    let url: String
    public let redacted: String
    private let secrets: [String]

    public init(_ url: String) throws(SolanaRPCError) {
        guard let parsed = URLComponents(string: url), let scheme = parsed.scheme?.lowercased(),
              ["http", "https"].contains(scheme), let host = parsed.host, !host.isEmpty else {
            throw .badURL("a URL of \(url.count) characters that is not http(s)://host…")
        }
        self.url = url
        let shown = "\(scheme)://\(host)" + (parsed.port.map { ":\($0)" } ?? "")
        redacted = shown
        secrets = [url, parsed.percentEncodedPath, parsed.percentEncodedQuery, parsed.percentEncodedUser,
                   parsed.percentEncodedPassword].compactMap { $0 }
            .filter { $0.count > 1 && !shown.contains($0) }.sorted { $0.count > $1.count }
    }

    public var description: String { redacted }

    func scrub(_ text: String) -> String { secrets.reduce(text) { $0.replacingOccurrences(of: $1, with: "…") } }
}
