// Fuzz target: OKXMarketData.publicMessage, a message of OKX's public WebSocket, then what the feed does with a book
// push: apply it to a book (snapshot or update, sequence and checksum) and read the book. Built and run by
// scripts/fuzz.sh; see docs/fuzzing.md.
import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard case .book(let push)? = try? OKXMarketData.publicMessage(UnsafeRawBufferPointer(start: data, count: size)) else {
        return 0
    }
    var book = OKXBookSync(instrument: push.instrument)
    _ = book.apply(OKXBookMessage(instrument: push.instrument, action: .snapshot, bids: push.bids, asks: push.asks,
                                  time: push.time, checksum: nil, seqId: push.seqId, prevSeqId: -1))
    _ = book.apply(push)
    _ = book.orderBook(depth: 50)
    return 0
}
