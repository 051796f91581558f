import DexterCrypto
import Foundation
import TestServers
import Testing

@testable import DexterSolana

/// `getTokenAccountsByOwner` (jsonParsed) and `getMinimumBalanceForRentExemption` against the local Solana node:
/// the accounts the test set (classic SPL Token and Token-2022) come back at their associated addresses with their
/// exact balances, filtered by program or by mint; a field of the wrong content is named by its path.
@Suite(.serialized) struct SolanaTokenAccountsTests {
    @Test func tokenAccountsListWhatTheNodeHoldsByProgramAndByMint() async throws {
        let node = try LocalSolanaRuntime()
        defer { node.stop() }
        let client = try SolanaRPCClient(urls: [node.rpcURL])
        let owner = try SolanaKeypair(seed: [UInt8](repeating: 21, count: 32)).publicKey
        let stranger = try SolanaKeypair(seed: [UInt8](repeating: 22, count: 32)).publicKey
        let classic = try SolanaPublicKey(base58: try await node.createMint(decimals: 6))
        let other = try SolanaPublicKey(base58: try await node.createMint(decimals: 9))
        let modern = try SolanaPublicKey(base58: try await node.createMint(decimals: 2, program: "spl-token-2022"))
        _ = try await node.setTokenAccount(mint: classic.description, owner: owner.description,
                                           amount: UInt64.max - 7)  // the mint's supply is their sum
        _ = try await node.setTokenAccount(mint: other.description, owner: owner.description, amount: 0)
        _ = try await node.setTokenAccount(mint: modern.description, owner: owner.description, amount: 12_345)
        _ = try await node.setTokenAccount(mint: classic.description, owner: stranger.description, amount: 7)
        try await node.advance(2)

        func ata(_ mint: SolanaPublicKey, _ program: SolanaPublicKey) -> SolanaPublicKey {
            SolanaPublicKey.associatedTokenAddress(owner: owner, mint: mint, tokenProgram: program)
        }
        let expectedClassic: Set = [
            SolanaTokenAccount(address: ata(classic, .tokenProgram), mint: classic, owner: owner, amount: UInt64.max - 7,
                               decimals: 6),
            SolanaTokenAccount(address: ata(other, .tokenProgram), mint: other, owner: owner, amount: 0, decimals: 9),
        ]
        let byProgram = try await client.tokenAccounts(owner: owner, programId: .tokenProgram, .confirmed)
        #expect(Set(byProgram.accounts) == expectedClassic && byProgram.accounts.count == 2)
        let token2022 = try await client.tokenAccounts(owner: owner, programId: .token2022Program, .processed)
        #expect(token2022.accounts == [SolanaTokenAccount(address: ata(modern, .token2022Program), mint: modern,
                                                          owner: owner, amount: 12_345, decimals: 2)])
        let byMint = try await client.tokenAccounts(owner: stranger, mint: classic, .confirmed)
        #expect(byMint.accounts.map(\.amount) == [7] && byMint.accounts.first?.owner == stranger)
        #expect(try await client.tokenAccounts(owner: stranger, mint: modern, .confirmed).accounts.isEmpty)
        #expect(byProgram.slot > 1_000)

        // A 165-byte SPL token account: 2,039,280 lamports, as on every cluster.
        #expect(try await client.minimumBalanceForRentExemption(dataLength: 165) == 2_039_280)
        #expect(try await client.minimumBalanceForRentExemption(dataLength: 0) == 890_880)
    }

    static func read(_ value: String) throws(SolanaRPCError) -> [SolanaTokenAccount] {
        let body = #"{"jsonrpc":"2.0","id":1,"result":{"context":{"slot":5},"value":"# + value + "}}"
        let answer = try SolanaRPCAnswer.read(Array(body.utf8), as: SolanaWire.WithContext<[SolanaWire.KeyedTokenAccount]>.self,
                                              id: 1, method: "getTokenAccountsByOwner", endpoint: "http://node")
        do {
            return try SolanaTokenAccount.read(answer.value, field: "result.value")
        } catch {
            throw .malformed(endpoint: "http://node", method: "getTokenAccountsByOwner", field: error.field,
                             reason: error.reason)
        }
    }

    static func entry(pubkey: String = "So11111111111111111111111111111111111111112", amount: String = "\"10\"",
                      owner: String = "So11111111111111111111111111111111111111112", type: String = "account") -> String {
        #"{"pubkey":"\#(pubkey)","account":{"lamports":2039280,"owner":"TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA","#
            + #""executable":false,"rentEpoch":18446744073709551615,"data":{"program":"spl-token","space":165,"#
            + #""parsed":{"type":"\#(type)","info":{"isNative":false,"state":"initialized","#
            + #""mint":"So11111111111111111111111111111111111111112","owner":"\#(owner)","#
            + #""tokenAmount":{"amount":\#(amount),"decimals":9,"uiAmount":1e-8,"uiAmountString":"0.00000001"}}}}}}"#
    }

    @Test func aMalformedFieldIsNamedByItsPath() throws {
        let good = try Self.read("[\(Self.entry()), \(Self.entry(amount: "\"18446744073709551615\""))]")
        #expect(good.map(\.amount) == [10, UInt64.max] && good.allSatisfy { $0.decimals == 9 })

        func field(_ value: String) -> String? {
            do {
                _ = try Self.read(value)
                return nil
            } catch {
                guard case .malformed(_, _, let field, _) = error else { return "not malformed: \(error)" }
                return field
            }
        }
        let prefix = "result.value[1].account.data.parsed"
        #expect(field("[\(Self.entry()), \(Self.entry(amount: "\"18446744073709551616\""))]") == prefix + ".info.tokenAmount.amount")
        #expect(field("[\(Self.entry()), \(Self.entry(amount: "10"))]") == prefix + ".info.tokenAmount.amount")
        #expect(field("[\(Self.entry()), \(Self.entry(owner: "not-a-key"))]") == prefix + ".info.owner")
        #expect(field("[\(Self.entry()), \(Self.entry(pubkey: "0OIl"))]") == "result.value[1].pubkey")
        #expect(field("[\(Self.entry()), \(Self.entry(type: "mint"))]") == prefix + ".type")
        // What the node sends for an account it cannot parse: base64 data.
        #expect(field(#"[{"pubkey":"x","account":{"data":["AAAA","base64"]}}]"#) == "result.value[0].account.data")
    }
}
