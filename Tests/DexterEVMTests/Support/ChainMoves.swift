import BigInt
import DexterCrypto
import DexterEVM

/// Transactions that move the scene's pools, sent with eth_sendTransaction from the deployer (an unlocked dev
/// account that holds the test tokens and the positions): swaps, mints and burns through the real contracts.
struct ChainMoves {
    let scene: UniswapScene
    var trader: String { scene.deployments.deployer }
    static let deadline = ABIValue.uint(BigUInt(1) << 40)
    static let unlimited = ABIValue.uint((BigUInt(1) << 256) - 1)

    func contract(_ role: String) throws -> String { try scene.deployments.contract(role) }

    func send(_ to: String, _ name: String, _ arguments: [(ABIType, ABIValue)], value: BigUInt = 0) async throws {
        let data = try ABI.call(name, arguments.map(\.0), arguments.map(\.1))
        try await scene.node.send(from: trader, to: to, data: data, value: Quantity.format(value))
    }

    func approve(_ token: EVMToken, _ spender: String) async throws {
        try await send(token.address.checksummed, "approve", [(.address, .address(try scene.address(spender))),
                                                               (.uint(bits: 256), Self.unlimited)])
    }

    /// Wraps `wei` of the trader's ETH into WETH.
    func wrap(_ wei: BigUInt) async throws { try await send(scene.weth.address.checksummed, "deposit", [], value: wei) }

    /// SwapRouter.exactInputSingle, no minimum out, no price limit.
    func swapV3(_ tokenIn: EVMToken, _ tokenOut: EVMToken, amountIn: BigUInt, fee: Int) async throws {
        let router = try contract("SwapRouter")
        try await approve(tokenIn, router)
        try await send(router, "exactInputSingle", [(
            .tuple([.address, .address, .uint(bits: 24), .address, .uint(bits: 256), .uint(bits: 256), .uint(bits: 256),
                    .uint(bits: 160)]),
            .tuple([.address(tokenIn.address), .address(tokenOut.address), .uint(BigUInt(fee)),
                    .address(try scene.address(trader)), Self.deadline, .uint(amountIn), .uint(0), .uint(0)])
        )])
    }

    func swapV3(usdcIn: BigUInt, fee: Int) async throws {
        try await swapV3(scene.usdc, scene.weth, amountIn: usdcIn, fee: fee)
    }

    /// Our V2 router's swapExactTokensForTokens, USDC → WETH.
    func swapV2(usdcIn: BigUInt) async throws {
        let router = try contract("UniswapV2Router")
        try await approve(scene.usdc, router)
        try await send(router, "swapExactTokensForTokens", [
            (.uint(bits: 256), .uint(usdcIn)), (.uint(bits: 256), .uint(0)),
            (.array(.address, count: nil), .array([.address(scene.usdc.address), .address(scene.weth.address)])),
            (.address, .address(try scene.address(trader))), (.uint(bits: 256), Self.deadline),
        ])
    }

    /// NonfungiblePositionManager.mint of a USDC/WETH position on the `fee` pool; its token id is the next one.
    func mintUSDCWETH(fee: Int, tickLower: Int, tickUpper: Int, usdc: BigUInt, weth: BigUInt) async throws {
        let manager = try contract("NonfungiblePositionManager")
        try await approve(scene.usdc, manager)
        try await approve(scene.weth, manager)
        try await send(manager, "mint", [(
            .tuple([.address, .address, .uint(bits: 24), .int(bits: 24), .int(bits: 24), .uint(bits: 256),
                    .uint(bits: 256), .uint(bits: 256), .uint(bits: 256), .address, .uint(bits: 256)]),
            .tuple([.address(scene.usdc.address), .address(scene.weth.address), .uint(BigUInt(fee)),
                    .int(BigInt(tickLower)), .int(BigInt(tickUpper)), .uint(usdc), .uint(weth), .uint(0), .uint(0),
                    .address(try scene.address(trader)), Self.deadline])
        )])
    }

    /// NonfungiblePositionManager.decreaseLiquidity: the pool burns `liquidity` of the position.
    func burn(tokenId: Int, liquidity: BigUInt) async throws {
        try await send(try contract("NonfungiblePositionManager"), "decreaseLiquidity", [(
            .tuple([.uint(bits: 256), .uint(bits: 128), .uint(bits: 256), .uint(bits: 256), .uint(bits: 256)]),
            .tuple([.uint(BigUInt(tokenId)), .uint(liquidity), .uint(0), .uint(0), Self.deadline])
        )])
    }
}
