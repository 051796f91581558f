import DexterCore
import DexterEngine
import DexterRisk
@testable import DexterService
import Foundation
import NIOHTTP1
import Testing

/// Every route of the document, walked with no token, a revoked one, and each role's: what answers, what is refused
/// (and audited), and every real answer validated against the document by an independent validator (PyPI's
/// openapi-schema-validator, scripts/openapi-check.py).
@Suite(.serialized) struct RouteRoleTests {
    struct Route {
        let operationId: String
        let method: String
        let path: String
    }

    /// The routes as the shipped document lists them: a route added there is walked here without editing this test.
    static func documentedRoutes() throws -> [Route] {
        let document = try JSONSerialization.jsonObject(with: DeskService.openAPIData()) as! [String: Any]
        let paths = document["paths"] as! [String: [String: Any]]
        return paths.flatMap { path, item in
            item.compactMap { method, operation -> Route? in
                guard let operation = operation as? [String: Any], let id = operation["operationId"] as? String else { return nil }
                return Route(operationId: id, method: method.uppercased(), path: path)
            }
        }.sorted { $0.operationId < $1.operationId }
    }

    /// What a member's command route needs, as the engine grants it.
    static func action(_ operationId: String) -> DeskAction? {
        switch operationId {
        case "approveOpportunity": .approve
        case "rejectOpportunity": .reject
        case "haltDesk": .halt
        case "reduceDesk": .setTradingState
        case "resumeDesk": .resume
        default: nil
        }
    }

