// Fuzz target: KrakenMarketData.publicMessage, a message of Kraken's public WebSocket v2, then what the feed does
// with a book push: apply it to a book (as a snapshot, then as an update, checksum checked) and read the book.
// Built and run by scripts/fuzz.sh; see docs/fuzzing.md.
import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard case .books(let pushes)? = try? KrakenMarketData.publicMessage(UnsafeRawBufferPointer(start: data, count: size)) else {
        return 0
    }
    for push in pushes {
        var book = KrakenBookSync(symbol: push.symbol, depth: 10, priceDecimals: 5, quantityDecimals: 8)
        _ = book.apply(KrakenBookMessage(symbol: push.symbol, kind: .snapshot, bids: push.bids, asks: push.asks,
                                         checksum: nil, time: push.time))
        _ = book.apply(push)
        _ = book.orderBook(depth: 10)
    }
    return 0
}
