import BigInt
import DexterCrypto

/// One wallet on one chain: nonces are counted per (address, chain id).
public struct NonceKey: Sendable, Hashable, CustomStringConvertible {
    public let wallet: EthereumAddress
    public let chainId: BigUInt

    public init(wallet: EthereumAddress, chainId: BigUInt) {
        self.wallet = wallet
        self.chainId = chainId
    }

    public var description: String { "\(wallet) on chain \(chainId)" }
}

/// A signed transaction as it went out.
public struct SentTransaction: Sendable, Hashable {
    public enum Purpose: Sendable, Hashable { case original, speedUp, cancel, gapFill }

    public let hash: [UInt8]
    public let raw: [UInt8]
    public let maxFeePerGas: BigUInt
    public let maxPriorityFeePerGas: BigUInt
    public let purpose: Purpose

    public init(hash: [UInt8], raw: [UInt8], maxFeePerGas: BigUInt, maxPriorityFeePerGas: BigUInt, purpose: Purpose) {
        self.hash = hash
        self.raw = raw
        self.maxFeePerGas = maxFeePerGas
        self.maxPriorityFeePerGas = maxPriorityFeePerGas
        self.purpose = purpose
    }

    /// Reads hash and fees from a transaction and its signed bytes.
    public init(_ transaction: EthereumTransaction, raw: [UInt8], purpose: Purpose) {
        self.init(hash: Keccak256.hash(raw), raw: raw, maxFeePerGas: transaction.maxFeePerGas,
                  maxPriorityFeePerGas: transaction.maxPriorityFeePerGas, purpose: purpose)
    }
}

/// What to do about a nonce the node lacks while later ones of ours wait behind it.
public enum GapRepair: Sendable, Hashable {
    /// We signed this nonce: send the latest attempt's bytes again.
    case rebroadcast(nonce: BigUInt, raw: [UInt8])
    /// We hold nothing for this nonce (lost before it was recorded): fill it with a cancel.
    case fill(nonce: BigUInt)
}

/// The nonces of one wallet on one chain, as a pure state machine: the engine feeds it what it sent and what the
/// node says, and asks it for the next nonce and for repairs. Nothing here talks to a node.
public struct NonceBook: Sendable {
    public let key: NonceKey
    /// Sent and not yet mined, by nonce; each holds every attempt at that nonce (original, speed-ups, cancel).
    public private(set) var pending: [BigUInt: [SentTransaction]] = [:]
    /// Mined (the chain's count passed them) and kept until final, so that a reorg can bring them back.
    public private(set) var mined: [BigUInt: [SentTransaction]] = [:]
    /// The chain's transaction count at the latest block, as last seen.
    public private(set) var chainCount: BigUInt = 0
    /// Nonces a node refused as too high (a gap before them): re-sent once the gap is repaired.
    public private(set) var heldBehindGap: Set<BigUInt> = []

    public init(key: NonceKey) { self.key = key }

    /// max(the node's pending count, our highest pending nonce + 1): neither a nonce the node already holds, nor one
    /// below a transaction of ours the node has not reported yet.
    public func nextNonce(nodePendingCount: BigUInt) -> BigUInt {
        guard let highest = pending.keys.max() else { return max(nodePendingCount, chainCount) }
        return max(nodePendingCount, highest + 1, chainCount)
    }

    /// The attempts at `nonce`, newest last; empty when nothing of ours is pending there.
    public func attempts(at nonce: BigUInt) -> [SentTransaction] { pending[nonce] ?? [] }

    /// Every attempt at `nonce` the book still holds, pending or mined (kept until final), newest last.
    public func everyAttempt(at nonce: BigUInt) -> [SentTransaction] { pending[nonce] ?? mined[nonce] ?? [] }

    public mutating func recordSent(_ transaction: SentTransaction, nonce: BigUInt) {
        pending[nonce, default: []].append(transaction)
    }

