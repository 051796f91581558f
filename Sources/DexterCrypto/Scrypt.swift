/// scrypt (RFC 7914) for keystores that OpenSSL refuses: OpenSSL enforces the RFC's N < 2^(16·r), and real
/// keystores (ethereum/tests, geth light mode) use N = 2^18 with r = 1. Same function, written out.
enum Scrypt {
    static func derive(password: [UInt8], salt: [UInt8], n: Int, r: Int, p: Int, length: Int) throws(OpenSSL.Failure) -> [UInt8] {
        guard n > 1, n & (n - 1) == 0, r > 0, p > 0 else { throw OpenSSL.Failure(operation: "scrypt parameters") }
        let blockWords = 32 * r
        var b = try OpenSSL.pbkdf2SHA256(password: password, salt: salt, iterations: 1, length: p * 128 * r)
        var x = [UInt32](repeating: 0, count: blockWords)
        var v = [UInt32](repeating: 0, count: blockWords * n)
        var scratch = [UInt32](repeating: 0, count: blockWords)
        for block in 0..<p {
            let offset = block * 128 * r
            for word in 0..<blockWords {
                let base = offset + word * 4
                x[word] = UInt32(b[base]) | UInt32(b[base + 1]) << 8 | UInt32(b[base + 2]) << 16 | UInt32(b[base + 3]) << 24
            }
            x.withUnsafeMutableBufferPointer { x in
                v.withUnsafeMutableBufferPointer { v in
                    scratch.withUnsafeMutableBufferPointer { scratch in
                        for i in 0..<n {
                            for word in 0..<blockWords { v[i * blockWords + word] = x[word] }
                            blockMix(x, scratch, r: r)
                        }
                        for _ in 0..<n {
                            let j = Int(x[(2 * r - 1) * 16]) & (n - 1)
                            for word in 0..<blockWords { x[word] ^= v[j * blockWords + word] }
                            blockMix(x, scratch, r: r)
                        }
                    }
                }
            }
            for word in 0..<blockWords {
                let base = offset + word * 4
                b[base] = UInt8(truncatingIfNeeded: x[word])
                b[base + 1] = UInt8(truncatingIfNeeded: x[word] >> 8)
                b[base + 2] = UInt8(truncatingIfNeeded: x[word] >> 16)
                b[base + 3] = UInt8(truncatingIfNeeded: x[word] >> 24)
            }
        }
        return try OpenSSL.pbkdf2SHA256(password: password, salt: b, iterations: 1, length: length)
    }

    /// BlockMix with Salsa20/8, in place on `block` (2r sub-blocks of 16 words).
    private static func blockMix(_ block: UnsafeMutableBufferPointer<UInt32>, _ output: UnsafeMutableBufferPointer<UInt32>, r: Int) {
        var x = (block[(2 * r - 1) * 16 + 0], block[(2 * r - 1) * 16 + 1], block[(2 * r - 1) * 16 + 2], block[(2 * r - 1) * 16 + 3],
                 block[(2 * r - 1) * 16 + 4], block[(2 * r - 1) * 16 + 5], block[(2 * r - 1) * 16 + 6], block[(2 * r - 1) * 16 + 7],
                 block[(2 * r - 1) * 16 + 8], block[(2 * r - 1) * 16 + 9], block[(2 * r - 1) * 16 + 10], block[(2 * r - 1) * 16 + 11],
                 block[(2 * r - 1) * 16 + 12], block[(2 * r - 1) * 16 + 13], block[(2 * r - 1) * 16 + 14], block[(2 * r - 1) * 16 + 15])
        for i in 0..<(2 * r) {
            let base = i * 16
            x.0 ^= block[base]; x.1 ^= block[base + 1]; x.2 ^= block[base + 2]; x.3 ^= block[base + 3]
            x.4 ^= block[base + 4]; x.5 ^= block[base + 5]; x.6 ^= block[base + 6]; x.7 ^= block[base + 7]
            x.8 ^= block[base + 8]; x.9 ^= block[base + 9]; x.10 ^= block[base + 10]; x.11 ^= block[base + 11]
            x.12 ^= block[base + 12]; x.13 ^= block[base + 13]; x.14 ^= block[base + 14]; x.15 ^= block[base + 15]
            salsa8(&x)
            // Even sub-blocks go to the first half, odd ones to the second.
            let target = (i % 2 == 0 ? i / 2 : r + i / 2) * 16
            output[target] = x.0; output[target + 1] = x.1; output[target + 2] = x.2; output[target + 3] = x.3
            output[target + 4] = x.4; output[target + 5] = x.5; output[target + 6] = x.6; output[target + 7] = x.7
            output[target + 8] = x.8; output[target + 9] = x.9; output[target + 10] = x.10; output[target + 11] = x.11
            output[target + 12] = x.12; output[target + 13] = x.13; output[target + 14] = x.14; output[target + 15] = x.15
        }
        for word in 0..<(32 * r) { block[word] = output[word] }
    }

