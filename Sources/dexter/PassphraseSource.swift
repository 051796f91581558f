import ArgumentParser
import DexterCrypto
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Where a served desk's vault passphrase comes from when no one types it: a file descriptor the caller opened
/// (`--passphrase-fd`), or the systemd credential (`LoadCredential=passphrase:…`). Never an environment variable
/// or an argument, which other processes can read.
enum PassphraseSource: Equatable {
    case descriptor(Int32)
    case credential(path: String)

    /// Set once by `dexter serve` before the vault opens; nil: the terminal prompt.
    nonisolated(unsafe) static var current: PassphraseSource?

    /// `--passphrase-fd` first, then `$CREDENTIALS_DIRECTORY/passphrase` when systemd passed one.
    static func choose(descriptor: Int32?, environment: [String: String]) -> PassphraseSource? {
        if let descriptor { return .descriptor(descriptor) }
        if let folder = environment["CREDENTIALS_DIRECTORY"], !folder.isEmpty,
           FileManager.default.fileExists(atPath: folder + "/passphrase") {
            return .credential(path: folder + "/passphrase")
        }
        return nil
    }

    /// The passphrase: the first line, without its newline. The caller wipes it.
    func read() throws -> [UInt8] {
        var bytes: [UInt8]
        switch self {
        case .descriptor(let descriptor):
            bytes = []
            var byte: UInt8 = 0
            while true {
                let count = Glibc.read(descriptor, &byte, 1)
                if count < 0 && errno == EINTR { continue }
                if count < 0 { throw ValidationError("--passphrase-fd \(descriptor) cannot be read: \(String(cString: strerror(errno)))") }
                if count == 0 || byte == 0x0A { break }
                bytes.append(byte)
            }
            close(descriptor)
        case .credential(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ValidationError("the passphrase credential \(path) cannot be read")
            }
            bytes = Array(data.prefix { $0 != 0x0A })
        }
        if bytes.last == 0x0D { bytes.removeLast() }
        guard !bytes.isEmpty else { throw ValidationError("the passphrase given to dexter serve is empty") }
        return bytes
    }
}
