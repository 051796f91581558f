// Fuzz target: the EVM JSON-RPC answer reader (DexterEVM/RPC): the bytes as a single answer and as a batch answer
// (RPCAnswer.single / .batch: JSON, the response objects, ids matched), then every result read as the pool reader and
// the follower read them — quantities, data, a block header, logs and the pool events they carry. Built and run by
// scripts/fuzz.sh; see docs/fuzzing.md. Seeds: real answers of the local node (Tests/EVMFixtures/rpc).
@testable import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // Whatever parses must write back to text that parses to the same value.
    if let value = try? JSONValue.parse(bytes) {
        let again = try? JSONValue.parse(Array(value.encoded.utf8))
        precondition(again == value, "JSON does not survive its own encoding")
    }
    let node = "http://127.0.0.1:8545"
    if let result = try? RPCAnswer.single(bytes, asked: .init(id: 1, method: "eth_call"), endpoint: node) {
        read(RPCResult(value: result, method: "eth_call", endpoint: node))
    }
    let methods = ["eth_chainId", "eth_blockNumber", "eth_call", "eth_call", "eth_getBlockByNumber", "eth_getLogs"]
    let asked = methods.enumerated().map { RPCAnswer.Asked(id: $0.offset + 1, method: $0.element) }
    if let outcomes = try? RPCAnswer.batch(bytes, asked: asked, endpoint: node) {
        precondition(outcomes.count == asked.count, "a batch answer of another size than asked")
        for (request, outcome) in zip(asked, outcomes) {
            if case .success(let value) = outcome { read(RPCResult(value: value, method: request.method, endpoint: node)) }
        }
    }
    return 0
}

/// Every reading the EVM code does of a result.
func read(_ result: RPCResult) {
    _ = try? result.quantity()
    _ = try? result.uint64()
    _ = try? result.data()
    _ = try? result.data(count: 32)
    _ = try? result.address()
    _ = try? BlockHeader(result)
    if let entries = try? result.elements() {
        for entry in entries {
            guard let log = try? ChainLog(entry) else { continue }
            _ = try? PoolEvent.decode(log)
        }
    }
}
