// Fuzz target: BinanceMarketData.exchangeInfo, then what the connector makes of each listed symbol (its trading
// rules, its instrument on the venue seam). Built and run by scripts/fuzz.sh; see docs/fuzzing.md.
import DexterWire
import Foundation

let venue = VenueSpec(id: "binance", kind: .exchange, takerFee: FixedDecimal("0.001")!, stalenessBound: .seconds(5))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let info = try? BinanceMarketData.exchangeInfo(UnsafeRawBufferPointer(start: data, count: size)) else { return 0 }
    _ = info.symbolsByVenueName
    for instrument in info.instruments { _ = instrument.venueInstrument(on: venue) }
    return 0
}
