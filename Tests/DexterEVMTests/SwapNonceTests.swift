import BigInt
import DexterCrypto
@testable import DexterEVM
import Testing

struct SwapSendRejectionTests {
    /// Each client's own words (sources named in SendRejection's documentation), with the context geth appends.
    @Test(arguments: [
        ("nonce too low: address 0x70997970C51812dc3A010C7d01b50e0d17dc79C8, tx: 3 state: 5", SendRejection.nonceTooLow),
        ("Nonce too low", .nonceTooLow),
        ("Transaction nonce is too low. There is another transaction with same nonce in the queue.", .nonceTooLow),
        ("Invalid transaction nonce: Expected 5, but got 3", .nonceTooLow),
        ("Invalid transaction nonce: Expected 5, but got 7", .nonceTooHigh),
        ("nonce too high", .nonceTooHigh),
        ("nonce too far in future", .nonceTooHigh),
        ("Transaction nonce is too distant from current sender nonce", .nonceTooHigh),
        ("already known", .alreadyKnown),
        ("Known transaction", .alreadyKnown),
        ("INTERNAL_ERROR: existing txn with same hash", .alreadyKnown),
        ("existing tx with same hash", .alreadyKnown),
        ("replacement transaction underpriced", .replacementUnderpriced),
        ("Replacement transaction underpriced", .replacementUnderpriced),
        ("could not replace existing tx", .replacementUnderpriced),
        ("transaction underpriced: tip needed 1, tip permitted 0", .underpriced),
        ("max fee per gas less than block base fee: address 0x…, maxFeePerGas: 1, baseFee: 7", .underpriced),
        ("fee too low", .underpriced),
        ("insufficient funds for gas * price + value: balance 0, tx cost 1, overshot 1", .insufficientFunds),
        ("insufficient funds", .insufficientFunds),
        ("Upfront cost exceeds account balance", .insufficientFunds),
        ("intrinsic gas too low", .other("intrinsic gas too low")),
    ])
    func nodeWordsAreClassified(message: String, expected: SendRejection) {
        #expect(SendRejection.classify(message) == expected)
    }
}

struct SwapNonceBookTests {
    static let wallet = try! EthereumAddress(parsing: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
    static let key = NonceKey(wallet: wallet, chainId: 31337)

    static func sent(_ tag: UInt8, fee: BigUInt = 100, tip: BigUInt = 10,
                     purpose: SentTransaction.Purpose = .original) -> SentTransaction {
        SentTransaction(hash: [tag], raw: [0x02, tag], maxFeePerGas: fee, maxPriorityFeePerGas: tip, purpose: purpose)
    }

    @Test func nextNonceIsTheHigherOfTheNodeAndOurPending() {
        var book = NonceBook(key: Self.key)
        #expect(book.nextNonce(nodePendingCount: 4) == 4)
        book.recordSent(Self.sent(1), nonce: 4)
        book.recordSent(Self.sent(2), nonce: 5)
        // The node has seen only nonce 4 so far: ours decide.
        #expect(book.nextNonce(nodePendingCount: 5) == 6)
        // The node knows more than we sent (another client used the key): the node decides.
        #expect(book.nextNonce(nodePendingCount: 9) == 9)
    }

    @Test func minedNoncesLeaveThePendingSetAndComeBackAfterAReorg() {
        var book = NonceBook(key: Self.key)
        book.recordSent(Self.sent(1), nonce: 0)
        book.recordSent(Self.sent(2), nonce: 1)
        let first = book.chainCountChanged(to: 2)
        #expect(first.mined == [0, 1] && first.unmined.isEmpty)
        #expect(book.pending.isEmpty)
        // A reorg drops the block holding nonce 1.
        let reorg = book.chainCountChanged(to: 1)
        #expect(reorg.unmined == [1] && reorg.mined.isEmpty)
        #expect(book.attempts(at: 1) == [Self.sent(2)])
        #expect(book.nextNonce(nodePendingCount: 1) == 2)
        book.finalized(below: 1)
        #expect(book.mined.isEmpty)
    }

    @Test func rejectionsTurnIntoActions() {
        var book = NonceBook(key: Self.key)
        book.recordSent(Self.sent(1), nonce: 7)
        #expect(book.recordRejected(Self.sent(1), nonce: 7, reason: .alreadyKnown) == .keepAsSent)
        #expect(book.attempts(at: 7).count == 1)
        #expect(book.recordRejected(Self.sent(9), nonce: 8, reason: .nonceTooLow) == .nonceTaken)
        #expect(book.recordRejected(Self.sent(2), nonce: 7, reason: .nonceTooLow) == .refused(.nonceTooLow))
        #expect(book.recordRejected(Self.sent(2), nonce: 7, reason: .replacementUnderpriced) == .bumpFees)
        #expect(book.recordRejected(Self.sent(3), nonce: 9, reason: .nonceTooHigh) == .repairGap)
        #expect(book.recordRejected(Self.sent(3), nonce: 8, reason: .insufficientFunds) == .refused(.insufficientFunds))
    }

    @Test func aGapIsRebroadcastWhenWeSignedItAndFilledWhenWeDidNot() {
        var book = NonceBook(key: Self.key)
        book.chainCountChanged(to: 3)
        book.recordSent(Self.sent(3), nonce: 3)
        book.recordSent(Self.sent(4), nonce: 4)
        book.recordSent(Self.sent(6), nonce: 6)
        // The node says 3 is its next: it lacks 3 (ours), 4 (ours) and 5 (never recorded) before our 6.
        #expect(book.gapRepairs(nodePendingCount: 3) == [
            .rebroadcast(nonce: 3, raw: [0x02, 3]), .rebroadcast(nonce: 4, raw: [0x02, 4]), .fill(nonce: 5),
        ])
        // Our highest alone missing is a dropped transaction, not a gap.
        #expect(book.gapRepairs(nodePendingCount: 6).isEmpty)
        // The node has 3 and 4 and says 7 is next: no gap by count; but it does not know 4's hash.
        #expect(book.gapRepairs(nodePendingCount: 7).isEmpty)
        #expect(book.gapRepairs(nodePendingCount: 7, unknownToNode: [4]) == [.rebroadcast(nonce: 4, raw: [0x02, 4])])
        // The highest nonce unknown is no gap: nothing waits behind it.
        #expect(book.gapRepairs(nodePendingCount: 7, unknownToNode: [6]).isEmpty)
    }

    @Test func aNonceRefusedBehindAGapGoesAgainAfterTheRepair() {
        var book = NonceBook(key: Self.key)
        book.chainCountChanged(to: 10)
        // 10 went to a relay that lost it; 11 reached a node that refuses (not queues) a nonce past a gap.
        book.recordSent(Self.sent(10), nonce: 10)
        #expect(book.recordRejected(Self.sent(11), nonce: 11, reason: .nonceTooHigh) == .repairGap)
        #expect(book.heldBehindGap == [11])
        #expect(book.gapRepairs(nodePendingCount: 10) == [.rebroadcast(nonce: 10, raw: [0x02, 10]),
                                                          .rebroadcast(nonce: 11, raw: [0x02, 11])])
        book.chainCountChanged(to: 12)
        #expect(book.heldBehindGap.isEmpty && book.pending.isEmpty)
    }

    @Test func booksAreKeptPerWalletAndChain() {
        var manager = NonceManager()
        let other = NonceKey(wallet: Self.wallet, chainId: 1)
        manager[Self.key].recordSent(Self.sent(1), nonce: 0)
        #expect(manager[Self.key].nextNonce(nodePendingCount: 0) == 1)
        #expect(manager[other].nextNonce(nodePendingCount: 0) == 0)
    }
}

