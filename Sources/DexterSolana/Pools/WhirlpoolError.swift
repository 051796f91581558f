/// A Whirlpool program error, by the program's own Anchor code and name, so a quote that refuses says what the
/// program would have said (6000 + the variant's index in the program's ErrorCode enum).
public struct WhirlpoolError: Error, Sendable, Hashable, CustomStringConvertible {
    public let code: Int
    public let name: String

    public var description: String { "Whirlpool error \(code) \(name)" }

    static let divideByZero = WhirlpoolError(code: 6006, name: "DivideByZero")
    static let numberDownCastError = WhirlpoolError(code: 6008, name: "NumberDownCastError")
    static let sqrtPriceOutOfBounds = WhirlpoolError(code: 6011, name: "SqrtPriceOutOfBounds")
    static let liquidityOverflow = WhirlpoolError(code: 6014, name: "LiquidityOverflow")
    static let liquidityUnderflow = WhirlpoolError(code: 6015, name: "LiquidityUnderflow")
    static let tokenMaxExceeded = WhirlpoolError(code: 6017, name: "TokenMaxExceeded")
    static let tokenMinSubceeded = WhirlpoolError(code: 6018, name: "TokenMinSubceeded")
    static let invalidTickArraySequence = WhirlpoolError(code: 6023, name: "InvalidTickArraySequence")
    static let multiplicationShiftRightOverflow = WhirlpoolError(code: 6030, name: "MultiplicationShiftRightOverflow")
    static let mulDivOverflow = WhirlpoolError(code: 6031, name: "MulDivOverflow")
    static let multiplicationOverflow = WhirlpoolError(code: 6033, name: "MultiplicationOverflow")
    static let invalidSqrtPriceLimitDirection = WhirlpoolError(code: 6034, name: "InvalidSqrtPriceLimitDirection")
    static let zeroTradableAmount = WhirlpoolError(code: 6035, name: "ZeroTradableAmount")
    static let amountOutBelowMinimum = WhirlpoolError(code: 6036, name: "AmountOutBelowMinimum")
    static let amountInAboveMaximum = WhirlpoolError(code: 6037, name: "AmountInAboveMaximum")
    static let tickArraySequenceInvalidIndex = WhirlpoolError(code: 6038, name: "TickArraySequenceInvalidIndex")
    static let amountCalcOverflow = WhirlpoolError(code: 6039, name: "AmountCalcOverflow")
    static let amountRemainingOverflow = WhirlpoolError(code: 6040, name: "AmountRemainingOverflow")
}
