// Fuzz target: a transaction receipt as the node answers eth_getTransactionReceipt (RPCAnswer.single, then
// TransactionReceipt), and its logs read as an aggregator swap's fill (TransferFill: the ERC-20 Transfer logs of two
// tokens from and to a wallet). Built and run by scripts/fuzz.sh; see docs/fuzzing.md. Seeds: real answers of the local
// node (Tests/EVMFixtures/rpc), a V2 router swap's receipt among them.
@testable import DexterWire
import Foundation

let usdc = try! EthereumAddress(parsing: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0")
let weth = try! EthereumAddress(parsing: "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9")
let wallet = try! EthereumAddress(parsing: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let node = "http://127.0.0.1:8545"
    let asked = RPCAnswer.Asked(id: 1, method: "eth_getTransactionReceipt")
    guard let value = try? RPCAnswer.single(bytes, asked: asked, endpoint: node),
          let receipt = try? TransactionReceipt(RPCResult(value: value, method: asked.method, endpoint: node)) else {
        return 0
    }
    let fill = TransferFill(receipt.logs, tokenIn: usdc, tokenOut: weth, wallet: wallet)
    // Each Transfer log counts once at most, in one of the two amounts.
    let moved = receipt.logs.filter { $0.topics.count == 3 && $0.topics[0] == TransferFill.topic && $0.data.count == 32 }
        .reduce(BigUInt(0)) { $0 + BigUInt(Data($1.data)) }
    precondition(fill.amountIn + fill.amountOut <= moved, "a fill larger than every transfer of the receipt")
    _ = receipt.feePaidWei
    return 0
}