struct SwapReplacementTests {
    @Test func bumpsAreTwelveAndAHalfPercentRoundedUpAndAtLeastOneWei() {
        #expect(Replacement.bumped(1_000_000_000) == 1_125_000_000)
        #expect(Replacement.bumped(1_000_000_001) == 1_125_000_002)   // 1,125,000,001.125 → up
        #expect(Replacement.bumped(7) == 8)                           // 7.875 → 8
        #expect(Replacement.bumped(1) == 2)                           // 1.125 → 2
        #expect(Replacement.bumped(0) == 1)                           // at least +1 wei
    }

    @Test func speedUpKeepsTheTransactionAndRaisesBothFees() throws {
        let wallet = SwapNonceBookTests.wallet
        let original = EthereumTransaction(kind: .eip1559, chainId: 31337, nonce: 12, maxPriorityFeePerGas: 1_000_000_000,
                                           maxFeePerGas: 3_000_000_000, gasLimit: 200_000, to: wallet, value: 0, data: [1, 2, 3])
        let previous = SentTransaction(original, raw: [0x02], purpose: .original)
        let faster = try Replacement.speedUp(original, replacing: previous, cap: 10_000_000_000)
        #expect(faster.nonce == 12 && faster.data == [1, 2, 3] && faster.gasLimit == 200_000)
        #expect(faster.maxPriorityFeePerGas == 1_125_000_000 && faster.maxFeePerGas == 3_375_000_000)
        // The market moved past the bump: its fees win.
        let market = try Replacement.speedUp(original, replacing: previous,
                                             market: (maxFeePerGas: 5_000_000_000, maxPriorityFeePerGas: 1_000_000_000),
                                             cap: 10_000_000_000)
        #expect(market.maxFeePerGas == 5_000_000_000 && market.maxPriorityFeePerGas == 1_125_000_000)
        #expect(throws: FeeError.aboveCap(maxFeePerGas: 3_375_000_000, cap: 3_000_000_000)) {
            try Replacement.speedUp(original, replacing: previous, cap: 3_000_000_000)
        }
    }

    @Test func cancelIsAZeroValueSelfTransferAtTheSameNonce() throws {
        let wallet = SwapNonceBookTests.wallet
        let previous = SentTransaction(hash: [1], raw: [2], maxFeePerGas: 3_000_000_000, maxPriorityFeePerGas: 1_000_000_000,
                                       purpose: .original)
        let cancel = try Replacement.cancel(wallet: wallet, chainId: 31337, nonce: 12, replacing: previous,
                                            market: (maxFeePerGas: 1, maxPriorityFeePerGas: 1), cap: 10_000_000_000)
        #expect(cancel.to == wallet && cancel.value == 0 && cancel.data.isEmpty && cancel.gasLimit == 21_000)
        #expect(cancel.nonce == 12 && cancel.kind == .eip1559 && cancel.chainId == 31337)
        #expect(cancel.maxFeePerGas == 3_375_000_000 && cancel.maxPriorityFeePerGas == 1_125_000_000)
        let fill = try Replacement.cancel(wallet: wallet, chainId: 31337, nonce: 5, replacing: nil,
                                          market: (maxFeePerGas: 40, maxPriorityFeePerGas: 2), cap: 100)
        #expect(fill.maxFeePerGas == 40 && fill.maxPriorityFeePerGas == 2)
    }
}
