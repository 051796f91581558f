import Foundation
import Testing

@testable import DexterSolana

/// dexter's Raydium CPMM quote against the program's own results: ../shared/vectors/solana/raydium_cpmm_swaps.json
/// (151 swaps run by the CP-Swap mainnet build of 2025-02-14 in LiteSVM; SOURCES.md there). The pool and config are
/// decoded from their bytes; the quote gives the program's amounts and fee accruals to the unit, or its error.
@Suite struct RaydiumCPMMQuoteTests {
    @Test func everyRecordedSwapIsQuotedToTheUnit() throws {
        let file = try SolanaVectors.json("raydium_cpmm_swaps.json")
        let cases = try #require(file["cases"] as? [[String: Any]])
        #expect(cases.count == 151)
        var matched = 0, failures = 0
        for vector in cases {
            let id = vector["id"] as? Int ?? -1
            let pool = try RaydiumCPMMPool(decoding: try SolanaVectors.bytes(
                (vector["pool_state"] as? [String: Any])?["data"], "case \(id) pool_state"))
            let config = try RaydiumCPMMConfig(decoding: try SolanaVectors.bytes(
                (vector["amm_config"] as? [String: Any])?["data"], "case \(id) amm_config"))
            let vault0: UInt64 = try SolanaVectors.integer(vector["vault_0_amount"], "vault_0_amount")
            let vault1: UInt64 = try SolanaVectors.integer(vector["vault_1_amount"], "vault_1_amount")
            let clock: Int64 = try SolanaVectors.integer(vector["clock_unix_timestamp"], "clock")
            let input = try #require(vector["input"] as? [String: Any])
            let request: RaydiumCPMMSwapRequest = input["instruction"] as? String == "swap_base_input"
                ? .baseInput(amountIn: try SolanaVectors.integer(input["amount_in"], "amount_in"),
                             minimumAmountOut: try SolanaVectors.integer(input["minimum_amount_out"], "minimum"))
                : .baseOutput(maxAmountIn: try SolanaVectors.integer(input["max_amount_in"], "max_amount_in"),
                              amountOut: try SolanaVectors.integer(input["amount_out"], "amount_out"))
            let inputIsToken0 = input["input_token"] as? String == "token_0"
            let outcome = Result { () throws(RaydiumCPMMError) in
                try pool.quote(request, inputIsToken0: inputIsToken0, config: config, vault0: vault0, vault1: vault1,
                               clock: clock)
            }
            let result = try #require(vector["result"] as? [String: Any])
            if result["status"] as? String == "ok" {
                guard case .success(let quote) = outcome else {
                    Issue.record("case \(id): the program swapped, the quote says \(outcome)")
                    continue
                }
                let amountIn: UInt64 = try SolanaVectors.integer(result["amount_in"], "amount_in")
                let amountOut: UInt64 = try SolanaVectors.integer(result["amount_out"], "amount_out")
                let protocolFee: UInt64 = try SolanaVectors.integer(result["protocol_fee_accrued"], "protocol")
                let fundFee: UInt64 = try SolanaVectors.integer(result["fund_fee_accrued"], "fund")
                // The vaults move by exactly the amounts, and the pool after holds the accrued fees.
                let after = try RaydiumCPMMPool(decoding: try SolanaVectors.bytes(result["pool_state_data_after"], "after"))
                let vault0After: UInt64 = try SolanaVectors.integer(result["vault_0_amount_after"], "vault_0_after")
                let (paid0, paid1) = inputIsToken0 ? (quote.amountIn, quote.amountOut) : (quote.amountOut, quote.amountIn)
                let vaultMoves = inputIsToken0 ? vault0After == vault0 + paid0 : vault0After == vault0 - paid0
                let accrued = inputIsToken0
                    ? after.protocolFeesToken0 == pool.protocolFeesToken0 + quote.protocolFee
                        && after.fundFeesToken0 == pool.fundFeesToken0 + quote.fundFee
                    : after.protocolFeesToken1 == pool.protocolFeesToken1 + quote.protocolFee
                        && after.fundFeesToken1 == pool.fundFeesToken1 + quote.fundFee
                let same = quote.amountIn == amountIn && quote.amountOut == amountOut
                    && quote.protocolFee == protocolFee && quote.fundFee == fundFee && vaultMoves && accrued
                #expect(same, """
                    case \(id) \(input): in \(quote.amountIn) vs \(amountIn), out \(quote.amountOut) vs \(amountOut), \
                    protocol \(quote.protocolFee) vs \(protocolFee), fund \(quote.fundFee) vs \(fundFee), \(paid1)
                    """)
                if same { matched += 1 }
            } else {
                failures += 1
                let error = try #require(result["error"] as? [String: Any])
                guard case .failure(let failure) = outcome else {
                    Issue.record("case \(id): the program failed (\(error["name"] ?? error["message"] ?? "")), the quote gives \(outcome)")
                    continue
                }
                // An Anchor error carries its code; a panic has none and its message says the program panicked.
                let code = error["code"] as? Int
                let agrees = code == nil ? failure.code == nil && error["panic"] is String : failure.code == code
                #expect(agrees, "case \(id): \(failure) vs \(code.map(String.init) ?? "panic")")
                if agrees { matched += 1 }
            }
        }
        #expect(failures == 43)
        #expect(matched == 151)
    }

    @Test func aConfigWithImpossibleRatesIsRefusedNamingTheField() throws {
        let file = try SolanaVectors.json("raydium_cpmm_swaps.json")
        let first = try #require((file["cases"] as? [[String: Any]])?.first?["amm_config"] as? [String: Any])
        var bytes = try SolanaVectors.bytes(first["data"], "amm_config")
        #expect(try RaydiumCPMMConfig(decoding: bytes).tradeFeeRate == 2500)
        // trade_fee_rate = 1,000,001 (little-endian at 12).
        bytes.replaceSubrange(12..<20, with: [0x41, 0x42, 0x0f, 0, 0, 0, 0, 0])
        do {
            _ = try RaydiumCPMMConfig(decoding: bytes)
            Issue.record("a fee above 100 % decoded")
        } catch {
            #expect(error.description == "CPMM AmmConfig: trade_fee_rate at offset 12: 1000001 is above 1,000,000 (100 %)")
        }
    }

    /// Fuzzing found it (docs/fuzzing.md): one unit in, all of it the fee, into an empty pool divided by zero.
    @Test func aFeeOnlyInputIntoAnEmptyPoolIsTheProgramsPanicNotATrap() throws {
        let file = try SolanaVectors.json("raydium_cpmm_swaps.json")
        let first = try #require((file["cases"] as? [[String: Any]])?.first)
        let pool = try RaydiumCPMMPool(decoding: try SolanaVectors.bytes((first["pool_state"] as? [String: Any])?["data"], "pool"))
        let config = try RaydiumCPMMConfig(decoding: try SolanaVectors.bytes((first["amm_config"] as? [String: Any])?["data"], "config"))
        let held0 = pool.protocolFeesToken0 + pool.fundFeesToken0, held1 = pool.protocolFeesToken1 + pool.fundFeesToken1
        #expect(throws: RaydiumCPMMError.programPanic("the input after the fee and its reserve are zero")) {
            try pool.quote(.baseInput(amountIn: 1, minimumAmountOut: 0), inputIsToken0: true, config: config,
                           vault0: held0, vault1: held1, clock: Int64(pool.openTime))
        }
    }

    @Test func theVaultAmountIsReadFromATokenAccount() throws {
        var account = [UInt8](repeating: 0, count: 165)
        account.replaceSubrange(64..<72, with: [0x00, 0x10, 0xa5, 0xd4, 0xe8, 0, 0, 0])
        #expect(try SPLTokenAccount(decoding: account).amount == 1_000_000_000_000)
        #expect(throws: AccountDecodeError.self) { try SPLTokenAccount(decoding: Array(account.prefix(100))) }
    }
}
