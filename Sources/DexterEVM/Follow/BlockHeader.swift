import BigInt

/// The fields of a block that tell whether the chain dexter followed is still the canonical one.
public struct BlockHeader: Sendable, Hashable {
    public let number: UInt64
    public let hash: [UInt8]
    public let parentHash: [UInt8]
    /// Unix seconds; nil when not read (a Curve pool ramping A is re-read every block until its ramp's end).
    public let timestamp: UInt64?

    public init(number: UInt64, hash: [UInt8], parentHash: [UInt8], timestamp: UInt64? = nil) {
        self.number = number
        self.hash = hash
        self.parentHash = parentHash
        self.timestamp = timestamp
    }

    /// From `eth_getBlockByNumber(…, false)`; a null result (no such block) is malformed here.
    public init(_ result: RPCResult) throws(EVMRPCError) {
        guard !result.isNull else { throw result.malformed("null: no such block") }
        number = try result.member("number").uint64()
        hash = try result.member("hash").data(count: 32)
        parentHash = try result.member("parentHash").data(count: 32)
        timestamp = try result.optionalMember("timestamp")?.uint64()
    }

    static func request(_ block: UInt64?) -> RPCCall {
        RPCCall("eth_getBlockByNumber", [block.map { .string(Quantity.format(BigUInt($0))) } ?? "latest", false])
    }
}
