/// The local Binance USDⓈ-M futures protocol server of Tests/Servers/binance_usdm: REST (fapi.binance.com shape) and
/// the market and user data streams (fstream.binance.com shape) on one stream port. Its default account is keyed
/// with the API key pair of Binance's signing examples; BTCUSDT and ETHUSDT books are set with `control("/control/script")`.
public final class LocalBinanceUSDM: LocalServer, @unchecked Sendable {
    public var restURL: String { urls["restUrl"]! }
    public var streamURL: String { urls["streamUrl"]! }

    /// Starts the server with `arguments` (`--speed 0` by default: its market moves only on `advance`).
    public init(_ arguments: [String] = ["--speed", "0"]) throws {
        try super.init(name: "Binance USDⓈ-M", script: "binance-usdm-server.sh", arguments: arguments,
                       required: ["restUrl", "streamUrl"])
    }
}
