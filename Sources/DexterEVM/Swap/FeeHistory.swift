import BigInt

/// The answer of `eth_feeHistory(blockCount, newestBlock, rewardPercentiles)` (execution-apis `eth/fee_market.yaml`):
/// `baseFeePerGas` has one entry per block of the window plus one more, the base fee of the block after the newest,
/// which the node computed; `reward[i][j]` is block i's effective priority fee at the j-th requested percentile.
public struct FeeHistory: Sendable, Hashable, Decodable {
    public let oldestBlock: BigUInt
    public let baseFeePerGas: [BigUInt]
    /// Floats in the wire format: shown, never used for money.
    public let gasUsedRatio: [Double]
    /// Empty when no percentiles were requested.
    public let reward: [[BigUInt]]

    public init(oldestBlock: BigUInt, baseFeePerGas: [BigUInt], gasUsedRatio: [Double], reward: [[BigUInt]]) {
        self.oldestBlock = oldestBlock
        self.baseFeePerGas = baseFeePerGas
        self.gasUsedRatio = gasUsedRatio
        self.reward = reward
    }

    /// The node's own figure for the next block's base fee: the last entry of `baseFeePerGas`.
    public var nodeNextBaseFee: BigUInt? { baseFeePerGas.last }

    enum CodingKeys: String, CodingKey { case oldestBlock, baseFeePerGas, gasUsedRatio, reward }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func quantity(_ text: String, _ key: CodingKeys) throws -> BigUInt {
            do { return try Quantity.parse(text) } catch {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: error.description)
            }
        }
        oldestBlock = try quantity(try container.decode(String.self, forKey: .oldestBlock), .oldestBlock)
        baseFeePerGas = try container.decode([String].self, forKey: .baseFeePerGas).map { try quantity($0, .baseFeePerGas) }
        gasUsedRatio = try container.decode([Double].self, forKey: .gasUsedRatio)
        reward = try (container.decodeIfPresent([[String]].self, forKey: .reward) ?? [])
            .map { try $0.map { try quantity($0, .reward) } }
        guard baseFeePerGas.count == gasUsedRatio.count + 1 else {
            throw DecodingError.dataCorruptedError(forKey: .baseFeePerGas, in: container, debugDescription:
                "\(baseFeePerGas.count) base fees for \(gasUsedRatio.count) blocks (expected one more than the blocks)")
        }
        guard reward.isEmpty || reward.count == gasUsedRatio.count else {
            throw DecodingError.dataCorruptedError(forKey: .reward, in: container, debugDescription:
                "\(reward.count) reward rows for \(gasUsedRatio.count) blocks")
        }
    }
}

/// EIP-1559's base fee rule, in integers as the EIP writes it.
public enum BaseFeeRule {
    public static let elasticityMultiplier: BigUInt = 2
    public static let maxChangeDenominator: BigUInt = 8

    /// The base fee of the block after `parent`, from the parent's base fee, gas used and gas limit.
    public static func next(parentBaseFee: BigUInt, parentGasUsed: BigUInt, parentGasLimit: BigUInt) -> BigUInt {
        let target = parentGasLimit / elasticityMultiplier
        // A gas limit below 2 has no target; the EIP's division would fail. No real chain has one: keep the fee.
        guard target > 0, parentGasUsed != target else { return parentBaseFee }
        if parentGasUsed > target {
            let delta = parentBaseFee * (parentGasUsed - target) / target / maxChangeDenominator
            return parentBaseFee + max(delta, 1)
        }
        return parentBaseFee - parentBaseFee * (target - parentGasUsed) / target / maxChangeDenominator
    }
}
