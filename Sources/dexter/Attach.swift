import ArgumentParser
import DexterCore
import DexterService
import DexterTUI
import Foundation

/// A screen on a desk that runs as a service (dexter serve): the same panels and keys, as the member the token
/// names, with that member's role. Quitting detaches; the desk runs on.
struct Attach: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attach",
        abstract: "Open the screen of a running desk (dexter serve); quitting detaches, the desk runs on.",
        discussion: """
            The token is read from --token-file, else $XDG_CONFIG_HOME/dexter/tokens/NAME (dexter user token NAME \
            --save), else asked for. The socket is --socket, else [service] socket, else the one served desk's socket \
            in $XDG_RUNTIME_DIR/dexter.
            """)

    @Option(name: .long, help: "Config file (for [service] socket and the theme).")
    var config: String?

    @Option(name: .long, help: "The member to attach as (default: config's user, then the OS user).")
    var user: String?

    @Option(name: .long, help: "The desk's Unix socket.")
    var socket: String?

    @Option(name: .customLong("token-file"), help: "A file holding the member's token.")
    var tokenFile: String?

    @Option(name: .long, help: "Colour theme: dark, light, high-contrast, mono, or a path to a theme file.")
    var theme: String?

    func run() async throws {
        guard isatty(STDOUT_FILENO) == 1, isatty(STDIN_FILENO) == 1 else {
            throw ValidationError("dexter attach needs a terminal")
        }
        let loaded: DeskConfig
        do { loaded = try DeskConfig.load(explicit: config, environment: ProcessInfo.processInfo.environment).config } catch {
            throw ValidationError("\(error)")
        }
        let name = user ?? loaded.user ?? Paths.osUser
        let path = try socket ?? loaded.service.socket ?? Self.servedSocket()
        let token = try Self.token(for: name, file: tokenFile)
        let resolvedTheme: Theme
        do { resolvedTheme = try ThemeLoader.load(theme ?? loaded.theme, configPath: config) } catch {
            throw ValidationError("\(error)")
        }
        let noColor = ProcessInfo.processInfo.environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        let socket: DeskSocket
        do {
            socket = try await DeskSocket.open(.unix(path), path: "/attach?user=\(name)", token: token)
        } catch let refused as DeskSocket.Refused where refused.byTheDesk {
            // Unknown, revoked, or another member's: the desk does not say which, so neither can this.
            throw ValidationError("the desk refused \(name)'s screen: the token is not a live token of \(name)'s (dexter user token \(name))")
        } catch {
            throw ValidationError("\(error)")
        }
        let inbox = FrameInbox()
        let (lines, sender) = AsyncStream.makeStream(of: String.self)
        let configPath = config
        let mouse = loaded.mouse
        let connection = Task {
            do {
                try await socket.run { received, send in
                    let forward = Task { for await line in lines { try? await send(line) } }
                    defer { forward.cancel() }
                    let decoder = JSONDecoder()
                    for try await text in received {
                        guard let message = try? decoder.decode(AttachWire.ServerMessage.self, from: Data(text.utf8)) else { continue }
                        if let canvas = message.frame?.canvas { inbox.post(canvas) }
                        if let theme = message.theme { inbox.post(theme: theme) }
                        if let bye = message.bye {
                            inbox.close(bye)
                            return
                        }
                    }
                    inbox.close("the desk closed the connection")
                }
            } catch {
                inbox.close("the connection to the desk was lost: \(error)")
            }
        }
        let reason = await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            let thread = Thread {
                let screen = AttachedTerminal(theme: resolvedTheme, colour: !noColor, mouse: mouse) { name in
                    do { return .success(try ThemeLoader.load(name, configPath: configPath)) } catch {
                        return .failure(TerminalApp.ThemeError("\(error)"))
                    }
                }
                let reason = screen.run(inbox: inbox, size: { sender.yield(AttachWire.size(width: $0, height: $1)) },
                                        send: { sender.yield(AttachWire.encode($0)) })
                continuation.resume(returning: reason)
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        sender.finish()
        connection.cancel()
        FileHandle.standardError.write(Data("dexter: \(reason)\n".utf8))
    }

    /// The member's token: the file given, else the one `dexter user token NAME --save` wrote, else asked for.
    static func token(for name: String, file: String?) throws -> String {
        let path = file ?? UserCommand.Token.savedPath(name)
        if let data = FileManager.default.contents(atPath: path) {
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if file != nil { throw ValidationError("--token-file \(path) cannot be read") }
        return try SecretPrompt.readText("API token for \(name) (dexter user token \(name))")
    }

    /// The socket of the one desk served in $XDG_RUNTIME_DIR/dexter (or $XDG_STATE_HOME/dexter).
    static func servedSocket() throws -> String {
        let folder = (Serve.defaultSocket(mode: .sim) as NSString).deletingLastPathComponent
        let sockets = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasSuffix(".sock") }.sorted()
        switch sockets.count {
        case 1: return folder + "/" + sockets[0]
        case 0: throw ValidationError("no served desk in \(folder) (start one with dexter serve, or give --socket)")
        default:
            throw ValidationError("several desks are served in \(folder) (\(sockets.joined(separator: ", "))): choose one with --socket")
        }
    }
}
