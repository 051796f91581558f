// Fuzz target: the 1inch Swap API v6.0 readers behind OneInchClient: a quote answer, a swap answer (tx required) and
// an error body, all on the same bytes, and each result's description. Built and run by scripts/fuzz.sh; see
// docs/fuzzing.md.
@testable import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    for message in ["quote", "swap"] {
        do {
            let answer = try OneInchWire.answer(bytes, message: message)
            _ = (answer.dstAmount.description, answer.protocols.count, answer.transaction?.to.checksummed)
        } catch {
            _ = error.description
        }
    }
    if let api = try? OneInchWire.error(bytes) { _ = api.description }
    return 0
}
