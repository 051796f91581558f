import DexterCrypto

/// A Solidity custom error, `error Name(types…)`, known by its canonical signature.
public struct CustomError: Sendable, Hashable {
    public let name: String
    /// Canonical: "ERC20InsufficientBalance(address,uint256,uint256)".
    public let signature: String
    public let types: [ABIType]
    /// keccak256(signature)[0..<4], as for a function.
    public let selector: [UInt8]

    public struct BadSignature: Error, Sendable, Hashable, CustomStringConvertible {
        public let signature: String
        public let reason: String
        public var description: String { "custom error signature \"\(signature)\": \(reason)" }
    }

    public init(signature: String) throws(BadSignature) {
        guard let open = signature.firstIndex(of: "("), open != signature.startIndex else {
            throw BadSignature(signature: signature, reason: "expected Name(type,…)")
        }
        let name = String(signature[..<open])
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw BadSignature(signature: signature, reason: "\"\(name)\" is not an identifier")
        }
        let parameters: ABIType
        do { parameters = try ABIType(parsing: String(signature[open...])) } catch {
            throw BadSignature(signature: signature, reason: error.reason)
        }
        guard case .tuple(let types) = parameters else {
            throw BadSignature(signature: signature, reason: "parameters are not one parenthesised list")
        }
        self.name = name
        self.types = types
        // Canonical text (no spaces, full type names), so the selector is the one the contract computed.
        self.signature = name + parameters.description
        self.selector = ABI.selector(self.signature)
    }
}

/// Custom errors by selector. Extend it with the errors of the contracts a venue calls: `adding(signature:)`.
public struct CustomErrorTable: Sendable {
    private var bySelector: [[UInt8]: CustomError] = [:]

    public init(signatures: [String]) throws(CustomError.BadSignature) {
        for signature in signatures { self = try adding(signature: signature) }
    }

    public func adding(signature: String) throws(CustomError.BadSignature) -> CustomErrorTable {
        var table = self
        let error = try CustomError(signature: signature)
        table.bySelector[error.selector] = error
        return table
    }

    public func error(for selector: [UInt8]) -> CustomError? { bySelector[selector] }

    public var count: Int { bySelector.count }

    /// Errors a swap meets on the way, each from its published source:
    /// - OpenZeppelin Contracts 5 `draft-IERC6093.sol` (ERC-6093, custom errors for ERC-20 tokens) and `SafeERC20`;
    /// - Uniswap universal-router `IUniversalRouter`, `V2SwapRouter`, `V3SwapRouter`;
    /// - Uniswap permit2 `IAllowanceTransfer` / `SignatureTransfer` errors.
    public static let commonSignatures = [
        "ERC20InsufficientBalance(address,uint256,uint256)",
        "ERC20InvalidSender(address)",
        "ERC20InvalidReceiver(address)",
        "ERC20InsufficientAllowance(address,uint256,uint256)",
        "ERC20InvalidApprover(address)",
        "ERC20InvalidSpender(address)",
        "SafeERC20FailedOperation(address)",
        "ExecutionFailed(uint256,bytes)",
        "ETHNotAccepted()",
        "TransactionDeadlinePassed()",
        "LengthMismatch()",
        "V2TooLittleReceived()",
        "V2TooMuchRequested()",
        "V2InvalidPath()",
        "V3InvalidSwap()",
        "V3TooLittleReceived()",
        "V3TooMuchRequested()",
        "V3InvalidAmountOut()",
        "V3InvalidCaller()",
        "AllowanceExpired(uint256)",
        "InsufficientAllowance(uint256)",
        "SignatureExpired(uint256)",
        "InvalidNonce()",
    ]

    /// The table of `commonSignatures`. Every entry parses (a test checks), so building it cannot fail.
    public static let common: CustomErrorTable = {
        var table = CustomErrorTable()
        for signature in commonSignatures {
            if let error = try? CustomError(signature: signature) { table.bySelector[error.selector] = error }
        }
        return table
    }()

    private init() {}
}

/// Uniswap's short `require` reasons in words, from their sources: v3-core `UniswapV3Pool.sol` (LOK, AS, SPL, IIA,
/// TLU, TLM, TUM, M0, M1), v3-periphery `TransferHelper.sol` (STF, ST, SA, STE) and `SwapRouter.sol` / `PeripheryValidation`
/// ("Too little received", "Transaction too old").
public enum UniswapReasonGlossary {
    public static let words: [String: String] = [
        "LOK": "pool locked: reentrant call",
        "AS": "amountSpecified is zero",
        "SPL": "sqrtPriceLimitX96 on the wrong side of the price or out of range",
        "IIA": "insufficient input amount paid to the pool",
        "TLU": "tickLower not below tickUpper",
        "TLM": "tickLower below the minimum tick",
        "TUM": "tickUpper above the maximum tick",
        "M0": "token0 not paid in for a mint",
        "M1": "token1 not paid in for a mint",
        "STF": "safeTransferFrom failed: allowance or balance too small",
        "ST": "safeTransfer failed",
        "SA": "safeApprove failed",
        "STE": "safeTransferETH failed",
        "Too little received": "output below amountOutMinimum",
        "Transaction too old": "deadline passed",
    ]
}
