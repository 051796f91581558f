import DexterCrypto
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Asks for secrets on the terminal without echoing them. When stdin is not a terminal (a script, a test), reads
/// one line from it instead, still never echoing it.
enum SecretPrompt {
    struct NoInput: Error, CustomStringConvertible {
        let what: String
        var description: String { "no \(what) was given (input ended)" }
    }

    /// The terminal's settings while echo is off, restored on return and by the signal handler on Ctrl-C.
    nonisolated(unsafe) private static var saved = termios()
    nonisolated(unsafe) private static var echoIsOff = false

    /// One line of bytes, without its newline. The caller wipes it when done.
    static func read(_ prompt: String) throws -> [UInt8] {
        FileHandle.standardError.write(Data("\(prompt): ".utf8))
        let interactive = isatty(STDIN_FILENO) == 1
        if interactive { echoOff() }
        defer {
            if interactive { echoOn() }
            FileHandle.standardError.write(Data("\n".utf8))
        }
        var line = try readLine(prompt)
        if line.last == 0x0D { line.removeLast() }
        return line
    }

    /// One line typed in the open (a confirmation), read as `read` does but echoed at a terminal.
    static func readVisible(_ prompt: String) throws -> String {
        FileHandle.standardError.write(Data("\(prompt): ".utf8))
        return String(decoding: try readLine(prompt), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A byte at a time straight from the descriptor: nothing past the newline is consumed, so the next prompt (or
    /// the screen) reads what follows.
    private static func readLine(_ prompt: String) throws -> [UInt8] {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let count = Glibc.read(STDIN_FILENO, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 {
                if line.isEmpty { throw NoInput(what: prompt.lowercased()) }
                break
            }
            if byte == 0x0A { break }
            line.append(byte)
        }
        return line
    }

    static func readText(_ prompt: String) throws -> String {
        var bytes = try read(prompt)
        defer { bytes.wipe() }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespaces)
    }

    /// A new passphrase, asked twice.
    static func newPassphrase(_ prompt: String, minimumLength: Int = 8) throws -> [UInt8] {
        let first = try read(prompt)
        guard first.count >= minimumLength else {
            throw ValidationErrorText("the passphrase must be at least \(minimumLength) characters")
        }
        let second = try read("Repeat it")
        guard first == second else { throw VaultError.passphrasesDiffer }
        return first
    }

    private static func echoOff() {
        guard tcgetattr(STDIN_FILENO, &saved) == 0 else { return }
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        quiet.c_lflag |= tcflag_t(ECHONL)
        echoIsOff = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0
        // Ctrl-C at the prompt must not leave the terminal silent.
        signal(SIGINT) { signal in
            if SecretPrompt.echoIsOff { tcsetattr(STDIN_FILENO, TCSAFLUSH, &SecretPrompt.saved) }
            _exit(128 + signal)
        }
    }

    private static func echoOn() {
        if echoIsOff { tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved) }
        echoIsOff = false
        signal(SIGINT, SIG_DFL)
    }
}

/// A plain message as an error (ArgumentParser prints it after "Error:").
struct ValidationErrorText: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
