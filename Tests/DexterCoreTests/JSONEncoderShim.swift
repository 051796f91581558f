import DexterCore
import Foundation

enum JSONEncoderShim {
    static func encode(_ value: FixedDecimal) throws -> Data { try JSONEncoder().encode(value) }
}
