// Fuzz target: a recording replayed whole — RecordedFile's format sniffing, then ReplayFeed (Binance stream lines
// and L2 snapshot CSV) read to its end through RecordedMarkets.survey, as `dexter replay` reads it first. A NUL byte
// splits the input into up to three files, replayed merged. Built and run by scripts/fuzz.sh; see docs/fuzzing.md.
import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let parts = UnsafeBufferPointer(start: data, count: size).split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
    var files: [RecordedFile] = []
    for (index, part) in parts.enumerated() {
        guard let file = try? RecordedFile(path: "fuzz-\(index)", bytes: Array(part)) else { return 0 }
        files.append(file)
    }
    guard let feed = try? ReplayFeed(files: files) else { return 0 }
    _ = try? RecordedMarkets.survey(feed)
    return 0
}
