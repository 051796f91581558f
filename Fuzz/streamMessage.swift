// Fuzz target: BinanceMarketData.streamMessage, one combined-stream message (`{"stream": …, "data": …}`), the live
// feed's every message. Built and run by scripts/fuzz.sh; see docs/fuzzing.md. A thrown error is the right answer to
// bad bytes; a crash, a trap or a hang is a finding.
import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? BinanceMarketData.streamMessage(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
