import BigInt
import DexterCrypto

/// A log as `eth_getLogs` gives it (execution-apis "Log"), read strictly.
public struct ChainLog: Sendable, Hashable {
    public let address: EthereumAddress
    public let topics: [[UInt8]]
    public let data: [UInt8]
    public let blockNumber: UInt64
    public let blockHash: [UInt8]
    public let logIndex: UInt64
    /// True when the log's block left the canonical chain (a reorg seen by a filter).
    public let removed: Bool

    public init(_ result: RPCResult) throws(EVMRPCError) {
        address = try result.member("address").address()
        topics = try result.member("topics").elements().map { topic throws(EVMRPCError) in try topic.data(count: 32) }
        data = try result.member("data").data()
        blockNumber = try result.member("blockNumber").uint64()
        blockHash = try result.member("blockHash").data(count: 32)
        logIndex = try result.member("logIndex").uint64()
        removed = try result.optionalMember("removed")?.bool() ?? false
    }
}

/// The pool events that change the state dexter keeps: V3 Swap, Mint and Burn (UniswapV3Pool's events), V2 Sync.
public enum PoolEvent: Sendable, Hashable {
    /// The pool's price, active liquidity and tick after a swap.
    case v3Swap(sqrtPriceX96: BigUInt, liquidity: BigUInt, tick: Int)
    /// Liquidity added to (Mint) or removed from (Burn) the range [tickLower, tickUpper).
    case v3Mint(tickLower: Int, tickUpper: Int, amount: BigUInt)
    case v3Burn(tickLower: Int, tickUpper: Int, amount: BigUInt)
    /// A V2 pair's reserves after any change.
    case v2Sync(reserve0: BigUInt, reserve1: BigUInt)

    public static let v3SwapTopic = Keccak256.hash(Array("Swap(address,address,int256,int256,uint160,uint128,int24)".utf8))
    public static let v3MintTopic = Keccak256.hash(Array("Mint(address,address,int24,int24,uint128,uint256,uint256)".utf8))
    public static let v3BurnTopic = Keccak256.hash(Array("Burn(address,int24,int24,uint128,uint256,uint256)".utf8))
    public static let v2SyncTopic = Keccak256.hash(Array("Sync(uint112,uint112)".utf8))
    public static let topics = [v3SwapTopic, v3MintTopic, v3BurnTopic, v2SyncTopic]

    /// A log of one of these events whose topics or data are not the event's.
    public struct Undecodable: Error, Sendable, Hashable, CustomStringConvertible {
        public let event: String
        public let problem: String
        public var description: String { "a \(event) log that does not decode: \(problem)" }
    }

    /// The event a log carries; nil for another event. A log of one of these events that does not decode as the
    /// event is refused: its pool's state can no longer be trusted.
    public static func decode(_ log: ChainLog) throws(Undecodable) -> PoolEvent? {
        guard let topic = log.topics.first else { return nil }
        let event = switch topic {
        case v3SwapTopic: "Swap"
        case v3MintTopic: "Mint"
        case v3BurnTopic: "Burn"
        case v2SyncTopic: "Sync"
        default: ""
        }
        guard !event.isEmpty else { return nil }
        func values(_ bytes: [UInt8], _ types: [ABIType]) throws(Undecodable) -> [ABIValue] {
            do { return try ABI.decode(bytes, as: types) } catch { throw Undecodable(event: event, problem: error.description) }
        }
        func uint(_ value: ABIValue) -> BigUInt { if case .uint(let number) = value { number } else { 0 } }
        func int(_ value: ABIValue) -> Int { if case .int(let number) = value { Int(number) } else { 0 } }
        func tick(_ index: Int) throws(Undecodable) -> Int {
            guard index < log.topics.count else { throw Undecodable(event: event, problem: "topic \(index) missing") }
            return int(try values(log.topics[index], [.int(bits: 24)])[0])
        }
        switch topic {
        case v3SwapTopic:
            let data = try values(log.data, [.int(bits: 256), .int(bits: 256), .uint(bits: 160), .uint(bits: 128), .int(bits: 24)])
            return .v3Swap(sqrtPriceX96: uint(data[2]), liquidity: uint(data[3]), tick: int(data[4]))
        case v3MintTopic:
            let data = try values(log.data, [.address, .uint(bits: 128), .uint(bits: 256), .uint(bits: 256)])
            return .v3Mint(tickLower: try tick(2), tickUpper: try tick(3), amount: uint(data[1]))
        case v3BurnTopic:
            let data = try values(log.data, [.uint(bits: 128), .uint(bits: 256), .uint(bits: 256)])
            return .v3Burn(tickLower: try tick(2), tickUpper: try tick(3), amount: uint(data[0]))
        default:
            let data = try values(log.data, [.uint(bits: 112), .uint(bits: 112)])
            return .v2Sync(reserve0: uint(data[0]), reserve1: uint(data[1]))
        }
    }
}
