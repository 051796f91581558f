/// One message of a `newHeads` subscription over WebSocket, as geth documents it (geth.ethereum.org/docs/rpc/pubsub):
/// the answer to `eth_subscribe` (`{"id":1,"result":"0xcd0c…"}`: the subscription's id), then a notification per new
/// head, `{"method":"eth_subscription","params":{"subscription":"0xcd0c…","result":{…header…}}}`. Anything else a
/// node sends is malformed here: the subscription is dropped and the chain polled (no guessing at other shapes).
public enum HeadMessage: Sendable, Hashable {
    /// A new head of subscription `subscription`: number, hash and parent hash, checked like a polled header.
    case head(subscription: String, BlockHeader)
    /// The answer to request `id`: its result (the subscription id for `eth_subscribe`, `true` for `eth_unsubscribe`).
    case answer(id: Int, result: JSONValue)
    /// The node refused request `id` (or a request it could not read, with no id), with its error object's message.
    case refused(id: Int?, code: Int?, message: String)

    /// Reads one WebSocket text message. `endpoint` is the redacted URL, for the error.
    public static func decode(_ bytes: [UInt8], endpoint: String) throws(EVMRPCError) -> HeadMessage {
        let value: JSONValue
        do { value = try JSONValue.parse(bytes) } catch {
            throw .malformed(endpoint: endpoint, method: "eth_subscription", field: "message", problem: error.description)
        }
        func malformed(_ field: String, _ problem: String) -> EVMRPCError {
            .malformed(endpoint: endpoint, method: "eth_subscription", field: field, problem: problem)
        }
        guard case .object(let members) = value else { throw malformed("message", "\(value.kind) where an object was expected") }
        guard members["jsonrpc"] == .string("2.0") else { throw malformed("jsonrpc", "expected \"2.0\"") }
        if let method = members["method"] {
            guard method == .string("eth_subscription") else { throw malformed("method", "expected \"eth_subscription\"") }
            guard case .object(let params)? = members["params"] else { throw malformed("params", "expected an object") }
            guard case .string(let subscription)? = params["subscription"], !subscription.isEmpty else {
                throw malformed("params.subscription", "expected the subscription's id as a string")
            }
            guard let result = params["result"] else { throw malformed("params.result", "missing") }
            let header = try BlockHeader(RPCResult(value: result, method: "eth_subscription", endpoint: endpoint,
                                                   path: "params.result"))
            return .head(subscription: subscription, header)
        }
        let id: Int?
        switch members["id"] {
        case .number(let text)?:
            guard let number = Int(text) else { throw malformed("id", "\(text) is not an integer id") }
            id = number
        case .null?: id = nil
        default: throw malformed("id", "expected the id of a request, or a notification's method")
        }
        if let error = members["error"] {
            guard case .object(let object) = error, case .string(let message)? = object["message"] else {
                throw malformed("error", "expected an error object with a message")
            }
            return .refused(id: id, code: object["code"]?.integer, message: message)
        }
        guard let id else { throw malformed("id", "null on an answer that is not an error") }
        guard let result = members["result"] else { throw malformed("result", "an answer with neither result nor error") }
        return .answer(id: id, result: result)
    }

    /// `eth_subscribe("newHeads")` as request `id`.
    public static func subscribeRequest(id: Int) -> String {
        JSONValue.object(["jsonrpc": "2.0", "id": .number(String(id)), "method": "eth_subscribe",
                          "params": ["newHeads"]]).encoded
    }
}
