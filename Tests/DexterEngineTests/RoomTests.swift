import Testing

/// The room map of DESIGN.md, read from the sources: what each room may import, and the engine naming no venue.
@Suite struct RoomTests {
    /// Each file's `import` lines, by room.
    static func imports() throws -> [String: Set<String>] {
        var byRoom: [String: Set<String>] = [:]
        for file in try OnePathTests.code() {
            let room = String(file.file.prefix { $0 != "/" })
            for line in file.lines where line.hasPrefix("import ") || line.hasPrefix("@testable import ") {
                byRoom[room, default: []].insert(String(line.split(separator: " ").last ?? ""))
            }
        }
        return byRoom
    }

    @Test func theScreenImportsOnlyTheCoreAndTheEngine() throws {
        let tui = try #require(try Self.imports()["DexterTUI"])
        #expect(tui.subtracting(["DexterCore", "DexterEngine", "CNCurses", "Foundation", "Glibc", "Synchronization"]).isEmpty,
                "\(tui.sorted())")
    }

    @Test func theEngineNamesNoConcreteVenue() throws {
        let engine = try OnePathTests.code().filter { $0.file.hasPrefix("DexterEngine/") }
        let named = engine.flatMap { file in
            file.lines.enumerated().filter { line in
                ["SimulatedMarket", "SimulatedVenues", "SimulatedUniverse", "PaperJournal", "ScriptedVenue", "ReplayVenue"]
                    .contains { line.element.contains($0) }
            }.map { "\(file.file):\($0.offset + 1)" }
        }
        #expect(named.isEmpty, "\(named)")
        let imports = try #require(try Self.imports()["DexterEngine"])
        #expect(!imports.contains("DexterCEX") && !imports.contains("DexterEVM") && !imports.contains("DexterSolana"))
    }
}