    @Test func everyRouteWithEveryRole() async throws {
        let desk = try await ServedDesk.open()
        var exchanges: [[String: Any]] = []
        do {
            let listed = try await desk.waitFor { !$0.opportunities.isEmpty }
            let id = try #require(listed?.opportunities.first?.id, "the simulated market lists an opportunity")
            let routes = try Self.documentedRoutes()
            #expect(routes.count >= 17)
            let callers: [(name: String, token: String?)] = [("nobody", nil), ("revoked", desk.tokens["revoked"])]
                + ServedDesk.roster.map { ($0.name, desk.tokens[$0.name]) }
            for route in routes {
                for caller in callers {
                    var path = route.path.replacingOccurrences(of: "{id}", with: "\(id)")
                    let body = route.method == "POST" && ["haltDesk", "reduceDesk"].contains(route.operationId)
                        ? #"{"reason":"route walk by \#(caller.name)"}"# : nil
                    var answer = try await desk.request(route.method == "POST" ? .POST : .GET, path, token: caller.token, body: body)
                    // The market moves: an opportunity read by id may be gone a moment after it was listed. Ask again
                    // for one listed now (after a trade the crossed pair can take a moment to cross again).
                    for _ in 0..<20 where route.path.contains("{id}") && answer.status == 404 {
                        guard let now = try await desk.waitFor(seconds: 5, { !$0.opportunities.isEmpty })?
                            .opportunities.first?.id else { continue }
                        path = route.path.replacingOccurrences(of: "{id}", with: "\(now)")
                        answer = try await desk.request(route.method == "POST" ? .POST : .GET, path, token: caller.token)
                    }
                    exchanges.append(["operationId": route.operationId, "status": answer.status,
                                      "contentType": answer.contentType, "body": answer.body])
                    let member = desk.members[caller.name]
                    let isPublic = CallerMiddleware.publicOperations.contains(route.operationId)
                    let label = "\(route.method) \(path) as \(caller.name): \(answer.status) \(answer.body.prefix(200))"
                    if isPublic {
                        #expect(answer.status == 200 || (route.operationId == "getReady" && answer.status == 503), "\(label)")
                    } else if member == nil {
                        #expect(answer.status == 401, "\(label)")
                    } else if let action = Self.action(route.operationId), let member {
                        if member.may(action) {
                            #expect([200, 409].contains(answer.status), "\(label)")
                        } else {
                            #expect(answer.status == 403, "\(label)")
                            #expect(answer.body.contains("needs the"), "\(label)")
                        }
                    } else {
                        #expect(answer.status == 200, "\(label)")
                    }
                }
            }
            // Not one refusal went unaudited: each is in the trail under the member who tried.
            let refused = try desk.ledger.reader.auditEntries().filter { $0.action == "refused" }
            for (name, action) in [("ann", "approve"), ("ann", "kill switch"), ("rita", "approve"), ("tom", "resume")] {
                #expect(refused.contains { $0.user == name && $0.detail.hasPrefix(action) }, "\(name)'s \(action) refusal audited")
            }
            // The halt that went through (the first member who may: ada) is hers, by name, with her reason.
            let halts = try desk.ledger.reader.auditEntries().filter { $0.action == "halt" }
            #expect(halts.contains { $0.user == "ada" && $0.detail.contains("route walk by ada") })
            // A revoked token reads nothing: no route but the public ones answered it.
            #expect(exchanges.filter { ($0["status"] as? Int) == 401 }.count
                    == 2 * routes.filter { !CallerMiddleware.publicOperations.contains($0.operationId) }.count)
            // An unknown opportunity is 404, not an empty success.
            let missing = try await desk.request(.GET, "/v1/opportunities/999999999", token: desk.tokens["ann"])
            #expect(missing.status == 404)
            exchanges.append(["operationId": "getOpportunity", "status": missing.status, "contentType": missing.contentType,
                              "body": missing.body])
            // A trader's approve or reject of an opportunity that is not listed is 404 (an analyst's is still refused
            // by role, and audited).
            for operation in ["approve", "reject"] {
                let answer = try await desk.request(.POST, "/v1/opportunities/999999999/\(operation)", token: desk.tokens["tom"])
                #expect(answer.status == 404 && answer.body.contains("999999999 is not listed"), "\(operation): \(answer.status) \(answer.body)")
                exchanges.append(["operationId": "\(operation)Opportunity", "status": answer.status,
                                  "contentType": answer.contentType, "body": answer.body])
            }
            let analysts = try await desk.request(.POST, "/v1/opportunities/999999999/approve", token: desk.tokens["ann"])
            #expect(analysts.status == 403)
            // What a client sent wrong is a 400 naming it, never a bare 500; and the desk is untouched.
            let malformed: [(operationId: String, method: HTTPMethod, path: String, body: String?, says: String)] = [
                ("reduceDesk", .POST, "/v1/desk/reduce", nil, "body"),
                ("reduceDesk", .POST, "/v1/desk/reduce", "{}", "reason is missing"),
                ("haltDesk", .POST, "/v1/desk/halt", #"{"reason": 5}"#, "reason: expected String"),
                ("haltDesk", .POST, "/v1/desk/halt", "{not json", "body"),
                ("getOpportunity", .GET, "/v1/opportunities/abc", nil, #"id (path): expected an integer, got "abc""#),
                ("listAudit", .GET, "/v1/audit?after=yesterday", nil, #"after (query): expected an integer, got "yesterday""#),
            ]
            let stateBefore = await desk.engine.tradingState
            for bad in malformed {
                let answer = try await desk.request(bad.method, bad.path, token: desk.tokens["rita"], body: bad.body)
                let said = (try? JSONDecoder().decode([String: String].self, from: Data(answer.body.utf8)))?["error"] ?? ""
                #expect(answer.status == 400 && said.contains(bad.says), "\(bad.path) \(bad.body ?? "no body"): \(answer.status) \(answer.body)")
                #expect(!answer.body.contains(desk.tokens["rita"] ?? "-"), "the error does not repeat the token")
                exchanges.append(["operationId": bad.operationId, "status": answer.status, "contentType": answer.contentType,
                                  "body": answer.body])
            }
            #expect(await desk.engine.tradingState == stateBefore)
        } catch {
            await desk.stop()
            throw error
        }
        await desk.stop()
        try Self.validate(exchanges)
    }

    /// Runs scripts/openapi-check.py (in the servers' virtualenv) over the recorded answers.
    static func validate(_ exchanges: [[String: Any]]) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let folder = NSTemporaryDirectory() + "dexter-openapi-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try DeskService.openAPIData().write(to: URL(fileURLWithPath: folder + "/openapi.json"))
        try JSONSerialization.data(withJSONObject: exchanges).write(to: URL(fileURLWithPath: folder + "/answers.json"))
        let venv = Process()
        venv.executableURL = root.appendingPathComponent("scripts/servers-venv.sh")
        try venv.run()
        venv.waitUntilExit()
        #expect(venv.terminationStatus == 0, "scripts/servers-venv.sh made the Python environment")
        let check = Process()
        check.executableURL = root.appendingPathComponent(".venv-servers/bin/python")
        check.arguments = [root.appendingPathComponent("scripts/openapi-check.py").path, folder + "/openapi.json",
                           folder + "/answers.json"]
        let output = Pipe()
        check.standardOutput = output
        try check.run()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        check.waitUntilExit()
        #expect(check.terminationStatus == 0, "openapi-check: \(said)")
        #expect(said.contains("0 problems"), "\(said)")
    }
}
