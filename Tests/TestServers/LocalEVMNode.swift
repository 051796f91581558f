import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The local EVM node of ../shared/evm (py-evm behind JSON-RPC, loopback only) with its Uniswap deployment, started
/// for a test by scripts/evm-node.sh and stopped with it. Offers the dev methods a test needs to set a scene:
/// evm_snapshot / evm_revert, evm_mine, and eth_sendTransaction from the node's unlocked dev accounts.
public final class LocalEVMNode: @unchecked Sendable {
    public let rpcURL: String
    public let chainId: Int
    /// What the deploy wrote: nil for a bare node (`bare: true`).
    public let deployments: EVMDeployments?
    private let process: Process
    /// The script's stdin: closing it is the stop request (a SIGTERM from a test process stays blocked, see
    /// scripts/evm-node.sh).
    private let control: Pipe
    /// The node's own pid, killed here only if the script had to be killed before it could.
    private let nodePid: pid_t
    private let errorLog: URL

    /// The shared folder the node lives in: `<root>/../shared`, or `$DEXTER_SHARED`.
    public static var sharedFolder: URL {
        if let override = ProcessInfo.processInfo.environment["DEXTER_SHARED"], !override.isEmpty {
            return URL(fileURLWithPath: override, isDirectory: true).standardizedFileURL
        }
        return LocalServer.root.deletingLastPathComponent().appendingPathComponent("shared", isDirectory: true)
    }

    /// Starts a node on chain `chainId`; `bare` skips the deployment (a node with dev accounts only).
    public init(chainId: Int = 31337, bare: Bool = false) throws {
        let evmFolder = Self.sharedFolder.appendingPathComponent("evm/uniswap")
        guard FileManager.default.fileExists(atPath: evmFolder.path) else {
            throw LocalServerError(description: "shared folder \(Self.sharedFolder.path) has no evm/uniswap: the local "
                                   + "EVM node and its Uniswap deployment live there (set DEXTER_SHARED to where it is)")
        }
        let process = Process()
        process.executableURL = LocalServer.root.appendingPathComponent("scripts/evm-node.sh")
        process.arguments = ["--chain-id", String(chainId)] + (bare ? ["--bare"] : [])
        let output = Pipe()
        errorLog = FileManager.default.temporaryDirectory.appendingPathComponent("dexter-evm-node-\(UUID()).log")
        _ = FileManager.default.createFile(atPath: errorLog.path, contents: nil)
        let control = Pipe()
        process.standardInput = control
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errorLog)
        try process.run()
        self.process = process
        self.control = control
        // One JSON line once the node answers (and the deploy is done).
        var line = Data()
        let handle = output.fileHandleForReading
        while true {
            let byte = handle.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        let printed = (try? JSONSerialization.jsonObject(with: line) as? [String: Any]) ?? [:]
        guard let url = printed["rpcUrl"] as? String, let deploymentsPath = printed["deployments"] as? String,
              let nodePid = printed["nodePid"] as? Int else {
            let log = (try? String(contentsOf: errorLog, encoding: .utf8)) ?? ""
            Self.end(process, control, node: nil)
            throw LocalServerError(description: "the local EVM node did not start: \(log.suffix(2000))")
        }
        rpcURL = url
        self.chainId = chainId
        self.nodePid = pid_t(nodePid)
        if deploymentsPath.isEmpty {
            deployments = nil
        } else {
            do {
                deployments = try JSONDecoder().decode(EVMDeployments.self,
                                                       from: Data(contentsOf: URL(fileURLWithPath: deploymentsPath)))
            } catch {
                Self.end(process, control, node: pid_t(nodePid))
                throw LocalServerError(description: "the node's deployments.json could not be read: \(error)")
            }
        }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: errorLog)
    }

    /// Stops the node: the script's stdin closes, the script kills the node by its pid and exits; waits for it.
    public func stop() { Self.end(process, control, node: nodePid) }

    private static func end(_ process: Process, _ control: Pipe, node: pid_t?) {
        guard process.isRunning else { return }
        try? control.fileHandleForWriting.close()
        // Polling: Foundation's waitUntilExit spins a run loop that hangs inside a Swift concurrency task.
        for _ in 0..<250 where process.isRunning { usleep(20_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            if let node { kill(node, SIGKILL) }
        }
    }

    // MARK: Raw JSON-RPC for setting a scene

    /// One JSON-RPC call; the node's error object becomes a thrown error.
    @discardableResult
    public func call(_ method: String, _ params: [Any] = []) async throws -> Any {
        var request = URLRequest(url: URL(string: rpcURL)!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: [
            "jsonrpc": "2.0", "id": 1, "method": method, "params": params,
        ] as [String: Any])
        let (data, _) = try await URLSession.shared.data(for: request)
        let answer = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        if let error = answer["error"] {
            throw LocalServerError(description: "\(method) failed on the local EVM node: \(error)")
        }
        return answer["result"] ?? NSNull()
    }

    /// evm_snapshot: the id to revert to.
    public func snapshot() async throws -> String {
        let id = try await call("evm_snapshot")
        guard let text = id as? String else { throw LocalServerError(description: "evm_snapshot answered \(id)") }
        return text
    }

    /// evm_revert to a snapshot: the chain drops every block after it (a reorg, as a client sees it).
    public func revert(to snapshot: String) async throws {
        let reverted = try await call("evm_revert", [snapshot])
        guard reverted as? Bool == true else { throw LocalServerError(description: "evm_revert(\(snapshot)) answered \(reverted)") }
    }

    /// Mines one empty block.
    public func mine() async throws { try await call("evm_mine") }

    /// eth_sendTransaction from an unlocked dev account; waits for the receipt (the node mines each transaction at
    /// once) and throws unless it succeeded. Returns the receipt.
    @discardableResult
    /// `value` in wei as a JSON-RPC QUANTITY ("0x0").
    public func send(from: String, to: String, data: [UInt8], value: String = "0x0", gas: UInt64 = 3_000_000)
        async throws -> [String: Any] {
        let hex = "0x" + data.map { String(format: "%02x", $0) }.joined()
        let hash = try await call("eth_sendTransaction", [[
            "from": from, "to": to, "data": hex, "value": value, "gas": "0x" + String(gas, radix: 16),
        ]])
        let receipt = try await call("eth_getTransactionReceipt", [hash])
        guard let fields = receipt as? [String: Any], fields["status"] as? String == "0x1" else {
            throw LocalServerError(description: "transaction to \(to) failed: \(receipt)")
        }
        return fields
    }
}

