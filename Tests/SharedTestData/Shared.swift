import Foundation
import Testing

/// Other projects' test vectors and recordings are not ours to redistribute (DESIGN.md, Tests): they stay in the
/// folder `shared` beside the package and are read there at run time. `DEXTER_SHARED` names another place for it.
public enum Shared {
    /// `<package root>/../shared`, the package root found from this file's path, so the working directory does not matter.
    public static var folder: URL {
        if let override = ProcessInfo.processInfo.environment["DEXTER_SHARED"], !override.isEmpty {
            return URL(fileURLWithPath: override, isDirectory: true).standardizedFileURL
        }
        return URL(fileURLWithPath: #filePath)  // <root>/Tests/SharedTestData/Shared.swift
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared", isDirectory: true)
    }

    /// A file in the shared folder, by its path there ("vectors/eth/rlp.json"). If the folder or the file is
    /// missing the test fails, naming the folder.
    public static func url(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> URL {
        let folder = folder
        var isDirectory: ObjCBool = false
        let sharedFolderFound = FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) && isDirectory.boolValue
        try #require(sharedFolderFound,
                     "shared folder \(folder.path) not found: this test reads other projects' vectors and recordings from it (set DEXTER_SHARED to where it is)",
                     sourceLocation: sourceLocation)
        let url = folder.appendingPathComponent(path)
        let sharedFileFound = FileManager.default.isReadableFile(atPath: url.path)
        try #require(sharedFileFound, "\(path) not found in the shared folder \(folder.path)", sourceLocation: sourceLocation)
        return url
    }

    public static func data(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Data {
        try Data(contentsOf: url(path, sourceLocation: sourceLocation))
    }
}
