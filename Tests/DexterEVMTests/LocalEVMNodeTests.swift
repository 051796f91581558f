import Foundation
import Testing
import TestServers

/// The test harness's node: it starts with the Uniswap deployment at its documented addresses, and a snapshot taken
/// after the deploy brings the chain back after a test moved it.
@Suite struct LocalEVMNodeTests {
    @Test func startsDeployedAndRevertsToASnapshot() async throws {
        let node = try LocalEVMNode()
        defer { node.stop() }
        let deployments = try #require(node.deployments)
        #expect(deployments.chainId == 31337)
        #expect(try deployments.contract("QuoterV2") == "0x2279B7A0a67DB372996a5FaB50D91eAA73d2eBe6")
        #expect(try deployments.pool("WETH/USDC 0.05%").address == "0x598F8e7F5ff034Ce4f6570201A2C3EC1Bf9Ef43C")
        #expect(try await node.call("eth_chainId") as? String == "0x7a69")
        let deployed = try await node.call("eth_blockNumber") as? String
        #expect(deployed == "0x" + String(deployments.blockNumber, radix: 16))
        let snapshot = try await node.snapshot()
        try await node.mine()
        try await node.mine()
        #expect(try await node.call("eth_blockNumber") as? String == "0x" + String(deployments.blockNumber + 2, radix: 16))
        try await node.revert(to: snapshot)
        #expect(try await node.call("eth_blockNumber") as? String == deployed)
    }

    @Test func aBareNodeOnAnotherChain() async throws {
        let node = try LocalEVMNode(chainId: 5, bare: true)
        defer { node.stop() }
        #expect(node.deployments == nil)
        #expect(try await node.call("eth_chainId") as? String == "0x5")
    }
}
