import Foundation
import Logging
import Testing

@testable import dexter

/// Log records as stderr lines for journald: logfmt or JSON, one line each whatever the message holds.
@Suite struct LogLineTests {
    let time = "2026-12-01T10:00:00.123Z"

    func record(_ message: String, _ metadata: Logger.Metadata = [:], level: Logger.Level = .info) -> LogLine {
        LogLine(time: time, level: level, logger: "dexter.engine", message: message, metadata: metadata)
    }

    @Test func aPlainRecordInLogfmt() {
        #expect(record("desk started", ["mode": "paper", "venues": "4"]).logfmt
            == #"ts=2026-12-01T10:00:00.123Z level=info logger=dexter.engine msg="desk started" mode=paper venues=4"#)
    }

    @Test func logfmtQuotesAndEscapesExactly() {
        let line = record("a \"quoted\" C:\\path\nsecond line\r\tend \u{1B}[31mred\u{7F}\u{85}\u{2028}", level: .warning).logfmt
        #expect(line == #"ts=2026-12-01T10:00:00.123Z level=warning logger=dexter.engine "#
            + #"msg="a \"quoted\" C:\\path\nsecond line\r\tend \u001b[31mred\u007f\u0085\u2028""#)
        #expect(!line.contains("\n") && !line.contains("\u{1B}"))
    }

    @Test func logfmtQuotesAValueOnlyWhenItMust() {
        let line = record("m", ["bare": "ETH/USDT", "empty": "", "space": "a b", "equals": "a=b", "quote": "say \"hi\"",
                                "newline": "a\nb", "tab": "a\tb", "unicode": "Ⓢ-M"]).logfmt
        #expect(line == #"ts=2026-12-01T10:00:00.123Z level=info logger=dexter.engine msg="m" bare=ETH/USDT empty="" "#
            + #"equals="a=b" newline="a\nb" quote="say \"hi\"" space="a b" tab="a\tb" unicode=Ⓢ-M"#)
    }

    @Test func nestedMetadataFlattensAndReservedNamesMove() {
        let line = record("m", ["order": .dictionary(["id": "c-1", "venue": "binance"]), "legs": .array(["buy", "sell"]),
                                "msg": "shadow", "bad key=\"x\"": "v"]).logfmt
        #expect(line == #"ts=2026-12-01T10:00:00.123Z level=info logger=dexter.engine msg="m" bad_key__x_=v "#
            + #"legs=buy,sell meta.msg=shadow order.id=c-1 order.venue=binance"#)
    }

    @Test func jsonIsOneObjectPerLineWithExactEscapes() throws {
        let message = "a \"quoted\" C:\\path\nline\r\t\u{0}\u{1B}\u{7F}\u{2029}é"
        let line = record(message, ["order": .dictionary(["id": "c-1"]), "legs": .array(["buy", "sell"]), "level": "x"],
                          level: .error).json
        #expect(line == #"{"ts":"2026-12-01T10:00:00.123Z","level":"error","logger":"dexter.engine","#
            + #""msg":"a \"quoted\" C:\\path\nline\r\t\u0000\u001b\u007f\u2029é","legs":["buy","sell"],"#
            + #""meta.level":"x","order":{"id":"c-1"}}"#)
        #expect(!line.contains("\n"))
        // An independent reader gets back exactly what was logged.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["msg"] as? String == message)
        #expect(object["level"] as? String == "error" && object["meta.level"] as? String == "x")
        #expect((object["order"] as? [String: Any])?["id"] as? String == "c-1")
    }

    /// Nothing is masked or dropped by its name: the log is kept free of secrets where it is written, not here.
    @Test func noMetadataIsSpecialCasedByName() {
        let metadata: Logger.Metadata = ["password": "p", "secret": "s", "token": "t", "api_key": "k", "passphrase": "q"]
        #expect(record("m", metadata).logfmt.hasSuffix(" api_key=k passphrase=q password=p secret=s token=t"))
        #expect(record("m", metadata).json.hasSuffix(#","api_key":"k","passphrase":"q","password":"p","secret":"s","token":"t"}"#))
    }

    @Test func stderrGetsLinesOnlyWhenItIsNotATerminal() {
        #expect(LogFile.stderrFormat(configured: .json, serving: true, stderrIsTerminal: true) == nil)
        #expect(LogFile.stderrFormat(configured: nil, serving: true, stderrIsTerminal: false) == .logfmt)
        #expect(LogFile.stderrFormat(configured: .json, serving: true, stderrIsTerminal: false) == .json)
        #expect(LogFile.stderrFormat(configured: nil, serving: false, stderrIsTerminal: false) == nil)
        #expect(LogFile.stderrFormat(configured: .json, serving: false, stderrIsTerminal: false) == .json)
    }

    /// A headless desk with stderr on a pipe: with log_format = "json" every stderr line is a JSON record; without it,
    /// stderr carries no log (dexter run is not serve).
    @Test func aHeadlessRunLogsJSONLinesToAPipeOnlyWhenConfigured() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("dexter-stderr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let json = home.appendingPathComponent("json.toml").path
        try DefaultConfig.text.replacingOccurrences(of: "# log_format = \"logfmt\"\n", with: "# log_format = \"logfmt\"\n[service]\nlog_format = \"json\"\n")
            .write(toFile: json, atomically: true, encoding: .utf8)
        let environment = ["HOME": home.path, "XDG_DATA_HOME": home.path + "/data", "XDG_STATE_HOME": home.path + "/state"]

        let logged = try Self.runSplit(["run", "--config", json, "--seconds", "1"], environment: environment)
        #expect(logged.status == 0)
        let lines = logged.error.split(separator: "\n")
        #expect(!lines.isEmpty, "no log line on stderr")
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["ts"] is String && object?["level"] is String && object?["logger"] is String && object?["msg"] is String,
                    "not a log record: \(line)")
        }

        let quiet = try Self.runSplit(["run", "--seconds", "1"], environment: environment.merging(["XDG_CONFIG_HOME": home.path]) { $1 })
        #expect(quiet.status == 0 && quiet.error.isEmpty, "stderr without log_format: \(quiet.error)")
    }

    static func runSplit(_ arguments: [String], environment: [String: String]) throws -> (status: Int32, error: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ServiceUnitTests.builtDexter)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }.filter { $0.key != "DEXTER_CONFIG" }
        let error = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
