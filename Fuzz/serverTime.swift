// Fuzz target: BinanceCheck.serverTime (`GET /api/v3/time`), then the clock offset `venues check` and the execution
// client compute from it. Built and run by scripts/fuzz.sh (which extracts the parser from BinanceCheck.swift: the
// rest of that file needs DexterNet); see docs/fuzzing.md.
@testable import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let millis = BinanceCheck.serverTime(Array(UnsafeBufferPointer(start: data, count: size))) else { return 0 }
    // As BinanceCheck.run: the offset against the middle of the round trip, in seconds since the epoch.
    let middle = Date().timeIntervalSince1970
    _ = Duration.nanoseconds(Int64((Double(millis) / 1000 - middle) * 1e9))
    // As BinanceExecution.measureClock: whole milliseconds.
    let now = Timestamp(nanoseconds: Int64(middle * 1e9)).nanoseconds / 1_000_000
    _ = millis - now
    return 0
}
