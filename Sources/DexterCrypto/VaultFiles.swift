import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Owner-only files, written so that a crash leaves either the old file or the new one.
enum VaultFiles {
    static func makePrivateDirectory(_ url: URL) throws {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // An existing folder keeps its mode under createDirectory: tighten it.
        chmod(url.path, 0o700)
    }

    /// Writes a temporary 0600 file beside the target, syncs it, renames it over the target and syncs the folder.
    static func writeAtomically(_ data: Data, to url: URL) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw VaultError.malformed(temporary.path, "cannot be written: \(String(cString: strerror(errno)))") }
        var ok = data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { return false }
                offset += written
            }
            return true
        }
        ok = ok && fsync(descriptor) == 0
        close(descriptor)
        guard ok, rename(temporary.path, url.path) == 0 else {
            unlink(temporary.path)
            throw VaultError.malformed(url.path, "cannot be written: \(String(cString: strerror(errno)))")
        }
        let folder = open(url.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
    }

    /// Reads a vault file, refusing one that group or others could read (as ssh refuses a loose private key).
    static func readPrivate(_ url: URL) throws -> Data {
        var status = stat()
        guard stat(url.path, &status) == 0 else { throw VaultError.notFound(url.path) }
        let mode = Int(status.st_mode) & 0o777
        guard mode & 0o077 == 0 else { throw VaultError.exposed(url.path, mode: mode) }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw VaultError.malformed(url.path, "cannot be read")
        }
        return data
    }

    static func checkName(_ file: String) throws {
        let stem = file.hasSuffix(".json") ? String(file.dropLast(5)) : file
        guard isValidName(stem) else { throw VaultError.badName(stem) }
    }

    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 40
            && name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
    }

    /// A decoding error's reason without the decoded text (which may hold a secret).
    static func reason(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "missing \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not JSON" : "bad value at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        default: return "unreadable"
        }
    }
}
