// Fuzz target: SPL account data the Solana pool feed reads (DexterSolana/Pools): the bytes as a mint (SPLMint: the
// decimals of a Whirlpool's tokens) and as a token account (SPLTokenAccount: a CPMM vault's balance). A thrown
// AccountDecodeError is the right answer to bad bytes; a trap is a finding. Built and run by scripts/fuzz.sh
// (docs/fuzzing.md). Seeds: mints and token accounts as the tests write them, and the vaults of
// ../shared/vectors/solana/raydium_cpmm_swaps.json.
@testable import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let mint = try? SPLMint(decoding: bytes) {
        precondition(bytes.count >= SPLMint.size && mint.decimals == bytes[44] && bytes[45] == 1)
    } else if let error = (Result { () throws(AccountDecodeError) in try SPLMint(decoding: bytes) }).failure {
        _ = error.description
    }
    if let account = try? SPLTokenAccount(decoding: bytes) {
        // The amount is bytes 64..<72, little-endian.
        precondition(account.amount == bytes[64..<72].reversed().reduce(0) { $0 << 8 | UInt64($1) })
    }
    return 0
}

extension Result {
    var failure: Failure? { if case .failure(let error) = self { error } else { nil } }
}
