/// The local Bybit v5 (linear USDT perpetuals) protocol server of Tests/Servers/bybit: REST (api.bybit.com shape), and
/// the public and private WebSockets (stream.bybit.com shape: `/v5/public/linear`, `/v5/private`) on one port. Its
/// default account is keyed with the shared oracle's Bybit example key; BTCUSDT and ETHUSDT books are set with
/// `control("/control/script")`.
public final class LocalBybit: LocalServer, @unchecked Sendable {
    public var restURL: String { urls["restUrl"]! }
    public var publicWSURL: String { urls["publicWsUrl"]! }
    public var privateWSURL: String { urls["privateWsUrl"]! }

    /// Starts the server with `arguments` (`--speed 0` by default: its market moves only on `advance`).
    public init(_ arguments: [String] = ["--speed", "0"]) throws {
        try super.init(name: "Bybit", script: "bybit-server.sh", arguments: arguments,
                       required: ["restUrl", "publicWsUrl", "privateWsUrl"])
    }
}
