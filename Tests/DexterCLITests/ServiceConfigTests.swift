import DexterEngine
import Testing

@testable import dexter

/// `[service]`: dexter serve's socket, TCP listener, TLS and stderr log format; every mistake named at its line.
@Suite struct ServiceConfigTests {
    let base = ConfigTests()

    /// The embedded default with a `[service]` table holding `body`, placed where the example documents it.
    func config(_ body: String) -> String {
        base.replacing("# log_format = \"logfmt\"\n", with: "# log_format = \"logfmt\"\n[service]\n" + body + "\n")
    }

    func error(_ body: String) -> String { base.error(config(body)) }

    func line(of fragment: String, _ body: String) -> Int { base.line(of: fragment, in: config(body)) }

    @Test func theDefaultHasNoServiceSettings() throws {
        let desk = try DeskConfig.parse(DefaultConfig.text, file: "embedded")
        #expect(desk.service == ServiceConfig())
    }

    @Test func everyKeyIsRead() throws {
        let desk = try DeskConfig.parse(config("""
            socket = "/run/dexter/dexter.sock"
            listen = "0.0.0.0:8443"
            tls_cert = "/etc/dexter/tls/cert.pem"
            tls_key = "/etc/dexter/tls/key.pem"
            log_format = "json"
            """), file: "config.toml")
        #expect(desk.service == ServiceConfig(socket: "/run/dexter/dexter.sock", listen: ListenAddress(host: "0.0.0.0", port: 8443),
                                              tlsCertificate: "/etc/dexter/tls/cert.pem", tlsKey: "/etc/dexter/tls/key.pem",
                                              logFormat: .json))
    }

    @Test func aLoopbackListenerNeedsNoTLS() throws {
        for (text, host) in [("127.0.0.1:8080", "127.0.0.1"), ("127.1.2.3:1", "127.1.2.3"), ("localhost:65535", "localhost"),
                             ("[::1]:8080", "::1")] {
            let desk = try DeskConfig.parse(config("listen = \"\(text)\"\nlog_format = \"logfmt\""), file: "config.toml")
            #expect(desk.service.listen?.host == host && desk.service.listen?.isLoopback == true, "\(text)")
            #expect(desk.service.listen?.description == text)
            #expect(desk.service.logFormat == .logfmt)
        }
    }

    @Test func aListenerBeyondLoopbackWithoutTLSNamesTheKeyToAdd() {
        for host in ["0.0.0.0", "192.168.1.10", "[::]", "desk.example", "127.0.0.1.example"] {
            let body = "listen = \"\(host):8443\""
            #expect(error(body) == "config.toml:\(line(of: "listen =", body)): service.tls_cert: listen on \(host):8443 reaches "
                + "beyond this machine: give tls_cert and tls_key (PEM files), or listen on loopback (127.0.0.1, ::1)")
        }
    }

    @Test func halfATLSPairNamesTheOtherHalf() {
        let certOnly = "listen = \"10.0.0.5:8443\"\ntls_cert = \"/etc/dexter/cert.pem\""
        #expect(error(certOnly) == "config.toml:\(line(of: "tls_cert =", certOnly)): service.tls_key: tls_cert is set: give "
            + "tls_key too (the certificate's private key, PEM)")
        let keyOnly = "tls_key = \"/etc/dexter/key.pem\""
        #expect(error(keyOnly) == "config.toml:\(line(of: "tls_key =", keyOnly)): service.tls_cert: tls_key is set: give "
            + "tls_cert too (the certificate chain, PEM)")
    }

    @Test func aListenAddressIsHostColonPort() {
        let cases = [
            ("8443", "expected \"host:port\" such as \"127.0.0.1:8443\", found \"8443\""),
            (":8443", "expected a host before the port, found \":8443\""),
            ("127.0.0.1:", "expected a port in 1...65535, found \"\" in \"127.0.0.1:\""),
            ("127.0.0.1:0", "expected a port in 1...65535, found \"0\" in \"127.0.0.1:0\""),
            ("127.0.0.1:65536", "expected a port in 1...65535, found \"65536\" in \"127.0.0.1:65536\""),
            ("127.0.0.1:http", "expected a port in 1...65535, found \"http\" in \"127.0.0.1:http\""),
            ("127.0.0.1:+80", "expected a port in 1...65535, found \"+80\" in \"127.0.0.1:+80\""),
            ("::1:8443", "write an IPv6 host in brackets, as \"[::1]:8443\"; found \"::1:8443\""),
            ("[::1]8443", "expected \"[v6 address]:port\", found \"[::1]8443\""),
        ]
        for (text, problem) in cases {
            let body = "listen = \"\(text)\""
            #expect(error(body) == "config.toml:\(line(of: "listen =", body)): service.listen: \(problem)")
        }
        let number = "listen = 8443"
        #expect(error(number) == "config.toml:\(line(of: "listen =", number)): service.listen: expected a string, found 8443 (an integer)")
    }

    @Test func logFormatIsLogfmtOrJSON() {
        let body = "log_format = \"text\""
        #expect(error(body) == "config.toml:\(line(of: "log_format =", body)): service.log_format: expected \"logfmt\" or \"json\", found \"text\"")
    }

    @Test func aSocketPathMustFitAUnixAddress() {
        let long = "socket = \"/run/" + String(repeating: "d", count: 103) + "\""
        #expect(error(long) == "config.toml:\(line(of: "socket =", long)): service.socket: a Unix socket path holds at most 107 bytes; this one has 108")
        let empty = "socket = \"\""
        #expect(error(empty) == "config.toml:\(line(of: "socket =", empty)): service.socket: expected a path, found \"\"")
    }

    @Test func anUnknownServiceKeyIsNamed() {
        let body = "port = 8443"
        #expect(error(body) == "config.toml:\(line(of: "port =", body)): service.port: unknown key; expected one of listen, log_format, socket, tls_cert, tls_key")
    }

    /// serve reads --listen with the same parser and TLS rule, so the command line and the file cannot disagree.
    @Test func theCommandLineListenerIsCheckedTheSameWay() throws {
        let address = try ListenAddress(parsing: "[fd00::5]:9000")
        #expect(address.host == "fd00::5" && address.port == 9000 && !address.isLoopback && address.description == "[fd00::5]:9000")
        #expect(ServiceConfig().tlsProblem(listen: address)?.key == "tls_cert")
        #expect(ServiceConfig(tlsCertificate: "c.pem", tlsKey: "k.pem").tlsProblem(listen: address) == nil)
        #expect(ServiceConfig().tlsProblem(listen: try ListenAddress(parsing: "127.0.0.1:9000")) == nil)
    }

    @Test func theSocketIsConfiguredElseInTheRuntimeElseTheStateFolder() {
        let none = ServiceConfig()
        #expect(none.socketPath(mode: .paper, environment: ["XDG_RUNTIME_DIR": "/run/user/1000", "XDG_STATE_HOME": "/s"])
            == "/run/user/1000/dexter/paper.sock")
        #expect(none.socketPath(mode: .live, environment: ["XDG_RUNTIME_DIR": "", "XDG_STATE_HOME": "/s"]) == "/s/dexter/live.sock")
        #expect(none.socketPath(mode: .sim, environment: ["HOME": "/home/alice"]) == "/home/alice/.local/state/dexter/sim.sock")
        #expect(ServiceConfig(socket: "/run/dexter/dexter.sock").socketPath(mode: .replay, environment: ["XDG_RUNTIME_DIR": "/r"])
            == "/run/dexter/dexter.sock")
    }
}
