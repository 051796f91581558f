// Fuzz target: Jupiter's answers as dexter reads them before it signs anything (DexterSolana/Jupiter/JupiterWire.swift
// and Send/SolanaMessageReader.swift): the bytes as JSON read as a QuoteResponse (mints, exact amounts, the route) and
// as a SwapResponse (the base64 transaction, its message read: who pays and signs, programs, compute budget); the
// bytes themselves as a message. A thrown JupiterError or SolanaMessageReader.Failure is the right answer to bad bytes;
// a trap is a finding. What is accepted must hold: a swap's fee payer is the user and it asks one signature. Built and
// run by scripts/fuzz.sh (docs/fuzzing.md). Seeds: a quote and swap answers in the documented shapes, as the local
// Jupiter server gives them.
@testable import DexterWire
import Foundation

let user = try! SolanaPublicKey(base58: "2KW2XRd9kwqet15Aha2oK3tYvd3nWbTFH1MBiRAv1BE1")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let message = try? SolanaMessageReader(bytes) {
        precondition(message.requiredSignatures >= 1 && message.requiredSignatures <= message.staticKeys.count)
        precondition(message.recentBlockhash.count == 32)
        _ = message.computeBudget
    }
    guard let json = try? JSONDecoder().decode(SolanaJSON.self, from: Data(bytes)) else { return 0 }
    if let quote = try? JupiterWire.readQuote(json) {
        _ = (quote.route.count, quote.otherAmountThreshold)
    }
    do {
        let swap = try JupiterWire.readSwap(json, user: user)
        precondition(swap.read.feePayer == user && swap.read.requiredSignatures == 1)
        precondition((try? SolanaMessageReader(swap.message)) == swap.read)
    } catch {
        _ = error.description
    }
    return 0
}
