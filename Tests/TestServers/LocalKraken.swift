import Foundation

/// The local Kraken spot protocol server of Tests/Servers/kraken: REST, the public and the authenticated WebSocket v2.
public final class LocalKraken: LocalServer, @unchecked Sendable {
    public var restURL: String { urls["restUrl"]! }
    public var publicWSURL: String { urls["publicWsUrl"]! }
    public var privateWSURL: String { urls["privateWsUrl"]! }

    /// `scripts/kraken-server.sh`, or the launcher `DEXTER_KRAKEN_SERVER` names (a checkout where the server lives
    /// while it is not yet on this branch).
    static var script: String {
        ProcessInfo.processInfo.environment["DEXTER_KRAKEN_SERVER"].flatMap { $0.isEmpty ? nil : $0 } ?? "kraken-server.sh"
    }

    /// Whether the launcher is there to start.
    public static var isAvailable: Bool {
        let script = script
        let path = script.hasPrefix("/") ? script : root.appendingPathComponent("scripts/\(script)").path
        return FileManager.default.isExecutableFile(atPath: path)
    }

    /// Starts the server with `arguments` (`--speed 0` by default: its market moves only on `advance`).
    public init(_ arguments: [String] = ["--speed", "0"]) throws {
        try super.init(name: "Kraken", script: Self.script, arguments: arguments,
                       required: ["restUrl", "publicWsUrl", "privateWsUrl"])
    }
}
