/// The local Binance-protocol server of Tests/Servers/binance.
public final class LocalBinance: LocalServer, @unchecked Sendable {
    public var restURL: String { urls["restUrl"]! }
    public var streamURL: String { urls["streamUrl"]! }
    public var wsAPIURL: String { urls["wsApiUrl"]! }

    /// Starts the server with `arguments` (`--speed 0` by default: its market moves only on `advance`).
    public init(_ arguments: [String] = ["--speed", "0"]) throws {
        try super.init(name: "Binance", script: "binance-server.sh", arguments: arguments,
                       required: ["restUrl", "streamUrl", "wsApiUrl"])
    }
}
