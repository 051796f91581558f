// Fuzz target: BinanceTrading.userEvent (a user data event, bare or wrapped), then an executionReport's seam update.
// Built and run by scripts/fuzz.sh; see docs/fuzzing.md.
import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let event = try? BinanceTrading.userEvent(UnsafeRawBufferPointer(start: data, count: size)) else { return 0 }
    if case .executionReport(let report) = event { _ = report.orderUpdate(venue: "binance") }
    return 0
}
