/// The local Coinbase Advanced Trade protocol server of Tests/Servers/coinbase: REST (api.coinbase.com shape), and
/// the market-data and user-order-data WebSockets on two ports, like Coinbase's two hosts. Without `--account` it
/// makes one account whose key name and private key file (PEM, mode 0600) it prints, for the tests to sign with.
public final class LocalCoinbase: LocalServer, @unchecked Sendable {
    public var restURL: String { urls["restUrl"]! }
    public var publicWSURL: String { urls["publicWsUrl"]! }
    public var privateWSURL: String { urls["privateWsUrl"]! }
    /// The default account's CDP key name (absent when the server was given accounts).
    public var defaultKeyName: String? { urls["defaultKeyName"] }
    /// The default account's EC private key, a PEM file the server removes when it stops.
    public var defaultKeyFile: String? { urls["defaultKeyFile"] }

    /// Starts the server with `arguments` (`--speed 0` by default: its market moves only on `advance`).
    public init(_ arguments: [String] = ["--speed", "0"]) throws {
        try super.init(name: "Coinbase", script: "coinbase-server.sh", arguments: arguments,
                       required: ["restUrl", "publicWsUrl", "privateWsUrl"])
    }
}
