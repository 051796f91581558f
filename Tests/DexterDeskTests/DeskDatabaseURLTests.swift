import DexterDesk
import Testing

/// `[desk] postgres_url` as libpq writes it: host and port, or a socket directory; a bad one says what is wrong,
/// and the password is never repeated.
struct DeskDatabaseURLTests {
    @Test func aURLNamesTheServerTheUserAndTheDatabase() throws {
        let tcp = try DeskDatabase(url: "postgresql://dexter:s3cret@127.0.0.1:6543/desk")
        #expect(tcp.description == "postgresql://dexter@127.0.0.1:6543/desk")
        #expect(tcp.configuration.username == "dexter" && tcp.configuration.password == "s3cret" && tcp.configuration.database == "desk")
        #expect(tcp.configuration.host == "127.0.0.1" && tcp.configuration.port == 6543)
        let socket = try DeskDatabase(url: "postgres://dexter@/desk?host=/run/postgresql")
        #expect(socket.configuration.unixSocketPath == "/run/postgresql/.s.PGSQL.5432")
        #expect(socket.description == "postgresql://dexter@/desk?host=/run/postgresql&port=5432")
        let encoded = try DeskDatabase(url: "postgresql://desk%20ops:p%40ss@localhost/desk")
        #expect(encoded.configuration.username == "desk ops" && encoded.configuration.password == "p@ss")
    }

    @Test(arguments: [
        ("mysql://dexter@db/desk", "expected postgresql://"),
        ("postgresql://dexter@db:5432/", "name the database"),
        ("postgresql://db:5432/desk", "name the user"),
        ("postgresql://dexter@/desk", "name a host, or a socket directory"),
        ("postgresql://dexter@db:0/desk", "port 0 is not in 1...65535"),
        ("postgresql://dexter:hunter2@/desk?port=99999&host=/tmp", "port 99999"),
    ])
    func aBadURLSaysWhatIsWrongAndNeverThePassword(url: String, says: String) {
        do {
            _ = try DeskDatabase(url: url)
            Issue.record("\(url) was taken")
        } catch {
            #expect(error.description.contains(says), "\(error.description)")
            #expect(!error.description.contains("hunter2"))
        }
    }
}
