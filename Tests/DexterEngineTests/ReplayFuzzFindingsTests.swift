import DexterCore
import DexterVenues
import Foundation
import Testing

/// What fuzzing the recording parsers found (scripts/fuzz.sh, docs/fuzzing.md): times that trapped — an overflow of
/// nanoseconds since the epoch, not an error — each refused now as a corrupt line.
@Suite struct ReplayFuzzFindingsTests {
    static func drain(_ files: [RecordedFile]) throws(ReplayError) {
        var feed = try ReplayFeed(files: files)
        while try feed.next() != nil {}
    }

    /// The fuzzer's input: a second line whose receive time, 9723161600001692584 ns, is past Int64.
    @Test func receiveTimeOutOfRangeIsCorrupt() {
        let found = #"""
            1723161600001658384 {"stream":"btcusdt@dpeth@*100ms","data":{"e":"depthUpdate","E":FDUSD61601273,"s[":40.0,34.442,":50093421585,"u":50
            9723161600001692584 {"stream":"btcusdt@00","A":"2.44816000"}}
            17":]}}

            """#
        #expect(throws: ReplayError.corrupt(path: "found", line: 2, reason: "receive time 9723161600001692584 ns is out of range")) {
            try Self.drain([try RecordedFile(path: "found", bytes: Array(found.utf8))])
        }
    }

    /// A depth diff whose event time in milliseconds overflowed nanoseconds.
    @Test func depthEventTimeOutOfRangeIsCorrupt() {
        let lines = #"""
            1 {"stream":"btcusdt@bookTicker","data":{"u":1,"s":"BTCUSDT","b":"1","B":"1","a":"2","A":"1"}}
            2 {"lastUpdateId":5,"bids":[],"asks":[]}
            3 {"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":9300000000000,"s":"BTCUSDT","U":6,"u":7,"b":[["1","1"]],"a":[]}}

            """#
        #expect(throws: ReplayError.corrupt(path: "depth", line: 3, reason: "depthUpdate event time 9300000000000 ms is out of range")) {
            try Self.drain([try RecordedFile(path: "depth", bytes: Array(lines.utf8))])
        }
    }

    /// The fuzzer's input, cut: an L2 snapshot row of the year 2421.
    @Test func csvYearOutOfRangeIsCorrupt() throws {
        let rows = try ReplayTests.text(ReplayTests.linkBinance, firstLines: 3)
            .replacingOccurrences(of: "\n2021-08-20 00:00:01,", with: "\n2421-08-20 00:00:01,")
        #expect(rows.contains("2421-08-20"))
        #expect(throws: ReplayError.corrupt(path: "csv", line: 3,
                                            reason: "expected a timestamp \"YYYY-MM-DD HH:MM:SS\" in the first column")) {
            try Self.drain([try RecordedFile(path: "csv", bytes: Array(rows.utf8))])
        }
    }
}