    private typealias State = (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32,
                               UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32)

    @inline(__always)
    private static func rotl(_ value: UInt32, _ count: UInt32) -> UInt32 { (value << count) | (value >> (32 - count)) }

    private static func salsa8(_ b: inout State) {
        var x = b
        for _ in 0..<4 {
            x.4 ^= rotl(x.0 &+ x.12, 7); x.8 ^= rotl(x.4 &+ x.0, 9); x.12 ^= rotl(x.8 &+ x.4, 13); x.0 ^= rotl(x.12 &+ x.8, 18)
            x.9 ^= rotl(x.5 &+ x.1, 7); x.13 ^= rotl(x.9 &+ x.5, 9); x.1 ^= rotl(x.13 &+ x.9, 13); x.5 ^= rotl(x.1 &+ x.13, 18)
            x.14 ^= rotl(x.10 &+ x.6, 7); x.2 ^= rotl(x.14 &+ x.10, 9); x.6 ^= rotl(x.2 &+ x.14, 13); x.10 ^= rotl(x.6 &+ x.2, 18)
            x.3 ^= rotl(x.15 &+ x.11, 7); x.7 ^= rotl(x.3 &+ x.15, 9); x.11 ^= rotl(x.7 &+ x.3, 13); x.15 ^= rotl(x.11 &+ x.7, 18)
            x.1 ^= rotl(x.0 &+ x.3, 7); x.2 ^= rotl(x.1 &+ x.0, 9); x.3 ^= rotl(x.2 &+ x.1, 13); x.0 ^= rotl(x.3 &+ x.2, 18)
            x.6 ^= rotl(x.5 &+ x.4, 7); x.7 ^= rotl(x.6 &+ x.5, 9); x.4 ^= rotl(x.7 &+ x.6, 13); x.5 ^= rotl(x.4 &+ x.7, 18)
            x.11 ^= rotl(x.10 &+ x.9, 7); x.8 ^= rotl(x.11 &+ x.10, 9); x.9 ^= rotl(x.8 &+ x.11, 13); x.10 ^= rotl(x.9 &+ x.8, 18)
            x.12 ^= rotl(x.15 &+ x.14, 7); x.13 ^= rotl(x.12 &+ x.15, 9); x.14 ^= rotl(x.13 &+ x.12, 13); x.15 ^= rotl(x.14 &+ x.13, 18)
        }
        b.0 &+= x.0; b.1 &+= x.1; b.2 &+= x.2; b.3 &+= x.3; b.4 &+= x.4; b.5 &+= x.5; b.6 &+= x.6; b.7 &+= x.7
        b.8 &+= x.8; b.9 &+= x.9; b.10 &+= x.10; b.11 &+= x.11; b.12 &+= x.12; b.13 &+= x.13; b.14 &+= x.14; b.15 &+= x.15
    }
}
