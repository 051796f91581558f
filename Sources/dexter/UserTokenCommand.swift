import ArgumentParser
import DexterCore
import DexterEngine
import DexterService
import Foundation

extension UserCommand {
    /// A member's API token for the served desk (`dexter serve`): issued by an admin, shown once, kept only as a hash.
    struct Token: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "token",
            abstract: "Issue a member's API token (printed once; the ledger keeps its hash), or revoke their tokens.",
            discussion: """
                The token opens the served desk's API and its screens (dexter attach) as that member, with their role. \
                With --save it is also written to $XDG_CONFIG_HOME/dexter/tokens/NAME (0600), where dexter attach \
                --user NAME finds it. --revoke ends every token of the member at once, attached screens' included \
                at their next request.
                """)

        @OptionGroup var acting: Acting

        @Argument(help: "The member.")
        var name: String

        @Flag(name: .long, help: "Revoke every token of the member instead.")
        var revoke = false

        @Flag(name: .long, help: "Also write the token to $XDG_CONFIG_HOME/dexter/tokens/NAME (0600) for dexter attach.")
        var save = false

        func run() throws {
            let (ledger, actor, _) = try acting.admin()
            guard try ledger.reader.users().contains(where: { $0.name == name }) else {
                throw ValidationError("\(name) is not a member of this desk (dexter user list)")
            }
            let now = WallClock().now()
            if revoke {
                let ids = try ledger.writer.revokeTokens(of: name, by: actor.name, at: now, hash: Engine.auditHash)
                print(ids.isEmpty ? "\(name) has no live token" : "revoked \(name)'s token \(ids.joined(separator: ", "))")
                if save { try? FileManager.default.removeItem(atPath: Self.savedPath(name)) }
                return
            }
            let issued = MemberTokens.issue()
            try ledger.writer.addToken(id: issued.id, user: name, hash: issued.hash, by: actor.name, at: now,
                                       hash: Engine.auditHash)
            if save {
                let path = Self.savedPath(name)
                try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                        withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
                guard FileManager.default.createFile(atPath: path, contents: Data((issued.token + "\n").utf8),
                                                     attributes: [.posixPermissions: 0o600]) else {
                    throw ValidationError("the token was issued (\(issued.id)) but \(path) could not be written; "
                                          + "revoke it with dexter user token \(name) --revoke")
                }
                FileHandle.standardError.write(Data("token \(issued.id) for \(name) saved to \(path)\n".utf8))
            }
            // The token on stdout alone, so a script can take it; it is not shown again.
            print(issued.token)
        }

        /// Where --save writes a member's token and dexter attach looks for it.
        static func savedPath(_ name: String) -> String {
            let environment = ProcessInfo.processInfo.environment
            let configHome = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
                ?? ((environment["HOME"] ?? ".") + "/.config")
            return configHome + "/dexter/tokens/\(name)"
        }
    }
}
