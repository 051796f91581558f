// Fuzz target: the getTokenAccountsByOwner reader (DexterSolana/RPC/SolanaTokenAccount.swift): the bytes read as the
// answer (SolanaRPCAnswer.read into its jsonParsed shape), then the checks the client runs on every account (keys,
// the u64 amount string, the parsed type). A thrown SolanaRPCError is the right answer to bad bytes; a trap is a
// finding. An account that passes must carry exactly the amount its decimal string says. Built and run by
// scripts/fuzz.sh (docs/fuzzing.md). Seeds: answers as the local node gives them.
@testable import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let answer: SolanaWire.WithContext<[SolanaWire.KeyedTokenAccount]>
    do {
        answer = try SolanaRPCAnswer.read(bytes, as: SolanaWire.WithContext<[SolanaWire.KeyedTokenAccount]>.self, id: 1,
                                          method: "getTokenAccountsByOwner", endpoint: "http://node")
    } catch {
        _ = error.description
        return 0
    }
    do {
        let accounts = try SolanaTokenAccount.read(answer.value, field: "result.value")
        precondition(accounts.count == answer.value.count)
        for (account, wire) in zip(accounts, answer.value) {
            precondition(String(account.amount) == wire.account.data.parsed.info.tokenAmount.amount
                         || UInt64(wire.account.data.parsed.info.tokenAmount.amount) == account.amount)
            precondition(account.address.description == wire.pubkey || (try? SolanaPublicKey(base58: wire.pubkey)) == account.address)
        }
    } catch {
        precondition(error.field.hasPrefix("result.value["), "\(error.field)")
    }
    return 0
}
