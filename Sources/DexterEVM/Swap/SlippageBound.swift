import BigInt
import DexterCore

/// The approved slippage bound of a swap: the share of the quoted output the trader accepts to lose.
///
/// `amountOutMinimum` is what bounds the loss on chain whatever route the transaction takes, so it is computed in
/// exact integers: the allowed loss is rounded down, so the minimum never falls a wei below quote × (1 − bound)
/// (that would be a looser bound than approved).
public struct SlippageBound: Sendable, Hashable, CustomStringConvertible {
    /// The bound times 10¹⁸ (FixedDecimal's raw scale).
    public let raw: Int128

    public struct OutOfRange: Error, Sendable, Hashable, CustomStringConvertible {
        public let bound: FixedDecimal
        public var description: String { "slippage bound \(bound) is outside [0, 1)" }
    }

    /// A fraction: 0.005 is 0.5 %.
    public init(fraction: FixedDecimal) throws(OutOfRange) {
        guard fraction.raw >= 0, fraction.raw < FixedDecimal.unit else { throw OutOfRange(bound: fraction) }
        raw = fraction.raw
    }

    /// Basis points: 50 is 0.5 %.
    public init(basisPoints: Int) throws(OutOfRange) {
        try self.init(fraction: FixedDecimal(raw: Int128(basisPoints) * FixedDecimal.unit / 10_000))
    }

    public var fraction: FixedDecimal { FixedDecimal(raw: raw) }

    /// No loss allowed: the minimum is the quote itself (a limit already worked into the quote).
    public static let none = SlippageBound(raw: 0)

    private init(raw: Int128) { self.raw = raw }

    /// The loss the bound allows, quote × bound, rounded DOWN to a whole base unit.
    public func allowedLoss(quote: BigUInt) -> BigUInt { quote * BigUInt(raw) / BigUInt(FixedDecimal.unit) }

    /// `amountOutMinimum`: the quote less the allowed loss. Because the loss is rounded down, the minimum is
    /// ⌈quote × (1 − bound)⌉: never a wei below what the bound approves.
    public func minimumOutput(quote: BigUInt) -> BigUInt { quote - allowedLoss(quote: quote) }

    public var description: String { "\(fraction.formatted(digits: 6)) slippage bound" }
}

/// A swap's deadline: the last block timestamp at which the router still executes it (SwapRouter's
/// `checkDeadline`: `block.timestamp <= deadline`, "Transaction too old"; V2's `ensure`: "EXPIRED").
public enum SwapDeadline {
    /// `window` seconds after a block's timestamp (the latest block's, not the local clock: the chain judges).
    public static func after(blockTimestamp: BigUInt, window seconds: UInt64) -> BigUInt {
        blockTimestamp + BigUInt(seconds)
    }
}
