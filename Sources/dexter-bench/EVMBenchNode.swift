import BigInt
import DexterCore
import DexterCrypto
import DexterEVM
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The local EVM node of ../shared/evm with its Uniswap deployment (scripts/evm-node.sh), started by the benchmark and
/// stopped at its end, and the scene moves it needs: swaps and mints sent with eth_sendTransaction from the node's
/// unlocked deployer, which holds the test tokens (as Tests/DexterEVMTests/Support/ChainMoves does; dexter-bench
/// cannot import a test target). `@unchecked Sendable`: every stored property is a `let` set in `init`; the process
/// is only terminated through `stop()`.
final class BenchEVMNode: @unchecked Sendable {
    let rpcURL: String
    let client: EVMRPCClient
    let deployer: EthereumAddress
    let contracts: [String: EthereumAddress]
    let tokens: [String: EthereumAddress]
    let v3Pools: [String: EthereumAddress]
    private let process: Process
    /// Where scripts/evm-node.sh keeps the node's pid, port and log (the folder of deployments.json).
    private let runFolder: String
    static let chainId: UInt64 = 31337
    static let deadline = ABIValue.uint(BigUInt(1) << 40)

    init() async throws {
        let root = BenchBinanceServer.root
        guard FileManager.default.isExecutableFile(atPath: root.appendingPathComponent(".venv-evm/bin/python").path) else {
            throw BenchError("evm: no .venv-evm in \(root.path): run scripts/evm-venv.sh once (it installs the local "
                             + "node's Python packages), then dexter-bench evm")
        }
        let process = Process()
        process.executableURL = root.appendingPathComponent("scripts/evm-node.sh")
        process.arguments = ["--chain-id", String(Self.chainId)]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        var line = Data()
        let handle = output.fileHandleForReading
        while true {
            let byte = handle.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        let printed = (try? JSONSerialization.jsonObject(with: line) as? [String: Any]) ?? [:]
        guard let url = printed["rpcUrl"] as? String, let path = printed["deployments"] as? String,
              let data = FileManager.default.contents(atPath: path),
              let deployed = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let deployer = deployed["deployer"] as? String,
              let contracts = deployed["contracts"] as? [String: String],
              let tokens = deployed["tokens"] as? [String: [String: Any]],
              let pools = deployed["v3Pools"] as? [String: [String: Any]] else {
            let path = printed["deployments"] as? String
            Self.end(process, runFolder: path.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path })
            throw BenchError("evm: the local EVM node did not start (scripts/evm-node.sh printed "
                             + "\(String(decoding: line, as: UTF8.self))); try scripts/evm-node.sh by hand")
        }
        rpcURL = url
        runFolder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        self.deployer = try EthereumAddress(parsing: deployer)
        self.contracts = try contracts.mapValues { try EthereumAddress(parsing: $0) }
        self.tokens = try Self.addresses(tokens)
        v3Pools = try Self.addresses(pools)
        client = try EVMRPCClient(chainId: Self.chainId, urls: [url])
        try await client.connect()
    }

    func stop() { Self.end(process, runFolder: runFolder) }

    private static func addresses(_ entries: [String: [String: Any]]) throws -> [String: EthereumAddress] {
        var addresses: [String: EthereumAddress] = [:]
        for (name, entry) in entries {
            if let text = entry["address"] as? String { addresses[name] = try EthereumAddress(parsing: text) }
        }
        return addresses
    }

    /// Stops the node by the pid its script wrote, with SIGKILL, then lets the script see it gone and clean up.
    /// SIGTERM does not do: a child of this process starts with the signal mask of the thread that spawned it, where
    /// SIGTERM is blocked, and so do the script's own children; a SIGTERM to the script or its node stays pending and
    /// the node outlives the benchmark.
    private static func end(_ process: Process, runFolder: String?) {
        if let runFolder, let text = try? String(contentsOfFile: runFolder + "/node.pid", encoding: .utf8),
           let node = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), node > 0 {
            kill(node, SIGKILL)
        }
        let pid = process.processIdentifier
        guard pid > 0 else { return }
        // The script polls its node every 0.5 s; once it is gone it removes the run folder and exits.
        for _ in 0..<250 where kill(pid, 0) == 0 && process.isRunning { usleep(20_000) }
        if process.isRunning { kill(pid, SIGKILL) }
    }

    func contract(_ role: String) throws -> EthereumAddress {
        guard let address = contracts[role] else { throw BenchError("evm: no \(role) in deployments.json") }
        return address
    }

    func token(_ symbol: String) throws -> EthereumAddress {
        guard let address = tokens[symbol] else { throw BenchError("evm: no token \(symbol) in deployments.json") }
        return address
    }

    /// eth_sendTransaction from the deployer (the node mines it at once), then its receipt; throws unless it
    /// succeeded. Returns the block number it was mined in and when eth_sendTransaction returned (monotonic ns).
    @discardableResult
    func send(to: EthereumAddress, _ name: String, _ arguments: [(ABIType, ABIValue)], value: BigUInt = 0)
        async throws -> (block: UInt64, minedAt: UInt64) {
        let data = try ABI.call(name, arguments.map(\.0), arguments.map(\.1))
        let hash = try await client.call("eth_sendTransaction", [[
            "from": .string(deployer.checksummed), "to": .string(to.checksummed), "data": .string(HexData.format(data)),
            "value": .string(Quantity.format(value)), "gas": .string(Quantity.format(3_000_000)),
        ]]).string()
        let minedAt = monotonicNanoseconds()
        let receipt = try await client.call("eth_getTransactionReceipt", [.string(hash)])
        guard try receipt.member("status").string() == "0x1" else { throw BenchError("evm: \(name) on \(to) reverted") }
        return (try receipt.member("blockNumber").uint64(), minedAt)
    }

    func approve(_ token: EthereumAddress, _ spender: EthereumAddress) async throws {
        try await send(to: token, "approve", [(.address, .address(spender)), (.uint(bits: 256), .uint((BigUInt(1) << 256) - 1))])
    }

    /// Our V2 router's swapExactTokensForTokens, no minimum out.
    func swapV2(_ tokenIn: EthereumAddress, _ tokenOut: EthereumAddress, amountIn: BigUInt)
        async throws -> (block: UInt64, minedAt: UInt64) {
        try await send(to: try contract("UniswapV2Router"), "swapExactTokensForTokens", [
            (.uint(bits: 256), .uint(amountIn)), (.uint(bits: 256), .uint(0)),
            (.array(.address, count: nil), .array([.address(tokenIn), .address(tokenOut)])),
            (.address, .address(deployer)), (.uint(bits: 256), Self.deadline),
        ])
    }

    /// NonfungiblePositionManager.mint of a token0/token1 position (token0 < token1 by address).
    func mint(token0: EthereumAddress, token1: EthereumAddress, fee: Int, tickLower: Int, tickUpper: Int,
              amount0: BigUInt, amount1: BigUInt) async throws {
        try await send(to: try contract("NonfungiblePositionManager"), "mint", [(
            .tuple([.address, .address, .uint(bits: 24), .int(bits: 24), .int(bits: 24), .uint(bits: 256),
                    .uint(bits: 256), .uint(bits: 256), .uint(bits: 256), .address, .uint(bits: 256)]),
            .tuple([.address(token0), .address(token1), .uint(BigUInt(fee)), .int(BigInt(tickLower)), .int(BigInt(tickUpper)),
                    .uint(amount0), .uint(amount1), .uint(0), .uint(0), .address(deployer), Self.deadline])
        )])
    }
}
