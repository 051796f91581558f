import DexterCrypto
import DexterNet
import Foundation

/// Jupiter's Swap API over HTTP: a quote, then its swap transaction, which is checked by simulation against the quote
/// before dexter signs it (the API builds it; dexter vouches for what it does).
public final class JupiterClient: Sendable {
    let baseURL: String
    private let transport = HTTPTransport()

    public init(baseURL: String) { self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL }

    /// `dexes`: the DEX labels the route may use (Jupiter's `dexes`), with `onlyDirectRoutes` (one pool) when given.
    public func quote(input: SolanaPublicKey, output: SolanaPublicKey, amount: UInt64, exactIn: Bool = true,
                      slippageBps: Int, dexes: [String]? = nil) async throws(JupiterError) -> JupiterQuote {
        var query = "inputMint=\(input)&outputMint=\(output)&amount=\(amount)&slippageBps=\(slippageBps)"
            + "&swapMode=\(exactIn ? "ExactIn" : "ExactOut")"
        if let dexes {
            let labels = dexes.joined(separator: ",").addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? ""
            query += "&dexes=\(labels)&onlyDirectRoutes=true"
        }
        let json = try await exchange(HTTPCall(.GET, "\(baseURL)/swap/v1/quote?\(query)", timeout: .seconds(10)))
        let quote = try JupiterWire.readQuote(json)
        // The quote must be for what was asked.
        guard quote.inputMint == input, quote.outputMint == output,
              exactIn ? quote.inAmount == amount : quote.outAmount == amount else {
            throw .refused("the quote is for \(quote.inAmount) \(quote.inputMint) → \(quote.outAmount) \(quote.outputMint), "
                           + "asked \(amount) \(exactIn ? "in" : "out")")
        }
        return quote
    }

    /// The unsigned swap transaction for `quote`, paid and signed by `user`, with its blockhash's last valid height.
    /// `wrapAndUnwrapSol` false: SOL moves as wSOL from and to the user's own wrapped-SOL account, so every amount
    /// shows in the transaction's token balances. `dynamicComputeUnitLimit`: Jupiter simulates the transaction and
    /// sets its limit from the units used (with its margin) instead of the 1.4M maximum.
    public func swapTransaction(_ quote: JupiterQuote, user: SolanaPublicKey, microLamportsPerUnit: UInt64,
                                wrapAndUnwrapSol: Bool = true, dynamicComputeUnitLimit: Bool = false) async throws(JupiterError)
        -> JupiterSwapTransaction {
        let body: SolanaJSON = ["quoteResponse": quote.raw, "userPublicKey": .string(user.description),
                                "wrapAndUnwrapSol": .bool(wrapAndUnwrapSol), "dynamicComputeUnitLimit": .bool(dynamicComputeUnitLimit),
                                "computeUnitPriceMicroLamports": .unsigned(microLamportsPerUnit)]
        let bytes = Array((try? JSONEncoder().encode(body)) ?? Data())
        let json = try await exchange(HTTPCall(.POST, "\(baseURL)/swap/v1/swap",
                                               headers: ["Content-Type": "application/json"], body: bytes,
                                               timeout: .seconds(10)))
        let swap = try JupiterWire.readSwap(json, user: user)
        // It pays what was asked for its priority, never more.
        if let price = swap.read.computeBudget.microLamportsPerUnit, price > microLamportsPerUnit {
            throw .refused("the transaction offers \(price) µlamports per compute unit; \(microLamportsPerUnit) was asked")
        }
        return swap
    }

    private func exchange(_ call: HTTPCall) async throws(JupiterError) -> SolanaJSON {
        let answer: HTTPAnswer
        do {
            answer = try await transport.send(call)
        } catch {
            throw .transport(error.description)
        }
        let json: SolanaJSON
        do {
            json = try JSONDecoder().decode(SolanaJSON.self, from: Data(answer.body))
        } catch {
            throw .transport("HTTP \(answer.status), not JSON")
        }
        guard (200..<300).contains(answer.status) else {
            if case .object(let members) = json, case .string(let message)? = members["error"] {
                var code = ""
                if case .string(let text)? = members["errorCode"] { code = text }
                throw .api(status: answer.status, code: code, message: message)
            }
            throw .transport("HTTP \(answer.status)")
        }
        return json
    }
}

/// A Jupiter swap that was sent: how it ended and, once landed, what the user paid and got, from the transaction's
/// own token balances.
public struct JupiterFill: Sendable, Hashable {
    public let landing: SolanaLanding
    public let paid: UInt64
    public let received: UInt64
    public let fee: UInt64
}

extension JupiterClient {
    /// quote → swap transaction → simulated and checked against the quote (the user's input spent at most what is
    /// quoted, output gained at least the threshold) → signed → sent → followed to its end → the fill read from the
    /// landed transaction's token balances.
    public func swap(_ quote: JupiterQuote, keypair: SolanaKeypair, rpc: SolanaRPCClient, microLamportsPerUnit: UInt64,
                     pause: @Sendable () async throws -> Void) async throws -> JupiterFill {
        let user = keypair.publicKey
        let swap = try await swapTransaction(quote, user: user, microLamportsPerUnit: microLamportsPerUnit)
        let (message, lastValid) = (swap.message, swap.lastValidBlockHeight)
        let unsigned = [1] + [UInt8](repeating: 0, count: 64) + message
        let simulation = try await rpc.simulate(unsigned, .processed, sigVerify: false)
        if let error = simulation.error { throw SolanaSendError.simulationFailed(error, logs: simulation.logs) }
        let record = SolanaTransactionRecord(slot: 0, error: nil, fee: 0, logs: [], preTokenBalances: simulation.preTokenBalances,
                                             postTokenBalances: simulation.postTokenBalances)
        let spent = record.tokenChange(owner: user, mint: quote.inputMint).spent
        let gained = record.tokenChange(owner: user, mint: quote.outputMint).gained
        let enoughOut = quote.exactIn ? gained >= quote.otherAmountThreshold : gained >= quote.outAmount
        let notTooMuchIn = quote.exactIn ? spent <= quote.inAmount : spent <= quote.otherAmountThreshold
        guard enoughOut, notTooMuchIn else {
            throw JupiterError.refused("simulated, \(user) spends \(spent) of \(quote.inputMint) and gains \(gained) of "
                                       + "\(quote.outputMint); the quote says \(quote.inAmount) → \(quote.outAmount) "
                                       + "(threshold \(quote.otherAmountThreshold))")
        }
        let signature = try keypair.sign(message)
        let signed = SolanaSignedTransaction(wire: [1] + signature + message, signature: Base58.encode(signature))
        let landing = try await rpc.sendAndConfirm(signed, lastValidBlockHeight: lastValid, commitment: .confirmed,
                                                   pause: pause)
        guard case .landed = landing, let landed = try await rpc.transaction(signed.signature, .confirmed) else {
            return JupiterFill(landing: landing, paid: 0, received: 0, fee: 0)
        }
        return JupiterFill(landing: landing, paid: landed.tokenChange(owner: user, mint: quote.inputMint).spent,
                           received: landed.tokenChange(owner: user, mint: quote.outputMint).gained, fee: landed.fee)
    }
}
