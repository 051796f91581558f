import DexterCrypto
import DexterEVM
import Testing

/// The mainnet defaults: every address passes EIP-55 as written (a typo stops here, not in a trade), every V3
/// deployment can be quoted and CREATE2-checked, every V2 one knows its fee or says it has none to know.
struct KnownDeploymentsTests {
    @Test func everyKnownDeploymentIsWhole() {
        #expect(KnownDeployments.names(chainId: 1) == ["balancer", "curve", "sushiswap", "uniswap-v2", "uniswap-v3"])
        #expect(KnownDeployments.names(chainId: 56) == ["apeswap", "balancer", "biswap", "pancakeswap-v2", "pancakeswap-v3"])
        #expect(KnownDeployments.names(chainId: 137) == ["balancer", "quickswap"])
        for chain in [UInt64(1), 56, 137] {
            for name in KnownDeployments.names(chainId: chain) {
                let deployment = KnownDeployments.named(name, chainId: chain)!
                switch deployment.protocolKind {
                case .uniswapV3:
                    #expect(deployment.quoter != nil && deployment.router != nil && deployment.initCodeHash?.count == 32, "\(name)")
                case .uniswapV2:
                    #expect(deployment.router != nil && deployment.initCodeHash?.count == 32, "\(name)")
                    #expect((deployment.feeBps == nil) == (name == "biswap"), "only BiSwap sets its fee per pair")
                case .curve, .balancerWeighted:
                    #expect(deployment.router == nil)
                }
            }
        }
        // PancakeSwap V3 pools come from its deployer; the factory alone would derive addresses where no pool is.
        #expect(KnownDeployments.named("pancakeswap-v3", chainId: 56)?.poolDeployer != nil)
        #expect(KnownDeployments.named("uniswap-v3", chainId: 56) == nil)
    }

    @Test func knownChainsNameTheirWrappedGasToken() {
        #expect(KnownChains.named("ethereum")?.tokens["ETH"]?.checksummed == "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2")
        #expect(KnownChains.named("bsc")?.chainId == 56)
        #expect(KnownChains.named("polygon")?.tokens["USDC.e"] != KnownChains.named("polygon")?.tokens["USDC"])
        #expect(KnownChains.named("solana") == nil)
    }
}
