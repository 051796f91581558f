// Fuzz target: the Solana JSON-RPC answer reader (DexterSolana/RPC): the bytes read as the answer to each method
// the client calls (SolanaRPCAnswer.read into each documented shape), then through the checks the client runs on
// them (blockhash, account data, token amounts, simulations and their transaction errors, statuses). A thrown
// SolanaRPCError is the right answer to bad bytes; a trap is a finding. The bytes are also read as a PubSub message
// (SolanaPubSubMessage: accountSubscribe's answer, an accountNotification). Built and run by scripts/fuzz.sh
// (docs/fuzzing.md). Seeds: answers in the documented shapes, as the local node gives them.
@testable import DexterWire
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    func read<T: Decodable>(_ type: T.Type) -> T? {
        do {
            return try SolanaRPCAnswer.read(bytes, as: type, id: 1, method: "fuzz", endpoint: "http://node")
        } catch {
            _ = error.description
            if case .rpc(_, _, _, _, let simulation) = error { _ = simulation?.error?.description }
            return nil
        }
    }
    if let answer = read(SolanaWire.WithContext<SolanaWire.Blockhash>.self) {
        _ = try? SolanaBlockhash(answer.value, slot: answer.context.slot.value, field: "result.value")
    }
    if let answer = read(SolanaWire.WithContext<SolanaWire.Account?>.self), let account = answer.value {
        if let decoded = try? SolanaAccount(account, field: "result.value") { _ = try? SPLTokenAccount(decoding: decoded.data) }
    }
    if let answer = read(SolanaWire.WithContext<[SolanaWire.Account?]>.self) {
        for account in answer.value.compactMap({ $0 }) { _ = try? SolanaAccount(account, field: "result.value") }
    }
    if let answer = read(SolanaWire.WithContext<SolanaWire.TokenAmount>.self) {
        _ = try? SolanaTokenAmount(answer.value, field: "result.value")
    }
    if let answer = read(SolanaWire.WithContext<SolanaWire.Simulation>.self),
       let simulation = try? SolanaSimulation(answer.value, field: "result.value", method: "fuzz", endpoint: "http://node") {
        _ = simulation.error?.description
    }
    if let answer = read(SolanaWire.WithContext<[SolanaWire.SignatureStatus?]>.self) {
        for status in answer.value.compactMap({ $0 }) { _ = status.err.map { SolanaTransactionError($0).description } }
    }
    _ = read([SolanaWire.PrioritizationFee].self)
    _ = read(SolanaWire.U64.self)
    // The same bytes as a PubSub message (the pool feed's accountSubscribe answers and notifications).
    _ = try? SolanaPubSubMessage(decoding: bytes)
    // Every JSON value read must read the same from its own encoding.
    if let value = try? JSONDecoder().decode(SolanaJSON.self, from: Data(bytes)),
       let encoded = try? JSONEncoder().encode(value) {
        let again = try? JSONDecoder().decode(SolanaJSON.self, from: encoded)
        precondition(again == value || isNaNLike(value), "\(value) re-read as \(String(describing: again))")
    }
    return 0
}

/// Doubles that JSON cannot carry back exactly (an integer-valued double re-reads as an integer).
func isNaNLike(_ value: SolanaJSON) -> Bool {
    switch value {
    case .number: true
    case .array(let values): values.contains(where: isNaNLike)
    case .object(let members): members.values.contains(where: isNaNLike)
    default: false
    }
}
