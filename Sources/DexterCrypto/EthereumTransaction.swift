import BigInt

/// An Ethereum transaction of any of the pre-blob types, serialised and signed as ethers.js does.
public struct EthereumTransaction: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// Type 0 without replay protection: v = 27 + y parity.
        case legacy
        /// Type 0 with EIP-155 replay protection: v = chainId × 2 + 35 + y parity.
        case eip155
        /// Type 1, EIP-2930: an access list; v = y parity.
        case eip2930
        /// Type 2, EIP-1559: priority fee and fee cap instead of a gas price; v = y parity.
        case eip1559
    }

    public struct AccessListEntry: Sendable, Hashable {
        public var address: EthereumAddress
        public var storageKeys: [[UInt8]]

        public init(address: EthereumAddress, storageKeys: [[UInt8]]) {
            self.address = address
            self.storageKeys = storageKeys
        }
    }

    public var kind: Kind
    public var chainId: BigUInt
    public var nonce: BigUInt
    public var gasPrice: BigUInt
    public var maxPriorityFeePerGas: BigUInt
    public var maxFeePerGas: BigUInt
    public var gasLimit: BigUInt
    /// nil creates a contract.
    public var to: EthereumAddress?
    public var value: BigUInt
    public var data: [UInt8]
    public var accessList: [AccessListEntry]

    public init(kind: Kind, chainId: BigUInt = 0, nonce: BigUInt = 0, gasPrice: BigUInt = 0,
                maxPriorityFeePerGas: BigUInt = 0, maxFeePerGas: BigUInt = 0, gasLimit: BigUInt = 0,
                to: EthereumAddress? = nil, value: BigUInt = 0, data: [UInt8] = [], accessList: [AccessListEntry] = []) {
        self.kind = kind
        self.chainId = chainId
        self.nonce = nonce
        self.gasPrice = gasPrice
        self.maxPriorityFeePerGas = maxPriorityFeePerGas
        self.maxFeePerGas = maxFeePerGas
        self.gasLimit = gasLimit
        self.to = to
        self.value = value
        self.data = data
        self.accessList = accessList
    }

    private var toItem: RLPItem { .bytes(to?.bytes ?? []) }

    private var accessListItem: RLPItem {
        .list(accessList.map { .list([.bytes($0.address.bytes), .list($0.storageKeys.map { .bytes($0) })]) })
    }

    /// The fields a signature covers, in the type's order, before the signature fields.
    private var fields: [RLPItem] {
        switch kind {
        case .legacy, .eip155:
            return [.integer(nonce), .integer(gasPrice), .integer(gasLimit), toItem, .integer(value), .bytes(data)]
        case .eip2930:
            return [.integer(chainId), .integer(nonce), .integer(gasPrice), .integer(gasLimit), toItem, .integer(value),
                    .bytes(data), accessListItem]
        case .eip1559:
            return [.integer(chainId), .integer(nonce), .integer(maxPriorityFeePerGas), .integer(maxFeePerGas),
                    .integer(gasLimit), toItem, .integer(value), .bytes(data), accessListItem]
        }
    }

    private func envelope(_ items: [RLPItem]) -> [UInt8] {
        let body = RLP.encode(.list(items))
        switch kind {
        case .legacy, .eip155: return body
        case .eip2930: return [0x01] + body
        case .eip1559: return [0x02] + body
        }
    }

    /// What is hashed and signed.
    public var unsignedSerialization: [UInt8] {
        kind == .eip155 ? envelope(fields + [.integer(chainId), .integer(0), .integer(0)]) : envelope(fields)
    }

    public var signingHash: [UInt8] { Keccak256.hash(unsignedSerialization) }

    /// The `v` a signature with y parity `parity` carries in this type.
    public func v(parity: Int) -> BigUInt {
        switch kind {
        case .legacy: return BigUInt(27 + parity)
        case .eip155: return chainId * 2 + 35 + BigUInt(parity)
        case .eip2930, .eip1559: return BigUInt(parity)
        }
    }

    /// The raw signed transaction, ready for `eth_sendRawTransaction`.
    public func serialized(with signature: Secp256k1.Signature) -> [UInt8] {
        func trimmed(_ bytes: [UInt8]) -> RLPItem { .bytes(Array(bytes.drop { $0 == 0 })) }
        return envelope(fields + [.integer(v(parity: signature.recoveryId)), trimmed(signature.r), trimmed(signature.s)])
    }

    public func sign(with key: EthereumPrivateKey) throws(Secp256k1.Failure) -> (signature: Secp256k1.Signature, raw: [UInt8]) {
        let signature = try key.sign(hash: signingHash)
        return (signature, serialized(with: signature))
    }
}

/// `personal_sign` (EIP-191 version 0x45): keccak256("\u{19}Ethereum Signed Message:\n" + length + message).
public enum PersonalMessage {
    public static func hash(_ message: [UInt8]) -> [UInt8] {
        Keccak256.hash(Array("\u{19}Ethereum Signed Message:\n\(message.count)".utf8) + message)
    }

    /// r ‖ s ‖ v with v = 27 + y parity, as wallets return it.
    public static func sign(_ message: [UInt8], with key: EthereumPrivateKey) throws(Secp256k1.Failure) -> [UInt8] {
        let signature = try key.sign(hash: hash(message))
        return signature.r + signature.s + [UInt8(27 + signature.recoveryId)]
    }
}
