import DexterCrypto

/// A token as config names it: the address, and its symbol for messages.
public struct EVMToken: Sendable, Hashable, CustomStringConvertible {
    public let symbol: String
    public let address: EthereumAddress

    public init(_ symbol: String, _ address: EthereumAddress) {
        self.symbol = symbol
        self.address = address
    }

    public var description: String { symbol }

    /// The pair's order on chain: token0 is the lower address (UniswapV2Library.sortTokens, PoolAddress.getPoolKey).
    public static func sorted(_ a: EVMToken, _ b: EVMToken) -> (EVMToken, EVMToken) {
        a.address.bytes.lexicographicallyPrecedes(b.address.bytes) ? (a, b) : (b, a)
    }
}

/// A Uniswap V3 deployment (Uniswap's own, PancakeSwap V3…): its factory, its quoter, and the init code hash of its
/// pool, from which every pool's address follows (PoolAddress.computeAddress).
public struct UniswapV3Deployment: Sendable, Hashable {
    public let name: String
    public let factory: EthereumAddress
    public let quoter: EthereumAddress?
    /// What CREATE2-deploys the pools: the factory itself for Uniswap, a separate deployer for PancakeSwap V3.
    public let poolDeployer: EthereumAddress
    public let poolInitCodeHash: [UInt8]

    /// Uniswap V3's POOL_INIT_CODE_HASH (v3-periphery PoolAddress.sol): keccak256 of UniswapV3Pool's creation code.
    public static let uniswapPoolInitCodeHash = try! Hex.decode(
        "0xe34f199b19b2b4f47f68442619d555527d244f78a3297ea89325f843f87b8b54")

    public init(name: String, factory: EthereumAddress, quoter: EthereumAddress?, poolDeployer: EthereumAddress? = nil,
                poolInitCodeHash: [UInt8] = Self.uniswapPoolInitCodeHash) {
        precondition(poolInitCodeHash.count == 32, "an init code hash is 32 bytes")
        self.name = name
        self.factory = factory
        self.quoter = quoter
        self.poolDeployer = poolDeployer ?? factory
        self.poolInitCodeHash = poolInitCodeHash
    }
}

/// A Uniswap V2 deployment or fork: its factory, router, LP fee, and how a pair's address is checked.
public struct UniswapV2Deployment: Sendable, Hashable {
    /// How the factory's `getPair` answer is checked.
    public enum PairAddressCheck: Sendable, Hashable {
        /// CREATE2 with the pair's init code hash (UniswapV2Library.pairFor): Uniswap V2 0x96e8ac42…, SushiSwap
        /// 0xe18a34eb…, or a factory's own `pairCodeHash()`.
        case create2(initCodeHash: [UInt8])
        /// No CREATE2 check is possible, and why: a factory that deploys pairs another way (a Vyper factory's
        /// `create_from_blueprint` puts them at CREATE addresses) is trusted for its `getPair` alone.
        case factoryOnly(why: String)
    }

    public let name: String
    public let factory: EthereumAddress
    public let router: EthereumAddress?
    public let pairAddressCheck: PairAddressCheck
    /// The LP fee: 30 bps for Uniswap V2 and SushiSwap, 25 for PancakeSwap V2.
    public let feeBps: Int

    public init(name: String, factory: EthereumAddress, router: EthereumAddress?, pairAddressCheck: PairAddressCheck,
                feeBps: Int = 30) {
        self.name = name
        self.factory = factory
        self.router = router
        self.pairAddressCheck = pairAddressCheck
        self.feeBps = feeBps
    }
}

/// CREATE2 addresses (EIP-1014): keccak256(0xff ‖ deployer ‖ salt ‖ keccak256(init code))[12…].
public enum Create2 {
    public static func address(deployer: EthereumAddress, salt: [UInt8], initCodeHash: [UInt8]) -> EthereumAddress {
        EthereumAddress(bytes: Array(Keccak256.hash([0xff] + deployer.bytes + salt + initCodeHash).suffix(20)))
    }

    /// A V3 pool: salt = keccak256(abi.encode(token0, token1, fee)); `factory` is whatever deploys the pools.
    public static func v3Pool(factory: EthereumAddress, token0: EthereumAddress, token1: EthereumAddress, fee: Int,
                              initCodeHash: [UInt8]) -> EthereumAddress {
        let encoded = try! ABI.encode([.address(token0), .address(token1), .uint(.init(fee))],
                                      as: [.address, .address, .uint(bits: 24)])
        return address(deployer: factory, salt: Keccak256.hash(encoded), initCodeHash: initCodeHash)
    }

    /// A V2 pair: salt = keccak256(abi.encodePacked(token0, token1)).
    public static func v2Pair(factory: EthereumAddress, token0: EthereumAddress, token1: EthereumAddress,
                              initCodeHash: [UInt8]) -> EthereumAddress {
        address(deployer: factory, salt: Keccak256.hash(token0.bytes + token1.bytes), initCodeHash: initCodeHash)
    }
}
