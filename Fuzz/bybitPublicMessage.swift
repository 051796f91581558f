// Fuzz target: BybitMarketData.publicMessage, a message of Bybit's public linear WebSocket, then what the feed does
// with a book push: apply it to a book (after a snapshot one update id earlier) and read the book; a ticker delta is
// merged into a snapshot. Built and run by scripts/fuzz.sh; see docs/fuzzing.md.
import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    switch try? BybitMarketData.publicMessage(UnsafeRawBufferPointer(start: data, count: size)) {
    case .book(let push)?:
        var book = BybitBookSync(symbol: push.symbol)
        _ = book.apply(BybitBookMessage(symbol: push.symbol, depth: push.depth, kind: .snapshot, bids: push.asks,
                                        asks: push.bids, updateId: push.updateId &- 1, time: push.time))
        _ = book.apply(push)
        _ = book.orderBook(depth: 50)
    case .ticker(let ticker)?:
        _ = BybitTicker(symbol: ticker.symbol, isSnapshot: true).merging(ticker)
    default: break
    }
    return 0
}
