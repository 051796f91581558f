/// The local OKX-protocol server of Tests/Servers/okx: REST, and the public and private WebSockets on one port.
public final class LocalOKX: LocalServer, @unchecked Sendable {
    public var restURL: String { urls["restUrl"]! }
    public var publicWSURL: String { urls["publicWsUrl"]! }
    public var privateWSURL: String { urls["privateWsUrl"]! }

    /// Starts the server with `arguments` (`--speed 0` by default: its market moves only on `advance`).
    public init(_ arguments: [String] = ["--speed", "0"]) throws {
        try super.init(name: "OKX", script: "okx-server.sh", arguments: arguments,
                       required: ["restUrl", "publicWsUrl", "privateWsUrl"])
    }
}
