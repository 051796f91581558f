import DexterCore
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The session log: one line per event, appended to an owner-only file. Messages are written by dexter's own
/// code, which puts key suffixes and addresses in them, never a secret.
struct FileLogHandler: LogHandler {
    let label: String
    let descriptor: Int32
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let time = Timestamp(nanoseconds: Int64(Date().timeIntervalSince1970 * 1e9)).iso8601
        let text = event.message.description.replacingOccurrences(of: "\n", with: " ")
        LogFile.writeLine("\(time) \(event.level.rawValue.uppercased()) \(label): \(text)\n", to: descriptor)
    }
}

/// Every record to stderr as one logfmt or JSON line, for journald or a container's log driver. Unlike the file log
/// it keeps the record's metadata, as fields.
struct StderrLogHandler: LogHandler {
    let label: String
    let format: LogFormat
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let time = Timestamp(nanoseconds: Int64(Date().timeIntervalSince1970 * 1e9)).iso8601
        let fields = metadata.merging(event.metadata ?? [:]) { _, recordOwn in recordOwn }
        let line = LogLine(time: time, level: event.level, logger: label, message: event.message.description, metadata: fields)
        LogFile.writeLine(line.formatted(format) + "\n", to: STDERR_FILENO)
    }
}

enum LogFile {
    nonisolated(unsafe) private static var bootstrapped = false

    /// Sends every Logger to `path` (created 0600, its folder 0700), and to stderr too in `stderrFormat` when one is
    /// given (see `stderrFormat(configured:serving:)`). Once per process.
    static func start(path: String, stderrFormat: LogFormat? = nil) throws {
        guard !bootstrapped else { return }
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw ValidationErrorText("cannot open the log \(path): \(String(cString: strerror(errno)))")
        }
        bootstrapped = true
        LoggingSystem.bootstrap { label in
            let file = FileLogHandler(label: label, descriptor: descriptor)
            guard let stderrFormat else { return file }
            return MultiplexLogHandler([file, StderrLogHandler(label: label, format: stderrFormat)])
        }
    }

    /// The stderr format a command logs in: none on a terminal (the screen or the operator's shell owns it); else
    /// `[service] log_format`, and for dexter serve logfmt when that is unset.
    static func stderrFormat(configured: LogFormat?, serving: Bool,
                             stderrIsTerminal: Bool = isatty(STDERR_FILENO) == 1) -> LogFormat? {
        guard !stderrIsTerminal else { return nil }
        return configured ?? (serving ? .logfmt : nil)
    }

    /// One write(2) per line: on an O_APPEND file or a pipe (up to PIPE_BUF), lines from concurrent writers never
    /// interleave.
    static func writeLine(_ line: String, to descriptor: Int32) {
        _ = line.utf8CString.withUnsafeBufferPointer { buffer in
            Glibc.write(descriptor, buffer.baseAddress, buffer.count - 1)
        }
    }
}
