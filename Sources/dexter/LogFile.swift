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
        let line = "\(time) \(event.level.rawValue.uppercased()) \(label): \(text)\n"
        // One write(2) per line on an O_APPEND descriptor: lines from concurrent writers never interleave.
        _ = line.utf8CString.withUnsafeBufferPointer { buffer in
            Glibc.write(descriptor, buffer.baseAddress, buffer.count - 1)
        }
    }
}

enum LogFile {
    nonisolated(unsafe) private static var bootstrapped = false

    /// Sends every Logger to `path` (created 0600, its folder 0700). Once per process.
    static func start(path: String) throws {
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
        LoggingSystem.bootstrap { label in FileLogHandler(label: label, descriptor: descriptor) }
    }
}
