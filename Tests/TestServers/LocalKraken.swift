/// The local Kraken-protocol server of Tests/Servers/kraken: REST, and the public and authenticated WebSockets v2 on
/// two ports, like Kraken's two hosts.
public final class LocalKraken: LocalServer, @unchecked Sendable {
    public var restURL: String { urls["restUrl"]! }
    public var publicWSURL: String { urls["publicWsUrl"]! }
    public var privateWSURL: String { urls["privateWsUrl"]! }

    /// Starts the server with `arguments` (`--speed 0` by default: its market moves only on `advance`).
    public init(_ arguments: [String] = ["--speed", "0"]) throws {
        try super.init(name: "Kraken", script: "kraken-server.sh", arguments: arguments,
                       required: ["restUrl", "publicWsUrl", "privateWsUrl"])
    }
}
