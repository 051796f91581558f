import Foundation
import Testing

/// Every order reaches a venue through one path, and that path runs the order check: read from the sources, so a new
/// caller that skips it fails here rather than in production.
@Suite struct OnePathTests {
    /// `Sources/` of this package, found from this file's path.
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    /// Every Swift source with its text, comments left out (a comment may name what it must not do).
    static func code() throws -> [(file: String, lines: [String])] {
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" } ?? []
        return try files.map { url in
            let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
                .map { line in String(line.split(separator: "//", maxSplits: 1, omittingEmptySubsequences: false).first ?? "") }
            return (String(url.path.dropFirst(sources.path.count + 1)), lines)
        }
    }

    @Test func onlyTheEnginesSubmitCallsAVenue() throws {
        let code = try Self.code()
        #expect(code.count > 100, "the sources were found at \(Self.sources.path)")
        // An execution client's submit is called once in the whole program: in the engine's `submit(_:)`.
        let venueCalls = code.flatMap { file in
            file.lines.enumerated().filter { $0.element.contains("client.submit(") || $0.element.contains("venue.submit(") }
                .map { "\(file.file):\($0.offset + 1)" }
        }
        #expect(venueCalls.count == 1 && venueCalls[0].hasPrefix("DexterEngine/Engine+Execution.swift"), "\(venueCalls)")
        // And the engine's submit is reached only from `send` (after its order check) and from a retry (after the
        // same check again).
        let engine = code.filter { $0.file.hasPrefix("DexterEngine/") }
        let submitCallers = engine.flatMap { file in
            file.lines.enumerated().filter { line in
                line.element.range(of: #"(?<![\w.])submit\("#, options: .regularExpression) != nil
                    && !line.element.contains("func submit(")
            }.map { "\(file.file):\($0.offset + 1)" }
        }
        #expect(submitCallers.count == 2, "\(submitCallers)")
        for caller in submitCallers {
            let file = try #require(engine.first { caller.hasPrefix($0.file) })
            let line = Int(caller.split(separator: ":").last!)! - 1
            let before = file.lines[max(0, line - 15)..<line].joined(separator: "\n")
            #expect(before.contains("orderCheck("), "\(caller) submits without the order check just before it")
        }
        // Nothing outside the engine and the venues' own rooms (the seam and the embedded venues; the real venue
        // adapters, which may hand an order to their own parts) names an execution path to a venue. The benchmarks
        // time a venue client by itself against a local server, with no desk and no money: they may.
        let venueRooms = ["DexterEngine/", "DexterVenues/", "DexterCEX/", "DexterEVM/", "DexterSolana/", "dexter-bench/"]
        let outside = code.filter { file in !venueRooms.contains { file.file.hasPrefix($0) } }
            .flatMap { file in file.lines.enumerated().filter { $0.element.contains(".submit(") }.map { "\(file.file):\($0.offset + 1)" } }
        #expect(outside.isEmpty, "\(outside)")
    }
}
