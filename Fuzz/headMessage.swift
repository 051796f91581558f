// Fuzz target: the decoder of a newHeads subscription's WebSocket messages (DexterEVM/Follow/HeadNotification.swift):
// HeadMessage.decode on the bytes; a head must carry a 32-byte hash and parent hash, and every message that decodes
// must decode the same from its own JSON re-encoding. Built and run by scripts/fuzz.sh; see docs/fuzzing.md. Seeds:
// messages recorded from the project's WebSocket front before the local node (Tests/EVMFixtures/ws).
@testable import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let endpoint = "ws://127.0.0.1:8546"
    guard let message = try? HeadMessage.decode(bytes, endpoint: endpoint) else { return 0 }
    if case .head(_, let header) = message {
        precondition(header.hash.count == 32 && header.parentHash.count == 32, "a head without whole hashes")
    }
    if let value = try? JSONValue.parse(bytes) {
        let again = try? HeadMessage.decode(Array(value.encoded.utf8), endpoint: endpoint)
        precondition(again == message, "a message decodes differently from its own encoding")
    }
    _ = "\(message)"
    return 0
}
