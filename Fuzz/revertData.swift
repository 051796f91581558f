// Fuzz target: revert data and the JSON-RPC error objects that carry it. The same bytes go to RevertDecoder.decode
// (raw revert data) and to NodeCallError(json:) then revert() (an eth_call error object), each then described.
// Built and run by scripts/fuzz.sh; see docs/fuzzing.md.
import DexterWire

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = RevertDecoder.decode(bytes).description
    if let error = try? NodeCallError(json: bytes) {
        _ = error.revert()?.description
        _ = error.description
    }
    return 0
}
