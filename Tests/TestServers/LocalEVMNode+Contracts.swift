import Foundation

extension LocalEVMNode {
    /// Runs one of Tests/EVMContracts' deploy scripts (the project's own test contracts, compiled there by vyper from
    /// the node's venv: no bytecode is kept) against this node; returns the one JSON object it prints. A failed
    /// deploy stops the node and throws with the script's complaint.
    public func deploy(_ script: String) throws -> [String: Any] {
        let deploy = Process()
        deploy.executableURL = LocalServer.root.appendingPathComponent(".venv-evm/bin/python")
        deploy.arguments = [LocalServer.root.appendingPathComponent("Tests/EVMContracts/\(script)").path, rpcURL,
                            Self.sharedFolder.appendingPathComponent("evm").path]
        let output = Pipe(), errors = Pipe()
        deploy.standardOutput = output
        deploy.standardError = errors
        try deploy.run()
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        let complaint = errors.fileHandleForReading.readDataToEndOfFile()
        // Polling: Foundation's waitUntilExit spins a run loop that hangs inside a Swift concurrency task.
        for _ in 0..<500 where deploy.isRunning { usleep(10_000) }
        guard !deploy.isRunning, deploy.terminationStatus == 0,
              let fields = try? JSONSerialization.jsonObject(with: printed) as? [String: Any] else {
            stop()
            throw LocalServerError(description: "\(script) failed: \(String(decoding: complaint.suffix(3000), as: UTF8.self))")
        }
        return fields
    }
}
