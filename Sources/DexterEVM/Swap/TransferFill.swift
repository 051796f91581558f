import BigInt
import DexterCrypto
import Foundation

/// What an aggregator's swap moved, from the receipt's ERC-20 `Transfer(address indexed from, address indexed to,
/// uint256 value)` logs: every transfer of the sold token out of the wallet, and of the bought token into it. An
/// aggregator's route may cross any pools, so no one pool's Swap log tells the fill.
public struct TransferFill: Sendable, Hashable {
    public let amountIn: BigUInt
    public let amountOut: BigUInt

    public static let topic = Keccak256.hash(Array("Transfer(address,address,uint256)".utf8))

    public init(_ logs: [ReceiptLog], tokenIn: EthereumAddress, tokenOut: EthereumAddress, wallet: EthereumAddress) {
        var paid: BigUInt = 0, received: BigUInt = 0
        let walletWord = [UInt8](repeating: 0, count: 12) + wallet.bytes
        for log in logs where log.topics.count == 3 && log.topics[0] == Self.topic && log.data.count == 32 {
            let value = BigUInt(Data(log.data))
            if log.address == tokenIn && log.topics[1] == walletWord { paid += value }
            if log.address == tokenOut && log.topics[2] == walletWord { received += value }
        }
        amountIn = paid
        amountOut = received
    }
}
