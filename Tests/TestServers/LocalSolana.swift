import Foundation

/// The local Solana node of Tests/Servers/solana (LiteSVM from `solders` behind the documented JSON-RPC and PubSub),
/// started for a test and stopped with it. `slotMilliseconds` 0: slots move only when the test advances them.
public final class LocalSolanaRuntime: LocalServer, @unchecked Sendable {
    public var rpcURL: String { urls["rpcUrl"]! }
    public var wsURL: String { urls["wsUrl"]! }

    public init(slotMilliseconds: Int = 0) throws {
        try super.init(name: "Solana node", script: "solana-node.sh",
                       arguments: ["--slot-ms", String(slotMilliseconds)], required: ["rpcUrl", "wsUrl"])
    }

    /// Produces `slots` blocks (some slots are skipped, as on a cluster); returns the node's state after.
    @discardableResult
    public func advance(_ slots: Int) async throws -> [String: Any] {
        try await control("/control/advance", ["slots": slots]) as? [String: Any] ?? [:]
    }

    /// The node's own account of itself: slot, blockHeight, blockhash, lastValidBlockHeight, confirmedSlot…
    public func state() async throws -> [String: Any] {
        try await read("/control/state") as? [String: Any] ?? [:]
    }

    /// A new SPL mint (classic SPL Token unless `program` says spl-token-2022); returns its address.
    public func createMint(decimals: Int, program: String = "spl-token") async throws -> String {
        let answer = try await control("/control/mint", ["decimals": decimals, "program": program]) as? [String: Any]
        guard let mint = answer?["mint"] as? String else {
            throw LocalServerError(description: "the Solana node did not make a mint: \(String(describing: answer))")
        }
        return mint
    }

    /// Sets `owner`'s associated token account of `mint` to exactly `amount` base units; returns its address.
    public func setTokenAccount(mint: String, owner: String, amount: UInt64) async throws -> String {
        let answer = try await control("/control/token-account", ["mint": mint, "owner": owner, "amount": amount])
            as? [String: Any]
        guard let address = answer?["address"] as? String else {
            throw LocalServerError(description: "the Solana node did not set the token account: \(String(describing: answer))")
        }
        return address
    }

    /// Writes the account exactly as given (`owner` a program id, `data` its raw bytes); subscribers hear of it.
    public func setAccount(pubkey: String, lamports: UInt64 = 1_000_000_000, owner: String, data: [UInt8]) async throws {
        try await control("/control/account", ["pubkey": pubkey, "lamports": lamports, "owner": owner,
                                               "data": Data(data).base64EncodedString()])
    }

    /// Lamports from the node's faucet, landed at once.
    public func airdrop(_ pubkey: String, lamports: UInt64) async throws {
        try await control("/control/airdrop", ["pubkey": pubkey, "lamports": lamports])
    }

    /// A fault for the next requests (`solana/faults.py`): rate_limit, http_error, hang, drop (with `count`, `method`),
    /// down (`seconds`), behind (`slots`), ws_close, clear.
    public func fault(_ type: String, _ options: [String: Any] = [:]) async throws {
        try await control("/control/fault", options.merging(["type": type]) { _, new in new })
    }
}

/// The local Jupiter Swap API server of Tests/Servers/jupiter, whose swap transactions execute on `node`.
public final class LocalJupiter: LocalServer, @unchecked Sendable {
    /// `GET \(restURL)/swap/v1/quote`, `POST \(restURL)/swap/v1/swap`.
    public var restURL: String { urls["restUrl"]! }

    public init(node: LocalSolanaRuntime) throws {
        try super.init(name: "Jupiter", script: "jupiter-server.sh",
                       arguments: ["--rpc-url", node.rpcURL, "--node-control-url", node.controlURL],
                       required: ["restUrl"])
    }
}
