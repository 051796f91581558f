import DexterCrypto
import Foundation
import SharedTestData
import Testing

@testable import DexterSolana

/// Reading a message someone else built: web3.js's legacy transfer (../shared/vectors/solana/transfer_tx.json) and
/// version-0 messages dexter's own serializer writes, field for field; a malformed one is refused with where.
@Suite struct SolanaMessageReaderTests {
    @Test func web3jsLegacyTransferReadsFieldForField() throws {
        let vectors = try SolanaVectors.json("transfer_tx.json")
        let wire = try SolanaVectors.bytes(vectors["expectedUnsignedTxBase64"], "expectedUnsignedTxBase64")
        let read = try SolanaMessageReader(Array(wire[65...]))
        #expect(!read.isVersioned && read.requiredSignatures == 1 && read.lookupTables == 0)
        #expect(read.feePayer?.description == vectors["fromPubkey"] as? String)
        #expect(read.staticKeys.map(\.description) == [vectors["fromPubkey"] as? String, vectors["toPubkey"] as? String,
                                                       SolanaPublicKey.systemProgram.description])
        #expect(Base58.encode(read.recentBlockhash) == vectors["recentBlockhash"] as? String)
        let transfer = try #require(read.instructions.first)
        #expect(read.instructions.count == 1 && transfer.program == .systemProgram && transfer.accountIndices == [0, 1])
        // System Transfer: instruction 2 (u32) and the lamports (u64), little-endian.
        #expect(transfer.data == [2, 0, 0, 0, 49, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test func aVersionZeroMessageReadsBackWhatWasWritten() throws {
        let payer = try SolanaKeypair(seed: [UInt8](repeating: 7, count: 32)).publicKey
        let source = SolanaPublicKey(bytes: [UInt8](repeating: 1, count: 32)), destination = SolanaPublicKey(bytes: [UInt8](repeating: 2, count: 32))
        let message = SolanaMessageV0(feePayer: payer, recentBlockhash: [UInt8](repeating: 9, count: 32), instructions: [
            SolanaPrograms.computeUnitLimit(123_456), SolanaPrograms.computeUnitPrice(microLamports: 7_777_777_777),
            SolanaPrograms.tokenTransfer(source: source, destination: destination, owner: payer, amount: 42),
        ])
        let read = try SolanaMessageReader(try message.serialized())
        #expect(read.isVersioned && read.requiredSignatures == 1 && read.feePayer == payer && read.lookupTables == 0)
        #expect(read.programs == [SolanaPrograms.computeBudget, SolanaPrograms.computeBudget, SolanaPrograms.token])
        #expect(read.computeBudget.limit == 123_456 && read.computeBudget.microLamportsPerUnit == 7_777_777_777)
        #expect(read.staticKeys == message.accountKeys.map(\.key))
    }

    @Test func aMalformedMessageIsRefusedSayingWhere() throws {
        let payer = try SolanaKeypair(seed: [UInt8](repeating: 7, count: 32)).publicKey
        let bytes = try SolanaMessageV0(feePayer: payer, recentBlockhash: [UInt8](repeating: 9, count: 32),
                                        instructions: [SolanaPrograms.computeUnitLimit(1)]).serialized()
        #expect(throws: SolanaMessageReader.Failure.truncated("the blockhash")) { try SolanaMessageReader(Array(bytes.prefix(5 + 64 + 10))) }
        #expect(throws: SolanaMessageReader.Failure.bad("1 bytes after its end")) { try SolanaMessageReader(bytes + [0]) }
        #expect(throws: SolanaMessageReader.Failure.bad("version 1 (only 0 is known)")) { try SolanaMessageReader([0x81] + bytes.dropFirst()) }
        #expect(throws: SolanaMessageReader.Failure.truncated("the header")) { try SolanaMessageReader([]) }
    }
}