    /// What the node's refusal of a send at `nonce` means for the book.
    public enum RejectionOutcome: Sendable, Hashable {
        /// The node has it: count it as sent.
        case keepAsSent
        /// The nonce is taken on chain: drop our attempt, take a fresh nonce from the node's counts.
        case nonceTaken
        /// Raise the fees further and send again at the same nonce.
        case bumpFees
        /// Repair the gap before this nonce (see `gapRepairs`), then send again.
        case repairGap
        /// Nothing the book can do: the trader is told the node's reason.
        case refused(SendRejection)
    }

    public mutating func recordRejected(_ transaction: SentTransaction, nonce: BigUInt,
                                        reason: SendRejection) -> RejectionOutcome {
        switch reason {
        case .alreadyKnown:
            if !attempts(at: nonce).contains(transaction) { recordSent(transaction, nonce: nonce) }
            return .keepAsSent
        case .nonceTooLow:
            // A replacement refused as too low means an earlier attempt at this nonce was mined: that stays.
            if pending[nonce] == nil { return .nonceTaken }
            return .refused(reason)
        case .replacementUnderpriced: return .bumpFees
        case .nonceTooHigh:
            // Kept: some nodes refuse a nonce beyond a gap where geth would queue it; it goes again after the repair.
            if !attempts(at: nonce).contains(transaction) { recordSent(transaction, nonce: nonce) }
            heldBehindGap.insert(nonce)
            return .repairGap
        case .underpriced, .insufficientFunds, .other: return .refused(reason)
        }
    }

    /// The chain's count at the latest block moved to `latestCount`: nonces below it are mined (moved aside and
    /// returned), and after a reorg that lowered it, mined ones at or above it are pending again (also returned).
    @discardableResult
    public mutating func chainCountChanged(to latestCount: BigUInt) -> (mined: [BigUInt], unmined: [BigUInt]) {
        var newlyMined: [BigUInt] = []
        var unmined: [BigUInt] = []
        for nonce in pending.keys where nonce < latestCount {
            mined[nonce] = pending.removeValue(forKey: nonce)
            heldBehindGap.remove(nonce)
            newlyMined.append(nonce)
        }
        for nonce in mined.keys where nonce >= latestCount {
            pending[nonce] = mined.removeValue(forKey: nonce)
            unmined.append(nonce)
        }
        chainCount = latestCount
        return (newlyMined.sorted(), unmined.sorted())
    }

    /// Mined nonces below `finalCount` can no longer be reorged out: forget them.
    public mutating func finalized(below finalCount: BigUInt) {
        for nonce in mined.keys where nonce < finalCount { mined.removeValue(forKey: nonce) }
    }

    /// Gaps: the node's pending count stops at P while we hold later nonces, so the node lacks P (and may lack
    /// anything of [P, our highest) — asking again is harmless, a node answers "already known"); nonces it says it lacks (`unknownToNode`, from `eth_getTransactionByHash` = null)
    /// with later ones of ours pending are gaps too. Each is re-sent if we signed it, or filled with a cancel.
    public func gapRepairs(nodePendingCount: BigUInt, unknownToNode: Set<BigUInt> = []) -> [GapRepair] {
        guard let highest = pending.keys.max() else { return [] }
        var gaps = Set<BigUInt>()
        // Our highest nonce is no gap: nothing waits behind it. If the node lacks it, it is dropped (the order's
        // state says so, and the trader re-sends or cancels it).
        var nonce = max(nodePendingCount, chainCount)
        while nonce < highest {
            gaps.insert(nonce)
            nonce += 1
        }
        for nonce in unknownToNode where nonce >= chainCount && nonce < highest { gaps.insert(nonce) }
        // What a node refused behind the gap goes again after it, in nonce order.
        if !gaps.isEmpty { gaps.formUnion(heldBehindGap.filter { $0 >= chainCount }) }
        return gaps.sorted().map { nonce in
            if let latest = pending[nonce]?.last { return .rebroadcast(nonce: nonce, raw: latest.raw) }
            return .fill(nonce: nonce)
        }
    }
}

/// Every wallet's book, by (wallet, chain id).
public struct NonceManager: Sendable {
    public private(set) var books: [NonceKey: NonceBook] = [:]

    public init() {}

    public subscript(key: NonceKey) -> NonceBook {
        get { books[key] ?? NonceBook(key: key) }
        set { books[key] = newValue }
    }
}
