import DexterCrypto
import Foundation
import SharedTestData
import Testing

/// Program-derived addresses against the real ones in ../shared/vectors/solana: every Whirlpool, its oracle and its
/// tick arrays (seeds as the Whirlpool program writes them), Raydium CPMM's configs and vaults; and the curve check
/// against real Ed25519 public keys (RFC 8032), which are on the curve by construction.
@Suite struct ProgramAddressTests {
    @Test func whirlpoolsOraclesAndTickArraysAreTheProgramsAddresses() throws {
        let vectors = try SolanaVectors.json("whirlpool_swaps.json")
        let program = try SolanaPublicKey(base58: try #require((vectors["program"] as? [String: Any])?["id"] as? String))
        let config = try SolanaPublicKey(base58: try #require(vectors["whirlpools_config"] as? String))
        let pools = try #require(vectors["pools"] as? [[String: Any]])
        var tickArrays = 0
        for pool in pools {
            let address = try SolanaPublicKey(base58: try #require(pool["address"] as? String))
            let mintA = try SolanaPublicKey(base58: try #require(pool["token_mint_a"] as? String))
            let mintB = try SolanaPublicKey(base58: try #require(pool["token_mint_b"] as? String))
            let spacing = try SolanaVectors.integer(pool["tick_spacing"], "tick_spacing", as: UInt16.self)
            let derived = try SolanaPublicKey.findProgramAddress(
                seeds: [Array("whirlpool".utf8), config.bytes, mintA.bytes, mintB.bytes, [UInt8(spacing & 0xff), UInt8(spacing >> 8)]],
                program: program)
            #expect(derived.address == address, "\(pool["name"] ?? "?")")
            let oracle = try SolanaPublicKey.findProgramAddress(seeds: [Array("oracle".utf8), address.bytes], program: program)
            #expect(oracle.address.description == pool["oracle"] as? String)
            for array in try #require(pool["initialized_tick_arrays"] as? [[String: Any]]) {
                let start = try SolanaVectors.integer(array["start_tick_index"], "start_tick_index", as: Int32.self)
                let derived = try SolanaPublicKey.findProgramAddress(
                    seeds: [Array("tick_array".utf8), address.bytes, Array(String(start).utf8)], program: program)
                #expect(derived.address.description == array["address"] as? String, "tick array \(start)")
                tickArrays += 1
            }
        }
        #expect(tickArrays > 10)
    }

    @Test func raydiumConfigsAndVaultsAreTheProgramsAddresses() throws {
        let vectors = try SolanaVectors.json("raydium_cpmm_swaps.json")
        let program = try SolanaPublicKey(base58: try #require((vectors["program"] as? [String: Any])?["id"] as? String))
        for config in try #require(vectors["amm_configs"] as? [[String: Any]]) {
            let index = try SolanaVectors.integer(config["index"], "index", as: UInt16.self)
            let derived = try SolanaPublicKey.findProgramAddress(seeds: [Array("amm_config".utf8), [UInt8(index >> 8), UInt8(index & 0xff)]],
                                                                 program: program)
            #expect(derived.address.description == config["address"] as? String, "amm config \(index)")
        }
        for pool in try #require(vectors["pools"] as? [[String: Any]]) {
            let address = try SolanaPublicKey(base58: try #require(pool["address"] as? String))
            for side in ["0", "1"] {
                let mint = try SolanaPublicKey(base58: try #require(pool["token_\(side)_mint"] as? String))
                let vault = try SolanaPublicKey.findProgramAddress(seeds: [Array("pool_vault".utf8), address.bytes, mint.bytes],
                                                                   program: program)
                #expect(vault.address.description == pool["token_\(side)_vault"] as? String, "\(pool["name"] ?? "?") vault \(side)")
            }
        }
    }

    /// Associated token accounts as solders derives them (the local node's /control/token-account): classic SPL
    /// Token and Token-2022 mints of one owner.
    @Test func associatedTokenAddressesAreTheAssociatedTokenProgramsAddresses() throws {
        #expect(SolanaPublicKey.associatedTokenProgram.description == "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL")
        let owner = try SolanaPublicKey(base58: "So11111111111111111111111111111111111111112")
        for (mint, program, address) in [
            ("8t5vJWVfkiQYfr9JhGuDFTb3NvXBXrxNA9PwMaLoCRZc", SolanaPublicKey.tokenProgram, "D9R57ESZtmRfC7y2C2A6gpiGtRFvYr3KSUMypQuwcHfE"),
            ("CFgNvTQFDXiWuC3K6BUogmr9W5CqTs6jJwBojcSBfLAh", SolanaPublicKey.tokenProgram, "76dxE3WBF1Sm31FVDTYXp67oEuXrVds9TynyqDB9TtfN"),
            ("8XaEwBB9E8RaZ4fFqtnS2r3HkPnNVJKewoEctkuQRGis", SolanaPublicKey.token2022Program, "3B9wPKamTV4q4cWW5KLyDLvMENPoKQSGXK18jGMFmDzq"),
        ] {
            let derived = SolanaPublicKey.associatedTokenAddress(owner: owner, mint: try SolanaPublicKey(base58: mint),
                                                                 tokenProgram: program)
            #expect(derived.description == address)
        }
    }

    @Test func realPublicKeysAreOnTheCurveAndDerivedOnesAreNot() throws {
        let vectors = try SolanaVectors.json("ed25519_rfc8032.json")
        for entry in try #require(vectors["cases"] as? [[String: Any]]) {
            let hex = try #require(entry["publicKey"] as? String)
            let bytes = stride(from: 0, to: hex.count, by: 2).map {
                UInt8(hex[hex.index(hex.startIndex, offsetBy: $0)..<hex.index(hex.startIndex, offsetBy: $0 + 2)], radix: 16)!
            }
            #expect(SolanaPublicKey(bytes: bytes).isOnCurve, "\(entry["name"] ?? "?")")
        }
        let tickArray = try SolanaPublicKey(base58: "9qM5yFkpbKrUeJf5tyJkrqFjyXRCTA5tmpaZdLfAJPBr")
        #expect(!tickArray.isOnCurve)
        #expect(throws: SolanaPublicKey.ProgramAddressError.self) {
            try SolanaPublicKey.createProgramAddress(seeds: [[UInt8](repeating: 1, count: 33)], program: .systemProgram)
        }
    }
}
