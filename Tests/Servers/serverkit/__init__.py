"""Pieces the local exchange servers and their test suites share (a package: the servers' own modules import each
other by bare name, so a shared module needs a name no server uses).

- `lifetime`: a server stops on SIGTERM / SIGINT (whatever mask it inherited) or when its parent process dies.
- `decimals`: exact decimal parsing and wire formatting.
- `levels`: one side of a price-level book, kept sorted.
- `pairbook`, `aggfaults`: the aggregator servers' (1inch, 0x) constant-product books and injected faults.
- `testing`: for the pytest suites: start/stop a server process, a WebSocket test client, `sync`, `listening_ips`.
"""
