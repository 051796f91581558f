import CZlib
import Foundation

/// A recorded market-data file read whole into memory, gunzipped when it is gzip (by its magic bytes, not its
/// name). Formats are told apart by the first line.
public struct RecordedFile: Sendable {
    public enum Format: String, Sendable {
        /// `<receive ns> <Binance combined-stream JSON>` per line (hftbacktest's collector).
        case binanceStream
        /// CSV with a header `timestamp,symbol,b1..b10,bv1..bv10,a1..a10,av1..av10`, one L2 snapshot per row.
        case l2SnapshotCSV
    }

    public let path: String
    public let bytes: [UInt8]
    public let format: Format

    public init(path: String) throws(ReplayError) {
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(path) }
        var bytes = [UInt8](data)
        if bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b { bytes = try Self.gunzip(path) }
        try self.init(path: path, bytes: bytes)
    }

    public init(path: String, bytes: [UInt8]) throws(ReplayError) {
        self.path = path
        self.bytes = bytes
        let firstLine = bytes.prefix { $0 != UInt8(ascii: "\n") }
        let head = String(decoding: firstLine.prefix(64), as: UTF8.self)
        if head.hasPrefix("timestamp,symbol,") {
            format = .l2SnapshotCSV
        } else if let space = firstLine.firstIndex(of: UInt8(ascii: " ")), space > 0,
                  firstLine[..<space].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            format = .binanceStream
        } else {
            throw .unknownFormat(path: path, firstLine: String(head.prefix(40)))
        }
    }

    private static func gunzip(_ path: String) throws(ReplayError) -> [UInt8] {
        guard let file = gzopen(path, "rb") else { throw .unreadable(path) }
        defer { gzclose(file) }
        gzbuffer(file, 1 << 20)
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let read = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            if read < 0 { throw .corrupt(path: path, line: 0, reason: "gzip stream is damaged") }
            if read == 0 { break }
            output.append(contentsOf: chunk[0..<Int(read)])
        }
        return output
    }
}

/// Why a recording could not be replayed: the file and, where it applies, the line.
public enum ReplayError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(String)
    case unknownFormat(path: String, firstLine: String)
    case corrupt(path: String, line: Int, reason: String)
    /// The recordings hold no order book: nothing to quote or trade.
    case noMarkets(paths: [String])

    public var description: String {
        switch self {
        case .unreadable(let path): return "\(path): cannot be read"
        case .unknownFormat(let path, let firstLine):
            return "\(path): not a recording dexter knows (first line starts \"\(firstLine)\"); expected Binance "
                + "stream lines \"<ns> {json}\" or an L2 snapshot CSV with a \"timestamp,symbol,b1,…\" header"
        case .corrupt(let path, let line, let reason): return "\(path):\(line): \(reason)"
        case .noMarkets(let paths):
            return "\(paths.joined(separator: ", ")): no order book in the recording (only trades, or no messages)"
        }
    }
}
