import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime

/// A request the generated layer could not read (no body, a body of the wrong shape, a parameter of the wrong type)
/// is answered 400 with what was wrong and where, in the API's own error shape, instead of the transport's bare 500.
/// Anything else the handlers throw is a 500 that names no request detail (the request's headers hold its token) and
/// is logged by operation.
struct RequestErrorMiddleware: ServerMiddleware {
    let logger: Logger
    /// The document's parameters, to name the one a request got wrong (the runtime's decoding error does not).
    let parameters: DocumentedParameters

    func intercept(_ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
                   next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?))
        async throws -> (HTTPResponse, HTTPBody?) {
        do {
            return try await next(request, body, metadata)
        } catch let error as ServerError {
            if let problem = badRequest(error, request) { return Self.answer(.badRequest, problem) }
            logger.error("\(operationID) failed: \(error.causeDescription) (\(type(of: error.underlyingError)))")
            return Self.answer(.internalServerError, "the desk could not answer \(operationID); see its log")
        }
    }

    /// What the client sent wrong, when that is why the request failed.
    func badRequest(_ error: ServerError, _ request: HTTPRequest) -> String? {
        if let decoding = error.underlyingError as? DecodingError {
            // Parameters are read before the body: one that does not parse is what failed.
            return parameters.unreadable(error.operationID, request) ?? Self.describe(decoding)
        }
        if let convertible = error.underlyingError as? any HTTPResponseConvertible,
           (400..<500).contains(convertible.httpStatus.code) {
            return "\(error.causeDescription): \(error.underlyingError)"
        }
        return nil
    }

    static func describe(_ error: DecodingError) -> String {
        func at(_ path: [any CodingKey]) -> String {
            let named = path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return named.isEmpty ? "the body" : named
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(at(context.codingPath + [key])) is missing"
        case .typeMismatch(let type, let context): return "\(at(context.codingPath)): expected \(type)"
        case .valueNotFound(let type, let context): return "\(at(context.codingPath)): expected \(type), found null"
        case .dataCorrupted(let context):
            return "\(at(context.codingPath)): \(context.debugDescription) (\(context.underlyingError.map { "\($0)" } ?? "not JSON"))"
        @unknown default: return "the body could not be read"
        }
    }

    static func answer(_ status: HTTPResponse.Status, _ said: String) -> (HTTPResponse, HTTPBody?) {
        var response = HTTPResponse(status: status)
        response.headerFields[.contentType] = "application/json"
        let body = (try? JSONEncoder().encode(["error": said])) ?? Data(#"{"error":"bad request"}"#.utf8)
        return (response, HTTPBody(body))
    }
}

/// Each operation's path and query parameters as the document declares them, with a check of a request's values.
struct DocumentedParameters: Sendable {
    struct Parameter: Sendable {
        let name: String
        let location: String
        let type: String
    }

    struct Operation: Sendable {
        let pathTemplate: String
        let parameters: [Parameter]
    }

    let operations: [String: Operation]

    init(document: Data) throws {
        guard let root = try JSONSerialization.jsonObject(with: document) as? [String: Any],
              let paths = root["paths"] as? [String: [String: Any]] else { throw DocumentError() }
        let shared = (root["components"] as? [String: Any])?["parameters"] as? [String: [String: Any]] ?? [:]
        func resolve(_ raw: Any) -> Parameter? {
            var object = raw as? [String: Any] ?? [:]
            if let reference = object["$ref"] as? String { object = shared[String(reference.split(separator: "/").last ?? "")] ?? [:] }
            guard let name = object["name"] as? String, let location = object["in"] as? String else { return nil }
            return Parameter(name: name, location: location, type: (object["schema"] as? [String: Any])?["type"] as? String ?? "string")
        }
        var operations: [String: Operation] = [:]
        for (template, item) in paths {
            let common = (item["parameters"] as? [Any] ?? []).compactMap(resolve)
            for (method, value) in item where method != "parameters" {
                guard let operation = value as? [String: Any], let id = operation["operationId"] as? String else { continue }
                operations[id] = Operation(pathTemplate: template,
                                           parameters: common + (operation["parameters"] as? [Any] ?? []).compactMap(resolve))
            }
        }
        self.operations = operations
    }

    struct DocumentError: Error, CustomStringConvertible {
        var description: String { "the OpenAPI document has no paths" }
    }

    /// "after (query): expected an integer, got \"yesterday\"" for the first parameter whose value is not of its type.
    func unreadable(_ operationID: String, _ request: HTTPRequest) -> String? {
        guard let operation = operations[operationID], let target = request.path,
              let components = URLComponents(string: target) else { return nil }
        let templateSegments = operation.pathTemplate.split(separator: "/", omittingEmptySubsequences: false)
        let pathSegments = components.percentEncodedPath.split(separator: "/", omittingEmptySubsequences: false)
        for parameter in operation.parameters {
            let value: String?
            switch parameter.location {
            case "path":
                let index = templateSegments.firstIndex { $0 == "{\(parameter.name)}" }
                value = index.flatMap { $0 < pathSegments.count ? String(pathSegments[$0]).removingPercentEncoding : nil }
            case "query": value = components.queryItems?.first { $0.name == parameter.name }?.value
            default: value = nil
            }
            guard let value, !Self.reads(value, as: parameter.type) else { continue }
            return "\(parameter.name) (\(parameter.location)): expected \(Self.article(parameter.type)), got \"\(value.prefix(64))\""
        }
        return nil
    }

    static func reads(_ value: String, as type: String) -> Bool {
        switch type {
        case "integer": Int64(value) != nil
        case "number": Double(value) != nil
        case "boolean": value == "true" || value == "false"
        default: true
        }
    }

    static func article(_ type: String) -> String {
        type == "integer" ? "an integer" : type == "number" ? "a number" : "a \(type)"
    }
}
