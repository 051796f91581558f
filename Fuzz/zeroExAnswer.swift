// Fuzz target: the 0x Swap API v2 readers behind ZeroExClient: a price answer, a quote answer (transaction required)
// and an error body, all on the same bytes, and each result's description. Built and run by scripts/fuzz.sh; see
// docs/fuzzing.md.
@testable import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    for message in ["price", "quote"] {
        do {
            if case .route(let route) = try ZeroExWire.answer(bytes, message: message) {
                _ = (route.buyAmount.description, route.minBuyAmount <= route.buyAmount, route.issues.count,
                     route.transaction?.data.count, route.sources.count)
            }
        } catch {
            _ = error.description
        }
    }
    if let api = try? ZeroExWire.error(bytes) { _ = api.description }
    return 0
}
