import Foundation

/// Reads a JSON-RPC 2.0 answer: its id must be the one asked; an error object becomes `.rpc`; a result is decoded
/// into `T` with every failure named by its field's path in the answer (`result.value.data[0]`).
enum SolanaRPCAnswer {
    private struct Envelope<T: Decodable>: Decodable {
        let id: SolanaJSON?
        let result: T?
        let error: ErrorObject?
    }

    struct ErrorObject: Decodable {
        let code: Int
        let message: String
        let data: SolanaJSON?
    }

    /// Only the id and the error, to tell a node's error apart from a result of the wrong shape.
    private struct Head: Decodable {
        let id: SolanaJSON?
        let error: ErrorObject?
        let result: SolanaJSON?
    }

    static func read<T: Decodable>(_ bytes: [UInt8], as type: T.Type, id: Int, method: String,
                                   endpoint: String) throws(SolanaRPCError) -> T {
        let data = Data(bytes)
        let head: Head
        do {
            head = try JSONDecoder().decode(Head.self, from: data)
        } catch {
            throw malformed(error, method: method, endpoint: endpoint, prefix: "")
        }
        guard head.id == .integer(Int64(id)) else {
            throw .malformed(endpoint: endpoint, method: method, field: "id",
                             reason: "\(head.id?.description ?? "missing"), asked \(id)")
        }
        if let error = head.error {
            var simulation: SolanaSimulation?
            if let detail = error.data, case .object(let members) = detail, members["err"] != nil || members["logs"] != nil,
               let encoded = try? JSONEncoder().encode(detail),
               let value = try? JSONDecoder().decode(SolanaWire.Simulation.self, from: encoded) {
                simulation = try? SolanaSimulation(value, field: "error.data", method: method, endpoint: endpoint)
            }
            throw .rpc(endpoint: endpoint, method: method, code: error.code, message: error.message, simulation: simulation)
        }
        guard head.result != nil else {
            throw .malformed(endpoint: endpoint, method: method, field: "result", reason: "neither a result nor an error")
        }
        do {
            guard let result = try JSONDecoder().decode(Envelope<T>.self, from: data).result else {
                throw SolanaRPCError.malformed(endpoint: endpoint, method: method, field: "result", reason: "null")
            }
            return result
        } catch let error as SolanaRPCError {
            throw error
        } catch {
            throw malformed(error, method: method, endpoint: endpoint, prefix: "")
        }
    }

    static func malformed(_ error: Error, method: String, endpoint: String, prefix: String) -> SolanaRPCError {
        guard let decoding = error as? DecodingError else {
            return .malformed(endpoint: endpoint, method: method, field: prefix.isEmpty ? "(answer)" : prefix,
                              reason: "\(error)")
        }
        switch decoding {
        case .typeMismatch(let type, let context):
            return .malformed(endpoint: endpoint, method: method, field: path(context.codingPath, prefix),
                              reason: "not a \(type)")
        case .valueNotFound(let type, let context):
            return .malformed(endpoint: endpoint, method: method, field: path(context.codingPath, prefix),
                              reason: "null where a \(type) is required")
        case .keyNotFound(let key, let context):
            return .malformed(endpoint: endpoint, method: method, field: path(context.codingPath + [key], prefix),
                              reason: "missing")
        case .dataCorrupted(let context):
            return .malformed(endpoint: endpoint, method: method, field: path(context.codingPath, prefix),
                              reason: context.debugDescription)
        @unknown default:
            return .malformed(endpoint: endpoint, method: method, field: prefix, reason: "\(error)")
        }
    }

    static func path(_ keys: [CodingKey], _ prefix: String) -> String {
        let text = keys.reduce(prefix) { text, key in
            if let index = key.intValue, key.stringValue.hasPrefix("Index") || key.stringValue == String(index) {
                return text + "[\(index)]"
            }
            return text.isEmpty ? key.stringValue : text + "." + key.stringValue
        }
        return text.isEmpty ? "(answer)" : text
    }
}
