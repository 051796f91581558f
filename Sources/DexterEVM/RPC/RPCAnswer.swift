/// JSON-RPC 2.0 answers read strictly: a response object for a single request, an array of them for a batch, matched
/// to the requests by id (a server may answer a batch in any order). Anything else is a `malformed` error naming the
/// method, the field and the problem, so a node that answers garbage is told apart from one that answers an error.
public enum RPCAnswer {
    /// A request as the answer reader needs it: its id and, for errors, its method.
    public struct Asked: Sendable, Hashable {
        public let id: Int
        public let method: String

        public init(id: Int, method: String) {
            self.id = id
            self.method = method
        }
    }

    /// The result of the single request `asked`; its error object is thrown as `.rpc`.
    public static func single(_ bytes: [UInt8], asked: Asked, endpoint: String) throws(EVMRPCError) -> JSONValue {
        let value = try parse(bytes, method: asked.method, endpoint: endpoint)
        let (id, outcome) = try response(value, method: asked.method, field: "answer", endpoint: endpoint)
        // An id of null is the server saying it could not read the request; its error still answers this one.
        if id != .null || outcome.isSuccess {
            guard id.integer == asked.id else {
                throw .malformed(endpoint: endpoint, method: asked.method, field: "id",
                                 problem: "\(id.encoded.prefix(40)) where \(asked.id) was asked")
            }
        }
        return try outcome.get()
    }

    /// The outcome of each request of a batch, in the order asked. A missing, repeated or unknown id fails the
    /// whole batch (its answers cannot be trusted to be whose they say); one error object in place of the array
    /// (a batch the server refused whole) is thrown as `.rpc`.
    public static func batch(_ bytes: [UInt8], asked: [Asked], endpoint: String)
        throws(EVMRPCError) -> [Result<JSONValue, EVMRPCError>] {
        let method = "batch of \(asked.count) (\(Set(asked.map(\.method)).sorted().joined(separator: ", ")))"
        let value = try parse(bytes, method: method, endpoint: endpoint)
        guard case .array(let elements) = value else {
            if case .object = value {
                let (_, outcome) = try response(value, method: method, field: "answer", endpoint: endpoint)
                if case .failure(let error) = outcome { throw error }
            }
            throw .malformed(endpoint: endpoint, method: method, field: "answer",
                             problem: "\(value.kind) where an array of responses was expected")
        }
        let methods = Dictionary(asked.map { ($0.id, $0.method) }, uniquingKeysWith: { first, _ in first })
        var outcomes: [Int: Result<JSONValue, EVMRPCError>] = [:]
        for (index, element) in elements.enumerated() {
            let field = "answer[\(index)]"
            let elementMethod = element["id"]?.integer.flatMap { methods[$0] } ?? method
            let (id, outcome) = try response(element, method: elementMethod, field: field, endpoint: endpoint)
            guard let number = id.integer, methods[number] != nil else {
                let told = if case .failure(let error) = outcome { " (its error: \(error))" } else { "" }
                throw .malformed(endpoint: endpoint, method: method, field: "\(field).id",
                                 problem: "\(id.encoded.prefix(40)) was not asked\(told)")
            }
            guard outcomes[number] == nil else {
                throw .malformed(endpoint: endpoint, method: method, field: "\(field).id", problem: "id \(number) answered twice")
            }
            outcomes[number] = outcome
        }
        return try asked.map { request throws(EVMRPCError) in
            guard let outcome = outcomes[request.id] else {
                throw .malformed(endpoint: endpoint, method: method, field: "answer",
                                 problem: "no response for id \(request.id) (\(request.method))")
            }
            return outcome
        }
    }

    private static func parse(_ bytes: [UInt8], method: String, endpoint: String) throws(EVMRPCError) -> JSONValue {
        do {
            return try JSONValue.parse(bytes)
        } catch {
            throw .malformed(endpoint: endpoint, method: method, field: "answer", problem: error.description)
        }
    }

    /// One response object: its id, and its result or its error object.
    private static func response(_ value: JSONValue, method: String, field: String, endpoint: String)
        throws(EVMRPCError) -> (id: JSONValue, outcome: Result<JSONValue, EVMRPCError>) {
        func malformed(_ name: String, _ problem: String) -> EVMRPCError {
            .malformed(endpoint: endpoint, method: method, field: name.isEmpty ? field : "\(field).\(name)", problem: problem)
        }
        guard case .object(let members) = value else { throw malformed("", "\(value.kind) where a response object was expected") }
        guard members["jsonrpc"] == .string("2.0") else {
            throw malformed("jsonrpc", members["jsonrpc"].map { "\($0.encoded.prefix(20)) instead of \"2.0\"" } ?? "missing")
        }
        guard let id = members["id"] else { throw malformed("id", "missing") }
        switch (members["result"], members["error"]) {
        case (let result?, nil):
            return (id, .success(result))
        case (nil, let error?):
            guard case .object(let object) = error else { throw malformed("error", "\(error.kind), not an error object") }
            guard let code = object["code"]?.integer else {
                throw malformed("error.code", object["code"].map { "\($0.encoded.prefix(20)) is not an integer" } ?? "missing")
            }
            guard case .string(let message)? = object["message"] else { throw malformed("error.message", "missing or not a string") }
            var bytes: [UInt8]?
            var other: String?
            switch object["data"] {
            case nil, .null?: break
            case .string(let text)? where text.hasPrefix("0x"):
                do { bytes = try HexData.parse(text) } catch { throw malformed("error.data", error.description) }
            case let data?: other = String(data.encoded.prefix(1000))
            }
            return (id, .failure(.rpc(RPCErrorObject(method: method, code: code, message: message, data: bytes,
                                                     otherData: other))))
        case (nil, nil): throw malformed("", "neither result nor error")
        case (.some, .some): throw malformed("", "both result and error")
        }
    }
}

extension Result {
    var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }
}
