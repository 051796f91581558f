import DexterEngine

/// How log records are written to stderr when it is not a terminal: one logfmt line or one JSON object each.
enum LogFormat: String, CaseIterable, Sendable {
    case logfmt, json
}

/// A TCP address `dexter serve` listens on: `host:port`, or `[v6]:port` for an IPv6 host.
struct ListenAddress: Equatable, Sendable, CustomStringConvertible {
    var host: String
    var port: Int

    /// Only the machine itself can reach a loopback listener, so it may go without TLS.
    var isLoopback: Bool {
        let name = host.lowercased()
        if name == "localhost" || name == "::1" { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

extension ListenAddress {
    /// Reads `127.0.0.1:8443`, `localhost:8443` or `[::1]:8443`; the problem in words otherwise (for config and --listen).
    init(parsing text: String) throws(ListenAddressError) {
        let host: Substring
        let port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw ListenAddressError("expected \"[v6 address]:port\", found \"\(text)\"")
            }
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                throw ListenAddressError("expected \"host:port\" such as \"127.0.0.1:8443\", found \"\(text)\"")
            }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
            // An unbracketed IPv6 address is ambiguous: which colon starts the port?
            guard !host.contains(":") else {
                throw ListenAddressError("write an IPv6 host in brackets, as \"[::1]:8443\"; found \"\(text)\"")
            }
        }
        guard !host.isEmpty, !host.contains(where: \.isWhitespace) else {
            throw ListenAddressError("expected a host before the port, found \"\(text)\"")
        }
        guard !port.isEmpty, port.allSatisfy({ ("0"..."9").contains($0) }), let number = Int(port), (1...65_535).contains(number) else {
            throw ListenAddressError("expected a port in 1...65535, found \"\(port)\" in \"\(text)\"")
        }
        self.init(host: String(host), port: number)
    }
}

struct ListenAddressError: Error, CustomStringConvertible, Equatable {
    let description: String
    init(_ description: String) { self.description = description }
}

/// `[service]`: where `dexter serve` is reached and how it logs. Every key is optional; with none, serve listens on
/// its Unix socket only and logs logfmt to stderr when that is not a terminal.
struct ServiceConfig: Equatable, Sendable {
    var socket: String?
    var listen: ListenAddress?
    var tlsCertificate: String?
    var tlsKey: String?
    var logFormat: LogFormat?

    static let keys: Set<String> = ["socket", "listen", "tls_cert", "tls_key", "log_format"]

    /// A Unix socket path longer than this does not fit sockaddr_un's sun_path (108 bytes with its NUL).
    static let maxSocketPathBytes = 107

    static func parse(_ root: ConfigReader) throws -> ServiceConfig {
        guard let table = try root.optionalTable("service") else { return ServiceConfig() }
        try table.allowOnly(keys)
        var service = ServiceConfig()
        if let socket = try table.optionalString("socket") {
            guard !socket.isEmpty else { throw table.error("socket", "expected a path, found \"\"") }
            guard socket.utf8.count <= maxSocketPathBytes else {
                throw table.error("socket", "a Unix socket path holds at most \(maxSocketPathBytes) bytes; this one has \(socket.utf8.count)")
            }
            service.socket = socket
        }
        if let text = try table.optionalString("listen") {
            do { service.listen = try ListenAddress(parsing: text) } catch { throw table.error("listen", "\(error)") }
        }
        for key in ["tls_cert", "tls_key"] {
            if let path = try table.optionalString(key), path.isEmpty { throw table.error(key, "expected a PEM file's path, found \"\"") }
        }
        service.tlsCertificate = try table.optionalString("tls_cert")
        service.tlsKey = try table.optionalString("tls_key")
        if let problem = service.tlsProblem(listen: service.listen) {
            // Named by the key to add, pointed at the line that asks for it.
            let key = (table.path + [problem.key]).joined(separator: ".")
            throw ConfigError(file: table.file, line: table.source.line(of: table.path + [problem.cause]), key: key, problem: problem.text)
        }
        if let text = try table.optionalString("log_format") {
            guard let format = LogFormat(rawValue: text) else {
                throw table.error("log_format", "expected \"logfmt\" or \"json\", found \"\(text)\"")
            }
            service.logFormat = format
        }
        return service
    }

    /// Where serve's socket is when --socket does not say: `socket`, else $XDG_RUNTIME_DIR/dexter/<mode>.sock, else
    /// $XDG_STATE_HOME/dexter/<mode>.sock ($HOME/.local/state when unset), mode in lower case.
    func socketPath(mode: DeskMode, environment: [String: String]) -> String {
        if let socket { return socket }
        let file = "/dexter/\(mode.rawValue.lowercased()).sock"
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty { return runtime + file }
        let stateHome = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? ".") + "/.local/state")
        return stateHome + file
    }

    /// What is wrong with TLS for `listen` (from config or --listen): half a pair, or none beyond loopback. `key` is
    /// the one to add, `cause` the one that asks for it. serve checks a --listen from the command line with this too.
    func tlsProblem(listen: ListenAddress?) -> (key: String, cause: String, text: String)? {
        switch (tlsCertificate, tlsKey) {
        case (.some, nil): return ("tls_key", "tls_cert", "tls_cert is set: give tls_key too (the certificate's private key, PEM)")
        case (nil, .some): return ("tls_cert", "tls_key", "tls_key is set: give tls_cert too (the certificate chain, PEM)")
        case (.some, .some): return nil
        case (nil, nil):
            guard let listen, !listen.isLoopback else { return nil }
            return ("tls_cert", "listen", "listen on \(listen) reaches beyond this machine: give tls_cert and tls_key "
                + "(PEM files), or listen on loopback (127.0.0.1, ::1)")
        }
    }
}
