import DexterRisk
import Foundation
import HTTPTypes
import OpenAPIRuntime

/// The member an API request comes from, for the handlers: set by `CallerMiddleware` around each request.
enum Caller {
    @TaskLocal static var member: DeskUser?

    struct Missing: Error {}

    static func current() throws -> DeskUser {
        guard let member else { throw Missing() }
        return member
    }
}

/// Every operation needs a live member token but the three a supervisor or a client reads before it has one.
/// A request without one is answered 401 here, before any handler runs.
struct CallerMiddleware: ServerMiddleware {
    static let publicOperations: Set<String> = ["getHealth", "getReady", "getOpenAPIDocument"]

    let tokens: MemberTokens

    func intercept(_ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
                   next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?))
        async throws -> (HTTPResponse, HTTPBody?) {
        if Self.publicOperations.contains(operationID) { return try await next(request, body, metadata) }
        let token = MemberTokens.bearer(request.headerFields[.authorization])
        guard let member = tokens.member(presenting: token) else {
            var response = HTTPResponse(status: .unauthorized)
            response.headerFields[.contentType] = "application/json"
            response.headerFields[.wwwAuthenticate] = "Bearer"
            let said = token == nil ? "a member's token is needed: Authorization: Bearer TOKEN (dexter user token NAME)"
                : "the token is not a live one (unknown or revoked)"
            return (response, HTTPBody(#"{"error":"\#(said)"}"#))
        }
        return try await Caller.$member.withValue(member) { try await next(request, body, metadata) }
    }
}
