import BigInt
import DexterCrypto
import DexterMarket
import Foundation
import TestServers
import Testing

@testable import DexterSolana

/// The vectors' real pool accounts (../shared/vectors/solana: whirlpool_swaps.json, raydium_cpmm_swaps.json), as the
/// local node is given them and as the desk's market should read them.
enum SolanaPoolFixtures {
    static let tokenProgram = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"

    /// One Whirlpool case: the pool account before the swap, and every tick array of its pool the vectors hold.
    struct Whirlpool {
        let address: SolanaPublicKey
        let data: [UInt8]
        let state: WhirlpoolState
        let mintA: SolanaPublicKey, mintB: SolanaPublicKey
        let decimalsA: Int, decimalsB: Int
        /// Start index → (address, bytes).
        let arrays: [Int: (address: String, data: [UInt8])]
        /// (tick, liquidity_net) of every initialized tick of the pool, as the vectors list them.
        let initializedTicks: [(tick: Int, net: BigInt)]
        /// The whole case: its swap and the program's result.
        let vector: [String: Any]

        /// Cases of `pool` in file order.
        static func cases(_ pool: String) throws -> [Whirlpool] {
            let file = try SolanaVectors.json("whirlpool_swaps.json")
            let images = try #require(file["tick_array_data"] as? [String: String])
            let cases = try #require(file["cases"] as? [[String: Any]]).filter { $0["pool"] as? String == pool }
            let info = try #require((file["pools"] as? [[String: Any]])?.first { $0["name"] as? String == pool })
            var arrays: [Int: (address: String, data: [UInt8])] = [:]
            for entry in try #require(info["initialized_tick_arrays"] as? [[String: Any]]) {
                let start = try #require(entry["start_tick_index"] as? Int)
                // Any case's image of the array: liquidity_net and initialized are the same in all of them.
                let hashes = cases.flatMap { $0["tick_arrays"] as? [[String: Any]] ?? [] }
                    .filter { $0["start_tick_index"] as? Int == start }.compactMap { $0["data_sha256"] as? String }
                let hash = try #require(hashes.first, "no image of tick array \(start)")
                arrays[start] = (try #require(entry["address"] as? String), try SolanaVectors.bytes(images[hash], hash))
            }
            let ticks = try #require(info["initialized_ticks"] as? [[String: Any]]).map { entry in
                (tick: try #require(entry["tick"] as? Int),
                 net: try #require((entry["liquidity_net"] as? String).flatMap { BigInt($0) }))
            }
            return try cases.map { vector in
                let account = try #require(vector["whirlpool"] as? [String: Any])
                let data = try SolanaVectors.bytes(account["data"], "whirlpool")
                return Whirlpool(
                    address: try SolanaPublicKey(base58: try #require(account["address"] as? String)), data: data,
                    state: try WhirlpoolState(decoding: data),
                    mintA: try SolanaPublicKey(base58: try #require(info["token_mint_a"] as? String)),
                    mintB: try SolanaPublicKey(base58: try #require(info["token_mint_b"] as? String)),
                    decimalsA: try SolanaVectors.integer(info["decimals_a"], "decimals_a"),
                    decimalsB: try SolanaVectors.integer(info["decimals_b"], "decimals_b"),
                    arrays: arrays, initializedTicks: ticks, vector: vector)
            }
        }

        /// The mints, the pool and its tick arrays, owned as on mainnet.
        func write(to node: LocalSolanaRuntime) async throws {
            try await node.setAccount(pubkey: mintA.description, owner: tokenProgram, data: mint(decimals: decimalsA))
            try await node.setAccount(pubkey: mintB.description, owner: tokenProgram, data: mint(decimals: decimalsB))
            for (_, array) in arrays {
                try await node.setAccount(pubkey: array.address, owner: SolanaPoolKind.whirlpool.program.description,
                                          data: array.data)
            }
            try await writePool(to: node)
        }

        func writePool(to node: LocalSolanaRuntime) async throws {
            try await node.setAccount(pubkey: address.description, owner: SolanaPoolKind.whirlpool.program.description, data: data)
        }

        /// What the desk should hold: the vectors' own numbers, over the five arrays around the price.
        func expected(baseIsA: Bool) -> ConcentratedPool {
            let span = 88 * Int(state.tickSpacing), tick = Int(state.tickCurrentIndex)
            let holding = tick - ((tick % span) + span) % span
            let known = (holding - 2 * span)...(holding + 3 * span - 1)
            return ConcentratedPool(
                sqrtPriceX96: BigUInt(state.sqrtPrice) << 32, tick: tick, liquidity: BigUInt(state.liquidity),
                ticks: initializedTicks.filter { known.contains($0.tick) }.map { InitializedTick(tick: $0.tick, liquidityNet: $0.net) },
                tickSpacing: Int(state.tickSpacing), feePips: Int(state.feeRate),
                baseDecimals: baseIsA ? decimalsA : decimalsB, quoteDecimals: baseIsA ? decimalsB : decimalsA,
                baseIsToken0: baseIsA, knownTicks: known)
        }
    }

    /// One CPMM case: pool state, its AmmConfig, the vault balances.
    struct CPMM {
        let address: SolanaPublicKey
        let poolData: [UInt8], configAddress: String, configData: [UInt8]
        let pool: RaydiumCPMMPool
        let vault0: UInt64, vault1: UInt64
        let tradeFeeRate: Int
        var vector: [String: Any] = [:]

        static func cases(_ name: String) throws -> [CPMM] {
            let file = try SolanaVectors.json("raydium_cpmm_swaps.json")
            let configs = try #require(file["amm_configs"] as? [[String: Any]])
            return try #require(file["cases"] as? [[String: Any]]).filter { $0["pool"] as? String == name }.map { vector in
                let state = try #require(vector["pool_state"] as? [String: Any])
                let config = try #require(vector["amm_config"] as? [String: Any])
                let configAddress = try #require(config["address"] as? String)
                let data = try SolanaVectors.bytes(state["data"], "pool_state")
                return CPMM(address: try SolanaPublicKey(base58: try #require(state["address"] as? String)), poolData: data,
                            configAddress: configAddress, configData: try SolanaVectors.bytes(config["data"], "amm_config"),
                            pool: try RaydiumCPMMPool(decoding: data),
                            vault0: try SolanaVectors.integer(vector["vault_0_amount"], "vault_0_amount"),
                            vault1: try SolanaVectors.integer(vector["vault_1_amount"], "vault_1_amount"),
                            tradeFeeRate: try #require(configs.first { $0["address"] as? String == configAddress }?["trade_fee_rate"] as? Int),
                            vector: vector)
            }
        }

        func write(to node: LocalSolanaRuntime) async throws {
            let program = SolanaPoolKind.raydiumCPMM.program.description
            try await node.setAccount(pubkey: configAddress, owner: program, data: configData)
            try await writeVaults(to: node)
            try await node.setAccount(pubkey: address.description, owner: program, data: poolData)
        }

        func writeVaults(to node: LocalSolanaRuntime) async throws {
            try await node.setAccount(pubkey: pool.token0Vault.description, owner: tokenProgram,
                                      data: tokenAccount(mint: pool.token0Mint, owner: address, amount: vault0))
            try await node.setAccount(pubkey: pool.token1Vault.description, owner: tokenProgram,
                                      data: tokenAccount(mint: pool.token1Mint, owner: address, amount: vault1))
        }

        func expected(baseIsToken0: Bool) -> ConstantProductPool {
            let reserve0 = vault0 - pool.protocolFeesToken0 - pool.fundFeesToken0
            let reserve1 = vault1 - pool.protocolFeesToken1 - pool.fundFeesToken1
            let decimals0 = Int(pool.mint0Decimals), decimals1 = Int(pool.mint1Decimals)
            return baseIsToken0
                ? ConstantProductPool(reserveBase: BigUInt(reserve0), reserveQuote: BigUInt(reserve1), feeBps: tradeFeeRate / 100,
                                      baseDecimals: decimals0, quoteDecimals: decimals1)
                : ConstantProductPool(reserveBase: BigUInt(reserve1), reserveQuote: BigUInt(reserve0), feeBps: tradeFeeRate / 100,
                                      baseDecimals: decimals1, quoteDecimals: decimals0)
        }
    }

    /// An initialized SPL mint: no authorities, supply 0.
    static func mint(decimals: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 82)
        bytes[44] = UInt8(decimals)
        bytes[45] = 1
        return bytes
    }

    /// An initialized SPL token account (165 bytes): mint, owner, amount, state Initialized.
    static func tokenAccount(mint: SolanaPublicKey, owner: SolanaPublicKey, amount: UInt64) -> [UInt8] {
        var bytes = mint.bytes + owner.bytes + withUnsafeBytes(of: amount.littleEndian) { Array($0) }
        bytes += [UInt8](repeating: 0, count: 165 - bytes.count)
        bytes[108] = 1
        return bytes
    }
}
