import BigInt
import DexterCrypto
import DexterEVM
import Foundation
import Testing

/// TransferFill reads what an aggregator's swap moved from the receipt's ERC-20 Transfer logs: a real receipt of the
/// local node (a V2 router swap of 1,000 USDC for WETH by the deployer, Tests/EVMFixtures/rpc — also the fuzz seeds
/// of `transferLogs`), and the logs it must not count.
struct TransferFillTests {
    static let usdc = try! EthereumAddress(parsing: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0")
    static let weth = try! EthereumAddress(parsing: "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9")
    static let deployer = try! EthereumAddress(parsing: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")

    func receipt() throws -> TransactionReceipt {
        let node = "http://127.0.0.1:8545"
        let bytes = Array(try Data(contentsOf: RPCFixtureTests.folder.appendingPathComponent("single-receipt-v2-swap.json")))
        let asked = RPCAnswer.Asked(id: 1, method: "eth_getTransactionReceipt")
        return try TransactionReceipt(RPCResult(value: try RPCAnswer.single(bytes, asked: asked, endpoint: node),
                                                method: asked.method, endpoint: node))
    }

    @Test func theWalletsTransfersOfBothTokensAreTheFill() throws {
        let receipt = try receipt()
        #expect(receipt.succeeded && receipt.logs.count == 4)
        let fill = TransferFill(receipt.logs, tokenIn: Self.usdc, tokenOut: Self.weth, wallet: Self.deployer)
        #expect(fill.amountIn == 1_000_000_000 && fill.amountOut == 332_222_924_581_397_448)
        // Another wallet moved nothing; the tokens the other way round match no transfer.
        let other = try EthereumAddress(parsing: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
        let nobody = TransferFill(receipt.logs, tokenIn: Self.usdc, tokenOut: Self.weth, wallet: other)
        #expect(nobody.amountIn == 0 && nobody.amountOut == 0)
        let reversed = TransferFill(receipt.logs, tokenIn: Self.weth, tokenOut: Self.usdc, wallet: Self.deployer)
        #expect(reversed.amountIn == 0 && reversed.amountOut == 0)
    }
}
