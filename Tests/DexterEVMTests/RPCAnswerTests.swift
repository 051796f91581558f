import DexterEVM
import Testing

/// JSON-RPC 2.0 answers as the spec (jsonrpc.org/specification, "Response object", "Batch") and execution-apis
/// describe them, and the answers a broken node or proxy gives instead. Every refusal names method, field, problem.
struct RPCAnswerTests {
    let node = "http://127.0.0.1:8545"

    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func aSingleResultIsReturnedAndAnErrorKeepsItsRevertBytes() throws {
        let asked = RPCAnswer.Asked(id: 7, method: "eth_blockNumber")
        #expect(try RPCAnswer.single(bytes(#"{"jsonrpc":"2.0","id":7,"result":"0x27"}"#), asked: asked, endpoint: node)
            == .string("0x27"))
        let revert = #"{"jsonrpc":"2.0","id":7,"error":{"code":3,"message":"execution reverted: K","data":"0x08c379a0"}}"#
        #expect(throws: EVMRPCError.rpc(RPCErrorObject(method: "eth_blockNumber", code: 3, message: "execution reverted: K",
                                                       data: [0x08, 0xc3, 0x79, 0xa0], otherData: nil))) {
            try RPCAnswer.single(bytes(revert), asked: asked, endpoint: node)
        }
        // A server that could not read the request answers with id null; that error is still this request's.
        let unreadable = #"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error","data":{"x":1}}}"#
        #expect(throws: EVMRPCError.rpc(RPCErrorObject(method: "eth_blockNumber", code: -32700, message: "parse error",
                                                       data: nil, otherData: #"{"x":1}"#))) {
            try RPCAnswer.single(bytes(unreadable), asked: asked, endpoint: node)
        }
        #expect(try RPCAnswer.single(bytes(#"{"jsonrpc":"2.0","id":7,"result":null}"#), asked: asked, endpoint: node) == .null)
    }

    @Test func singleAnswersThatAreNotJSONRPCAreMalformed() {
        let asked = RPCAnswer.Asked(id: 7, method: "eth_call")
        let cases: [(String, String, String)] = [
            (#"{"jsonrpc":"2.0","id":8,"result":"0x"}"#, "id", "8 where 7 was asked"),
            (#"{"id":7,"result":"0x"}"#, "answer.jsonrpc", "missing"),
            (#"{"jsonrpc":"1.0","id":7,"result":"0x"}"#, "answer.jsonrpc", #""1.0" instead of "2.0""#),
            (#"{"jsonrpc":"2.0","result":"0x"}"#, "answer.id", "missing"),
            (#"{"jsonrpc":"2.0","id":7}"#, "answer", "neither result nor error"),
            (#"{"jsonrpc":"2.0","id":7,"result":"0x","error":{"code":1,"message":"m"}}"#, "answer", "both result and error"),
            (#"{"jsonrpc":"2.0","id":7,"error":{"code":"3","message":"m"}}"#, "answer.error.code", #""3" is not an integer"#),
            (#"{"jsonrpc":"2.0","id":7,"error":{"code":3}}"#, "answer.error.message", "missing or not a string"),
            (#"{"jsonrpc":"2.0","id":7,"error":{"code":3,"message":"m","data":"0xabc"}}"#, "answer.error.data",
             #""0xabc" is not JSON-RPC data: an odd number of digits"#),
            (#"[{"jsonrpc":"2.0","id":7,"result":"0x"}]"#, "answer", "an array where a response object was expected"),
            ("<html>502 Bad Gateway</html>", "answer", "not JSON at byte 0: unexpected byte 0x3c"),
            (#"{"jsonrpc":"2.0","id":7,"result":"0x"} x"#, "answer", "not JSON at byte 39: more after the value"),
        ]
        for (text, field, problem) in cases {
            #expect(throws: EVMRPCError.malformed(endpoint: node, method: "eth_call", field: field, problem: problem),
                    "\(text)") { try RPCAnswer.single(bytes(text), asked: asked, endpoint: node) }
        }
    }

    @Test func aBatchIsMatchedByIdInAnyOrder() throws {
        let asked = [RPCAnswer.Asked(id: 1, method: "eth_chainId"), RPCAnswer.Asked(id: 2, method: "eth_call"),
                     RPCAnswer.Asked(id: 3, method: "eth_blockNumber")]
        let answer = #"""
            [{"jsonrpc":"2.0","id":3,"result":"0x27"},
             {"jsonrpc":"2.0","id":2,"error":{"code":3,"message":"execution reverted","data":"0x"}},
             {"jsonrpc":"2.0","id":1,"result":"0x7a69"}]
            """#
        let outcomes = try RPCAnswer.batch(bytes(answer), asked: asked, endpoint: node)
        #expect(try outcomes[0].get() == .string("0x7a69"))
        #expect(throws: EVMRPCError.rpc(RPCErrorObject(method: "eth_call", code: 3, message: "execution reverted",
                                                       data: [], otherData: nil))) { try outcomes[1].get() }
        #expect(try outcomes[2].get() == .string("0x27"))
    }

    @Test func aBatchWithAMissingRepeatedOrStrangeIdIsRefusedWhole() {
        let asked = [RPCAnswer.Asked(id: 1, method: "eth_chainId"), RPCAnswer.Asked(id: 2, method: "eth_blockNumber")]
        let name = "batch of 2 (eth_blockNumber, eth_chainId)"
        let one = #"{"jsonrpc":"2.0","id":1,"result":"0x1"}"#
        let two = #"{"jsonrpc":"2.0","id":2,"result":"0x2"}"#
        let cases: [(String, String, String)] = [
            ("[\(one)]", "answer", "no response for id 2 (eth_blockNumber)"),
            ("[\(one),\(one),\(two)]", "answer[1].id", "id 1 answered twice"),
            (#"[\#(one),\#(two),{"jsonrpc":"2.0","id":9,"result":"0x"}]"#, "answer[2].id", "9 was not asked"),
            (#"[\#(one),{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request"}}]"#, "answer[1].id",
             "null was not asked (its error: batch of 2 (eth_blockNumber, eth_chainId) answered error -32600: invalid request)"),
            (#"{"jsonrpc":"2.0","id":1,"result":"0x1"}"#, "answer", "an object where an array of responses was expected"),
            ("[]", "answer", "no response for id 1 (eth_chainId)"),
        ]
        for (text, field, problem) in cases {
            #expect(throws: EVMRPCError.malformed(endpoint: node, method: name, field: field, problem: problem),
                    "\(text)") { try RPCAnswer.batch(bytes(text), asked: asked, endpoint: node) }
        }
        // A batch refused whole (a provider's rate limit) comes back as one error object: that error, for the batch.
        let refused = #"{"jsonrpc":"2.0","id":null,"error":{"code":-32005,"message":"rate limited"}}"#
        #expect(throws: EVMRPCError.rpc(RPCErrorObject(method: name, code: -32005, message: "rate limited", data: nil,
                                                       otherData: nil))) {
            try RPCAnswer.batch(bytes(refused), asked: asked, endpoint: node)
        }
    }

    @Test func jsonIsReadStrictly() throws {
        #expect(try JSONValue.parse(bytes(#" {"a":[1,-0.5e+3,true,false,null,"\u00e9\ud83d\ude00\n"]} "#))
            == .object(["a": .array([.number("1"), .number("-0.5e+3"), .bool(true), .bool(false), .null,
                                      .string("é😀\n")])]))
        let refused: [(String, String)] = [
            ("[1,]", "not JSON at byte 3: unexpected byte 0x5d"),
            ("01", "not JSON at byte 2: a number with a leading zero"),
            (#"{"a":1,"a":2}"#, #"not JSON at byte 10: duplicate key "a""#),
            (#""\ud800""#, "not JSON at byte 7: a high surrogate without its low half"),
            ("\"a\u{01}\"", "not JSON at byte 2: a control character inside a string"),
            (String(repeating: "[", count: 65) + String(repeating: "]", count: 65), "not JSON at byte 64: nested deeper than 64"),
            ("", "not JSON at byte 0: the bytes end where a value should start"),
        ]
        for (text, problem) in refused {
            #expect(throws: JSONSyntaxError.self, "\(text)") { try JSONValue.parse(bytes(text)) }
            do { _ = try JSONValue.parse(bytes(text)) } catch { #expect(error.description == problem, "\(text)") }
        }
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse([0x22, 0xC0, 0xAF, 0x22]) }  // overlong "/"
        #expect(JSONValue.object(["b": "x\"", "a": 1]).encoded == #"{"a":1,"b":"x\""}"#)
    }

    @Test func urlsAreRedactedToSchemeHostAndPort() throws {
        let keyed = try RPCEndpoint("https://user:pw@eth-node.example/v2/SECRETKEY123?apikey=QUERYKEY#frag")
        #expect(keyed.redacted == "https://eth-node.example")
        #expect(try RPCEndpoint("http://127.0.0.1:8545/rpc/KEY").description == "http://127.0.0.1:8545")
        #expect(try RPCEndpoint("http://[::1]:8545/KEY").redacted == "http://[::1]:8545")
        #expect(throws: EVMRPCError.badURL("an RPC URL of 20 characters that is not http(s)://host…")) {
            try RPCEndpoint("wss://node/SECRETKEY")
        }
    }
}