/// The addresses and parameters the Uniswap deploy writes to deployments.json (../shared/evm/uniswap/README.md).
/// Amounts are left out: a test reads them from the chain.
public struct EVMDeployments: Decodable, Sendable {
    public struct Token: Decodable, Sendable {
        public let address: String
        public let decimals: Int
    }

    public struct Pair: Decodable, Sendable {
        public let address: String
        public let token0: String
    }

    public struct Pool: Decodable, Sendable {
        public let address: String
        public let token0: String
        public let token1: String
        public let fee: Int
        public let tickSpacing: Int
        public let tick: Int
        public let liquidity: UInt64
    }

    public struct Position: Decodable, Sendable {
        public let pool: String
        public let tokenId: Int
        public let tickLower: Int
        public let tickUpper: Int
        public let liquidity: UInt64
    }

    public let chainId: Int
    public let deployer: String
    /// By role: "UniswapV3Factory", "QuoterV2", "UniswapV2Router", "SushiV2Factory"…
    public let contracts: [String: String]
    /// By symbol: "WETH", "USDC", "USDT", "WBTC".
    public let tokens: [String: Token]
    /// Our Vyper V2 pairs and the Sushi pair, by "WETH/USDC".
    public let v2Pairs: [String: Pair]
    public let sushiV2Pairs: [String: Pair]
    /// By "WETH/USDC 0.05%".
    public let v3Pools: [String: Pool]
    public let v3Positions: [Position]
    public let blockNumber: Int
    public let initCodeHashes: [String: String]

    public func contract(_ role: String) throws -> String {
        guard let address = contracts[role] else { throw LocalServerError(description: "no \(role) in deployments.json") }
        return address
    }

    public func token(_ symbol: String) throws -> Token {
        guard let token = tokens[symbol] else { throw LocalServerError(description: "no token \(symbol) in deployments.json") }
        return token
    }

    public func pool(_ name: String) throws -> Pool {
        guard let pool = v3Pools[name] else { throw LocalServerError(description: "no V3 pool \(name) in deployments.json") }
        return pool
    }
}
