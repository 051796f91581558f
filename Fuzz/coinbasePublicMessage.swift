// Fuzz target: CoinbaseMarketData.publicMessage, a message of Advanced Trade's market-data WebSocket, then what the
// feed does with a level2 event: apply it to a book (as a snapshot, then as itself) and read the book.
// Built and run by scripts/fuzz.sh; see docs/fuzzing.md.
import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard case .books(let events)? = try? CoinbaseMarketData.publicMessage(UnsafeRawBufferPointer(start: data, count: size))
        .content else { return 0 }
    for event in events {
        var book = CoinbaseBookSync(productId: event.productId)
        _ = book.apply(CoinbaseBookMessage(productId: event.productId, kind: .snapshot, bids: event.bids, asks: event.asks,
                                           time: event.time))
        _ = book.apply(event)
        _ = book.orderBook(depth: 10)
    }
    return 0
}
