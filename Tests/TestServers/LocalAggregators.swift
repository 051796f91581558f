/// The local 1inch Swap API v6.0 server of Tests/Servers/oneinch: `/swap/v6.0/{chain}/quote` and `/swap`, priced from
/// a constant-product book (`control("/control/book")` sets it, `read("/control/book")` tells it). Its key is
/// `apiKey` unless `--api-key` says otherwise.
public final class LocalOneInch: LocalServer, @unchecked Sendable {
    public static let apiKey = "oneinch-test-key-0001"
    public var restURL: String { urls["restUrl"]! }

    public init(_ arguments: [String] = []) throws {
        try super.init(name: "1inch", script: "oneinch-server.sh", arguments: arguments, required: ["restUrl"])
    }
}

/// The local 0x Swap API v2 server of Tests/Servers/zeroex: `/swap/{allowance-holder,permit2}/{price,quote}`, priced
/// from the same kind of book; `control("/control/taker")` sets what `issues` reports for a taker.
public final class LocalZeroEx: LocalServer, @unchecked Sendable {
    public static let apiKey = "zeroex-test-key-0001"
    public var restURL: String { urls["restUrl"]! }

    public init(_ arguments: [String] = []) throws {
        try super.init(name: "0x", script: "zeroex-server.sh", arguments: arguments, required: ["restUrl"])
    }
}

/// The WebSocket front of Tests/Servers/evm_ws before a local EVM node (which speaks HTTP only): `eth_subscribe`
/// ("newHeads") as geth serves it, one notification per new block of the node. `control("/control/fault",
/// ["type": "drop" | "silence" | "malformed" | "refuse" | "clear"])` injects a fault; `read("/control/state")` tells
/// connections, subscriptions and notifications sent.
public final class LocalEVMHeads: LocalServer, @unchecked Sendable {
    public var wsURL: String { urls["wsUrl"]! }

    public init(nodeURL: String) throws {
        try super.init(name: "EVM WebSocket front", script: "evm-ws-server.sh", arguments: ["--node-url", nodeURL],
                       required: ["wsUrl"])
    }
}
