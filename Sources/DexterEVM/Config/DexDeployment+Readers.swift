import DexterCrypto

/// A configured deployment as the pool readers take it.
extension DexDeployment {
    public func v3(name: String) -> UniswapV3Deployment {
        if let initCodeHash {
            return UniswapV3Deployment(name: name, factory: factory, quoter: quoter, poolDeployer: poolDeployer,
                                       poolInitCodeHash: initCodeHash)
        }
        return UniswapV3Deployment(name: name, factory: factory, quoter: quoter, poolDeployer: poolDeployer)
    }

    public func v2(name: String) -> UniswapV2Deployment {
        UniswapV2Deployment(
            name: name, factory: factory, router: router,
            pairAddressCheck: initCodeHash.map { .create2(initCodeHash: $0) }
                ?? .factoryOnly(why: "no init code hash is configured: the factory's getPair is taken as it answers"),
            feeBps: feeBps ?? 30)
    }
}
