/// One JSON-RPC request: a method and its positional parameters.
public struct RPCCall: Sendable, Hashable {
    public let method: String
    public let params: [JSONValue]

    public init(_ method: String, _ params: [JSONValue] = []) {
        self.method = method
        self.params = params
    }

    /// Whether the request may be sent again to another URL after no answer came: only reads, which change nothing
    /// however often a node runs them. A transaction sent once and timed out may be in the mempool; sending it
    /// elsewhere is the caller's decision, made knowing that (so unknown methods count as unsafe).
    public var isSafeToResend: Bool { Self.reads.contains(method) }

    static let reads: Set<String> = [
        "eth_chainId", "net_version", "web3_clientVersion", "eth_syncing", "eth_blockNumber", "eth_gasPrice",
        "eth_maxPriorityFeePerGas", "eth_feeHistory", "eth_blobBaseFee", "eth_getBalance", "eth_getCode",
        "eth_getStorageAt", "eth_getTransactionCount", "eth_call", "eth_estimateGas", "eth_createAccessList",
        "eth_getLogs", "eth_getBlockByNumber", "eth_getBlockByHash", "eth_getBlockReceipts",
        "eth_getBlockTransactionCountByNumber", "eth_getBlockTransactionCountByHash", "eth_getTransactionByHash",
        "eth_getTransactionReceipt", "eth_getProof", "eth_accounts",
    ]

    /// The request object with `id`, as JSON text.
    func encoded(id: Int) -> JSONValue {
        ["jsonrpc": "2.0", "id": .number(String(id)), "method": .string(method), "params": .array(params)]
    }
}
