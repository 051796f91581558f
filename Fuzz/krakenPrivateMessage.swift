// Fuzz target: KrakenTrading.privateMessage (the authenticated WebSocket v2: executions, answers, heartbeat, status),
// then each execution report through the tracker, twice (the second time must tell nothing new), and its cl_ord_id
// decoded. Built and run by scripts/fuzz.sh; see docs/fuzzing.md.
@testable import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard case .executions(_, let reports, _)? = try? KrakenTrading.privateMessage(UnsafeRawBufferPointer(start: data, count: size)) else {
        return 0
    }
    let tracker = KrakenOrderTracker(venue: "kraken")
    for report in reports {
        _ = tracker.streamUpdates(report)
        _ = tracker.streamUpdates(report)
        _ = tracker.isMissingFills(report)
        _ = KrakenClientOrderId.encode(report.dexterClientOrderId)
    }
    return 0
}
