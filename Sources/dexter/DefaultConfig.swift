/// The embedded configuration: what dexter runs on with no config.toml. `config.toml.example` is this text,
/// byte for byte (a test holds them together), so the example documents every key with its real default.
enum DefaultConfig {
    static let text = #"""
# dexter configuration
#
# dexter looks for this file at --config, then $DEXTER_CONFIG, then $XDG_CONFIG_HOME/dexter/config.toml.
# With no file at all it runs on exactly the values below: the embedded simulated market (SIM, paper trading).
# Amounts of money are decimal strings ("0.001"), never floats, so they stay exact.

# Who is trading; booked on every ledger record. Default: the OS user.
# user = "alice"

# Colour theme: dark, light, high-contrast, mono, or a path to a theme .toml file. NO_COLOR forces mono.
theme = "dark"

# The mouse: a click focuses a panel or selects a row, the wheel scrolls. false leaves clicks to the terminal.
mouse = true

# Where the ledger lives. Default: $XDG_DATA_HOME/dexter/sim.sqlite (~/.local/share/dexter/sim.sqlite).
# ledger = "/var/lib/dexter/sim.sqlite"

# Where the session log goes (one line per event; never a secret). Default: $XDG_STATE_HOME/dexter/sim.log
# (~/.local/state/dexter/sim.log).
# log = "/var/log/dexter/sim.log"

# dexter serve: the desk without a screen, reached by attached screens (dexter attach) and the local API. Every key
# is optional; uncomment [service] with the ones you set.
# [service]
# The Unix socket (0600). Default: $XDG_RUNTIME_DIR/dexter/<mode>.sock, else $XDG_STATE_HOME/dexter/<mode>.sock.
# socket = "/run/dexter/dexter.sock"
# A TCP listener too, off by default: "host:port", an IPv6 host in brackets ("[::1]:8443"). A host other than
# loopback (127.0.0.1, ::1, localhost) needs TLS: tls_cert (the certificate chain) and tls_key, PEM files.
# listen = "127.0.0.1:8443"
# tls_cert = "/etc/dexter/tls/cert.pem"
# tls_key = "/etc/dexter/tls/key.pem"
# Log records also go to stderr, one line each, when stderr is not a terminal (journald keeps them): "logfmt" or
# "json". Unset: dexter serve writes logfmt, other commands nothing. The log file above is written either way.
# log_format = "logfmt"

# Several boxes, one desk: each box books into its own ledger first and ships every booking, order event and audit
# entry to a shared PostgreSQL (docs/scale-out.md); the kill switch, reducing and resume reach every box. Off unless
# postgres_url is set.
# [desk]
# postgres_url = "postgresql://dexter@db.internal:5432/desk"   # or "postgresql://dexter@/desk?host=/run/postgresql"
# This box's name at the desk, unique per box. Default: the host's name.
# box = "tokyo-1"
# Desk-wide limits, reserved in PostgreSQL before an order leaves (the first box's figures stand at the desk): one
# daily volume in USD, with what a box keeps reserved ahead to trade on through an outage; a position cap per asset in
# units of it; one VaR budget for every box's positions together (one-day 99 %, USD).
# daily_volume_usd = "5000000"
# reserve_slice_usd = "50000"
# var_budget_usd = "250000"
# [desk.max_position]
# ETH = "500"

[auto_approve]
# Off by default. When on (or with dexter run --auto-approve), an opportunity is approved without a key if,
# re-priced on the market now, it nets at least min_net_usd, its buy leg is at most max_notional_usd, and its pair
# is listed (an empty list: every allowed pair). It still goes through every risk check.
enabled = false
min_net_usd = "20"
max_notional_usd = "25000"
pairs = []

# Per user (the one dexter runs as): any of the keys above, overriding them for that user.
# [auto_approve.users.alice]
# enabled = true
# min_net_usd = "50"
# pairs = ["ETH/USDT"]

[execution]
# Legs go out together by default. Routes listed here ("buy venue>sell venue") send the riskiest leg first (an
# on-chain swap, else the leg reaching deepest into its book) and the other only for what it filled.
sequential_routes = []

[leg_risk]
# When one leg fills and the other misses or fills short: "unwind" trades the excess back on the venue that filled
# it, "hedge" completes the missing leg on the best other venue, "halt" stops trading and alerts. The corrective IOC
# order may take a price at most max_loss_bps worse than the leg's own fill.
policy = "unwind"
max_loss_bps = 50

[leg_risk.routes]
# Per route, as "buy venue>sell venue" = "policy".
# "binance>uniswap-v2" = "halt"

[keymap]
# Rebind keys: action = "key" or ["key", "key"]; the action's default keys are replaced. A key is one character, or
# Up, Down, PgUp, PgDn, Home, End, Enter, Esc, Tab, BackTab, Backspace, Space. A key may mean only one thing.
# Actions: up, down, page_up, page_down, top, bottom, detail, approve, reject, confirm, cancel, focus_next,
# focus_previous, focus_1 … focus_8, zoom, filter, command, sort, kill, help, quit.
# approve = "A"
# quit = ["q", "Q"]

[keys]
# API keys older than this many days are flagged on screen; replace one with: dexter keys rotate VENUE.
# Keys and wallets live encrypted in $XDG_DATA_HOME/dexter/vault/<user>/ (dexter keys --help, dexter wallet --help).
max_age_days = 90

[detection]
# Smallest net profit, after fees, gas and slippage, that is shown, in USD.
min_net_usd = "0.50"
# How far a swap's average price may move against the approved one before the swap reverts (0.005 = 0.5 %).
swap_slippage_tolerance = "0.005"
# How long a perpetual leg is expected to be held: each funding its venue charges within this many hours is priced
# into the opportunity at the venue's current rate (a long pays a positive rate, a short receives it). 0: not priced.
funding_horizon_hours = 8
# Whether a spot pair and a linear perpetual on it (BTC/USDT and BTC/USDT:USDT) meet in one trade on two venues: buy
# spot and sell the perpetual, or the reverse (a basis trade, held until the two converge).
spot_perpetual = true

[replay]
# A desk on a recorded day: dexter --replay FILE... (the screen) or dexter run --replay FILE... (headless). The
# recording's venues and pairs stand in for [venues] (its pairs are allowed pairs), in REPLAY mode: orders fill on
# paper against the recorded books, booked in their own ledger ($XDG_DATA_HOME/dexter/replay.sqlite), and the
# clock is the recording's, at its recorded pace (--speed N for N times). Fees: each venue's base tier (--fee).
# Every other section applies as it is, but for feed_silence_seconds: a recording's silences are its own.
# What each recorded venue's account holds when the replay ledger is new: this many USD of each asset of its pairs,
# valued at the recording's first prices ([balances] is for the configured venues).
stake_usd = "50000"
# How long an order takes to reach a recorded venue; it fills against the book as recorded when it arrives.
latency_ms = 50

[compliance]
# A local deny-list (one address per line, or a CSV whose fields include addresses, e.g. from a sanctions list):
# no on-chain trade touches a listed pool or wallet; a match is denied and audited.
# deny_list = "/etc/dexter/deny-list.csv"

# Plans: what a member on each may use (dexter user access NAME --plan P). Unset keys mean no limit.
[plans.free]
max_venues = 5
daily_volume_usd = "10000"

[plans.pro]
daily_volume_usd = "100000"

[plans.enterprise]

[limits]
# Largest notional of one trade, in USD. Detection sizes opportunities within it.
max_notional_usd = "25000"
# Volume traded per UTC day, in USD, counting every leg.
daily_volume_usd = "2000000"
# Pairs that may be traded. An opportunity on any other pair is shown but denied.
allowed_pairs = ["ETH/USDT", "ETH/USDC", "BTC/USDT", "BTC/USDC", "SOL/USDC", "SOL/USDT", "USDC/USDT", "BNB/USDT",
                 "ETH/USDT:USDT", "BTC/USDT:USDT"]
# Largest value held at any one venue, in USD (counterparty exposure).
max_exposure_per_venue_usd = "1000000"
# Volatility-based sizing: no position's one-day 99 % VaR (value × 2.33 × its EWMA volatility) may exceed this, USD.
position_var_budget_usd = "400000"
# The desk halts on its own when realised P&L today falls below minus this (USD), when it falls this far below the
# day's peak (USD), after this many failed executions in a row, or when a venue's feed is silent this long (s).
daily_loss_usd = "5000"
max_drawdown_usd = "7500"
failed_run = 5
feed_silence_seconds = 60
# A closing order of a stop-loss fills at most this far under the price it was quoted at (basis points).
stop_loss_slippage_bps = 100
# Margin buffer for perpetuals: when an account's margin ratio (maintenance margin over equity; the venue liquidates
# at 1) reaches margin_reduce_at, its positions and their hedges are cut back to margin_target, by orders at most
# margin_slippage_bps past their book's quote.
margin_reduce_at = "0.5"
margin_target = "0.3"
margin_slippage_bps = 50

[limits.max_position]
# Largest holding of each asset across every venue and wallet, in units of the asset.
BTC = "4"
ETH = "150"
SOL = "3000"
BNB = "200"
USDC = "600000"
USDT = "600000"

[limits.stop_loss]
# Stop-losses: when an asset's reference price falls this many percent below what its inventory cost (FIFO), the
# desk sells it at every account that holds it (a chain wallet keeps its gas) and trades no new arbitrage in it until
# a risk manager resumes. An asset not listed has no stop.
BTC = "12"
ETH = "12"
SOL = "18"
BNB = "15"

# Chains the DEX venues sit on, and the token each one's gas is paid in. How gas moves and how often blocks land on
# the embedded market is under [sim.chains]. A chain read live gives rpc_urls (JSON-RPC over http(s), tried in
# order, each checked for the chain's id at connect); ethereum, bsc, polygon and arbitrum are known by name (their
# chain_id, confirmations and tokens are the defaults), another chain gives chain_id. Optional: private_rpc_url
# (where transactions go instead of the public mempool) with private_method ("eth_sendRawTransaction" or
# "eth_sendPrivateTransaction"), confirmations (blocks on top before a fill is booked), poll_ms (how often the newest
# block is asked for), and [chains.NAME.tokens] (the ERC-20 each asset is there, e.g. ETH = "0xC02a…" for WETH).
# LIVE (--live) signs that chain's swaps with the vault wallet named by wallet = "NAME" (dexter wallet new/import),
# never above max_fee_gwei (default 500) per gas.
# ws_url (ws:// or wss://, redacted in logs like rpc_urls): new heads pushed by eth_subscribe("newHeads") wake the
# feed at once, and poll_ms applies only while that subscription fails (refused, closed, a malformed message, or no
# head for ws_silence_ms, default 60000: set it above a few block times); the logs are still read over rpc_urls.
# ws_urls = ["wss://…", "wss://…"] instead lists several: when one fails the next is tried at once, and the backoff
# is waited only once all have failed in a row.
# estimate_from (an EIP-55 address, the trading wallet's): each pool's gas units come from eth_estimateGas of the
# router's swap of a small amount each way sent from it, plus estimate_margin_percent (default 10: a real trade
# crosses more ticks than the probe), again every estimate_every_blocks blocks (default 50), instead of gas_units;
# an estimate that reverts there (no tokens or allowance) keeps gas_units and says why. `dexter venues check` shows
# which.
# [chains.NAME.aggregators.oneinch] (1inch Swap API v6.0 /quote) and [chains.NAME.aggregators.zeroex] (0x Swap API
# v2 /price) are extra sources of the reference price (what gas and P&L are valued at), never markets to trade on:
# every refresh_ms (default 10000) each is asked what selling quote_size (default "1") of each pair the chain's pools
# trade gets, in the pair's base asset; the answer counts in the weighted median of the pair's sources with weight
# (default 1.0; a market's is 1) until it is staleness_ms old (default 60000, at least refresh_ms), and is named
# like a market when it is stale or an outlier. The API key (it never appears in config, logs or errors) is read from
# the environment variable api_key_env names, or, without it, from your vault (dexter keys add 1inch / 0x: a key, no
# secret); url (default https://api.1inch.dev, https://api.0x.org) and timeout_ms (default 5000) are optional. A failing API (429, 5xx, a timeout, a malformed answer) posts nothing: its
# last quote ages, and the log says so once. execute = true (default false) lets a LIVE sell on the chain go through
# the aggregator's transaction when its firm quote pays at least the direct pool: the slippage asked for keeps its
# minimum at or above quantity × limit, and before anything is signed its `to` must be router (default: 1inch's
# AggregationRouterV6 0x111111125421cA6dc452d289314280a0f8842A65, 0x's AllowanceHolder
# 0x0000000000001fF3684f28c67538d4D072C22734) and pass the deny-list; spender (the same defaults) is approved once;
# then it is simulated, signed and sent like any swap, its fill read from the receipt's Transfer logs. When no
# aggregator pays more, or one is down, the pool is used and the Orders panel says why. E.g.
#   [chains.ethereum.aggregators.oneinch]
#   api_key_env = "ONEINCH_API_KEY"
#   weight = 0.5
#   quote_size = "0.5"
#   execute = true
# A DEX venue on such a chain takes connector = "evm" (PAPER: pools read from the chain, paper fills), names a known
# deployment with dex ("uniswap-v3", "uniswap-v2", "sushiswap", "curve", "balancer" on ethereum; "pancakeswap-v2",
# "pancakeswap-v3", "biswap", "apeswap", "balancer" on bsc; "quickswap", "balancer" on polygon: their mainnet contracts
# are the defaults, see docs/evm-addresses.md) or gives protocol ("uniswap-v2", "uniswap-v3", "curve" or
# "balancer-weighted") and factory (Balancer's: its Vault); factory, router, quoter, pool_deployer, init_code_hash and
# fee_bps (a V2 fork's fee) override. Its pools are listed by pair, a V3 one with its fee tier, a Curve or Balancer
# one with the pool's address (any two of its coins make a pair:
# "USDC/USDT" = { address = "0xbEbc44782C7dB0a1A60Cb6fe97d0b483032FF1C7" }; a Balancer one may add pool_id, checked
# against the pool's own), e.g.
#   [chains.ethereum]
#   gas_token = "ETH"
#   rpc_urls = ["https://eth.example/KEY", "https://backup.example"]
#   ws_urls = ["wss://eth.example/ws/KEY", "wss://backup.example/ws"]
#   estimate_from = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
#   [venues.uniswap-v3]
#   kind = "dex"
#   connector = "evm"
#   chain = "ethereum"
#   staleness_ms = 30000
#   dex = "uniswap-v3"
#   [venues.uniswap-v3.pools]
#   "ETH/USDC" = { fee_pips = 500 }
# Solana is read live when [chains.solana] has rpc_urls (JSON-RPC over http(s), tried in turn). Its venues take
# connector = "solana" and dex = "jupiter": Jupiter's Swap API (jupiter_url, default https://lite-api.jup.ag) quoted
# every poll_ms (default 2000) at the venue's quote_sizes (base amounts, default ["1", "5", "20"]), both ways, as a
# book; in PAPER paper fills against it, in LIVE each order is a Jupiter swap signed by the vault keypair wallet names
# (dexter wallet new NAME --chain solana): bounded on chain by the order's limit, simulated and checked against it
# before signing, journaled beside the ledger, followed to landed, failed or expired (its blockhash's last valid
# height passed), and signed again with a fresh blockhash only once the last one has expired and only while the limit
# still holds. SOL is traded as wSOL in its token account (wrap what the desk may sell); fees are paid in native SOL.
# tokens maps the desk's asset names to mints (SOL, USDC and USDT are known); priority_percentile (default 75) of the
# recent priority fees is offered, at most max_priority_micro_lamports (default 1000000) per compute unit. E.g.
#   [chains.solana]
#   gas_token = "SOL"
#   rpc_urls = ["https://solana.example/KEY"]
#   wallet = "sol-trader"
#   [venues.jupiter]
#   kind = "dex"
#   connector = "solana"
#   chain = "solana"
#   staleness_ms = 10000
#   dex = "jupiter"
#   symbols = ["SOL/USDC"]
#   quote_sizes = ["1", "5", "20"]
# A pool venue takes dex = "orca-whirlpool", "raydium-cpmm" or "raydium-amm-v4" and its pools by pair and address
# instead: read from their accounts at one slot (a Whirlpool with its tick arrays, a CPMM pool with its AmmConfig and
# vaults, an AMM v4 pool with its vaults; one on OpenBook is refused), kept current
# by accountSubscribe on ws_urls' first URL (polled every poll_ms without it); in LIVE its orders are Jupiter swaps
# limited to that DEX (jupiter_label, default "Whirlpool" / "Raydium CP" / "Raydium") and that pool alone, e.g.
#   [venues.orca]
#   kind = "dex"
#   connector = "solana"
#   chain = "solana"
#   staleness_ms = 10000
#   dex = "orca-whirlpool"
#   [venues.orca.pools]
#   "SOL/USDC" = { address = "Czfq3xZZDmsdGdUyrNLtRhGc47cXcZtLG4crryfu44zE" }
[chains.ethereum]
gas_token = "ETH"

[chains.bsc]
gas_token = "BNB"

[chains.solana]
gas_token = "SOL"

# Venues: what each one is and lists, as its operator publishes it. An exchange quotes order books; a dex holds
# pools on a chain. connector: what serves the venue; "sim", the embedded market, is the default when it is left out
# (its knobs for the venue are under [sim.venues.NAME]); "binance" is Binance spot over its own protocol, and a desk
# with such a venue runs in PAPER mode (live data, paper fills). A "binance" venue lists `symbols` instead of
# `markets` (tick, lot and minimum come from the venue) and may set rest_url, stream_url and ws_api_url, e.g.
#   [venues.binance]
#   kind = "exchange"
#   connector = "binance"
#   taker_fee = "0.001"
#   staleness_ms = 2000
#   symbols = ["ETH/USDT", "BTC/USDT"]
# "okx" is OKX spot over its v5 protocol (PAPER; LIVE with --live and a key with its passphrase), with `symbols`
# too and rest_url, stream_url (the public WebSocket) and private_url. "kraken" is Kraken spot over WebSocket v2
# (PAPER; LIVE with --live and a key), symbols written the common way (BTC/USD), with the same three endpoints.
# "coinbase" is Coinbase Advanced Trade spot (PAPER; LIVE with --live and a CDP key), symbols as BTC/USD, with the
# same three endpoints. "binance-usdm" is Binance USDⓈ-M perpetuals (PAPER: live data and funding, paper fills;
# --live refuses it for now), symbols as BTC/USDT:USDT, with rest_url and stream_url, and optionally max_leverage
# and maintenance_rate for all its symbols (else exchangeInfo's requiredMarginPercent and maintMarginPercent).
# "bybit" is Bybit v5 linear USDT perpetuals (PAPER: live data and funding, paper fills;
# LIVE with --live and a key: one-way position mode), symbols as BTC/USDT:USDT, with the same three endpoints (stream_url: the public linear
# WebSocket), and optionally max_leverage and maintenance_rate for all its symbols (else instruments-info's maximum
# leverage, maintenance at half the initial margin there).
# taker_fee: fraction of notional (0.001 = 0.10 %). staleness_ms: a quote older than this cannot be traded.
# markets: per pair, tick and lot size, minimum notional (quote), and optionally min_quantity (the least base
# quantity of one order; none when left out).
[venues.binance]
kind = "exchange"
connector = "sim"
taker_fee = "0.001"
staleness_ms = 3000

[venues.binance.markets]
"BTC/USDT" = { tick = "0.01", lot = "0.00001", min_notional = "5" }
"BTC/USDC" = { tick = "0.01", lot = "0.00001", min_notional = "5" }
"ETH/USDT" = { tick = "0.01", lot = "0.0001", min_notional = "5" }
"ETH/USDC" = { tick = "0.01", lot = "0.0001", min_notional = "5" }
"SOL/USDC" = { tick = "0.01", lot = "0.001", min_notional = "5" }
"SOL/USDT" = { tick = "0.01", lot = "0.001", min_notional = "5" }
"USDC/USDT" = { tick = "0.0001", lot = "1", min_notional = "5" }
"BNB/USDT" = { tick = "0.01", lot = "0.001", min_notional = "5" }

[venues.okx]
kind = "exchange"
connector = "sim"
taker_fee = "0.001"
staleness_ms = 3000

[venues.okx.markets]
"BTC/USDT" = { tick = "0.1", lot = "0.00001", min_notional = "5" }
"ETH/USDT" = { tick = "0.01", lot = "0.0001", min_notional = "5" }
"ETH/USDC" = { tick = "0.01", lot = "0.0001", min_notional = "5" }
"SOL/USDC" = { tick = "0.01", lot = "0.001", min_notional = "5" }
"SOL/USDT" = { tick = "0.01", lot = "0.001", min_notional = "5" }
"USDC/USDT" = { tick = "0.0001", lot = "1", min_notional = "5" }
"BNB/USDT" = { tick = "0.01", lot = "0.001", min_notional = "5" }

[venues.coinbase]
kind = "exchange"
connector = "sim"
taker_fee = "0.006"
staleness_ms = 3000

[venues.coinbase.markets]
"BTC/USDT" = { tick = "0.01", lot = "0.00000001", min_notional = "1" }
"BTC/USDC" = { tick = "0.01", lot = "0.00000001", min_notional = "1" }
"ETH/USDT" = { tick = "0.01", lot = "0.00000001", min_notional = "1" }
"ETH/USDC" = { tick = "0.01", lot = "0.00000001", min_notional = "1" }
"SOL/USDC" = { tick = "0.01", lot = "0.00000001", min_notional = "1" }

[venues.kraken]
kind = "exchange"
connector = "sim"
taker_fee = "0.004"
staleness_ms = 3000

[venues.kraken.markets]
"BTC/USDT" = { tick = "0.1", lot = "0.00001", min_notional = "5" }
"BTC/USDC" = { tick = "0.1", lot = "0.00001", min_notional = "5" }
"ETH/USDT" = { tick = "0.01", lot = "0.0001", min_notional = "5" }
"ETH/USDC" = { tick = "0.01", lot = "0.0001", min_notional = "5" }
"SOL/USDC" = { tick = "0.01", lot = "0.001", min_notional = "5" }
"USDC/USDT" = { tick = "0.0001", lot = "1", min_notional = "5" }

# Perpetual futures, USDT-margined (BASE/QUOTE:SETTLE). Each venue is its own margin account, as on the real
# exchanges. max_leverage: the most a position may open with (initial margin = notional / leverage).
# maintenance_rate: the venue liquidates when equity falls to notional × this (Binance's first bracket).
[venues.binance-usdm]
kind = "exchange"
connector = "sim"
taker_fee = "0.0005"
staleness_ms = 3000

[venues.binance-usdm.markets]
"BTC/USDT:USDT" = { tick = "0.1", lot = "0.001", min_notional = "5", max_leverage = "20", maintenance_rate = "0.004" }
"ETH/USDT:USDT" = { tick = "0.01", lot = "0.001", min_notional = "5", max_leverage = "20", maintenance_rate = "0.005" }

[venues.okx-swap]
kind = "exchange"
connector = "sim"
taker_fee = "0.0005"
staleness_ms = 3000

[venues.okx-swap.markets]
"BTC/USDT:USDT" = { tick = "0.1", lot = "0.001", min_notional = "5", max_leverage = "20", maintenance_rate = "0.004" }
"ETH/USDT:USDT" = { tick = "0.01", lot = "0.001", min_notional = "5", max_leverage = "20", maintenance_rate = "0.005" }

# DEX pools. type: constant_product (fee_bps), concentrated (fee_pips), stable_swap (amplification, fee over 1e10).
# base_decimals, quote_decimals: the two tokens' decimals. gas_units: gas one swap burns.
[venues.uniswap-v2]
kind = "dex"
connector = "sim"
chain = "ethereum"
staleness_ms = 30000

[venues.uniswap-v2.pools]
# address: the mainnet pair the pool models, screened against [compliance] deny_list before any trade on it.
"ETH/USDC" = { type = "constant_product", fee_bps = 30, base_decimals = 18, quote_decimals = 6, gas_units = 110000, address = "0xB4e16d0168e52d35CaCD2c6185b44281Ec28C9Dc" }
"ETH/USDT" = { type = "constant_product", fee_bps = 30, base_decimals = 18, quote_decimals = 6, gas_units = 110000, address = "0x0d4a11d5EEaaC28EC3F61d100daF4d40471f1852" }

[venues.sushiswap]
kind = "dex"
connector = "sim"
chain = "ethereum"
staleness_ms = 30000

[venues.sushiswap.pools]
"ETH/USDC" = { type = "constant_product", fee_bps = 30, base_decimals = 18, quote_decimals = 6, gas_units = 110000 }

[venues.uniswap-v3]
kind = "dex"
connector = "sim"
chain = "ethereum"
staleness_ms = 30000

[venues.uniswap-v3.pools]
"ETH/USDC" = { type = "concentrated", fee_pips = 500, base_decimals = 18, quote_decimals = 6, gas_units = 130000 }

[venues.curve]
kind = "dex"
connector = "sim"
chain = "ethereum"
staleness_ms = 30000

[venues.curve.pools]
"USDC/USDT" = { type = "stable_swap", amplification = 2000, fee = 1000000, base_decimals = 6, quote_decimals = 6, gas_units = 120000 }

[venues.pancakeswap]
kind = "dex"
connector = "sim"
chain = "bsc"
staleness_ms = 15000

[venues.pancakeswap.pools]
"ETH/USDT" = { type = "constant_product", fee_bps = 25, base_decimals = 18, quote_decimals = 18, gas_units = 110000 }
"BTC/USDT" = { type = "constant_product", fee_bps = 25, base_decimals = 18, quote_decimals = 18, gas_units = 110000 }
"BNB/USDT" = { type = "constant_product", fee_bps = 25, base_decimals = 18, quote_decimals = 18, gas_units = 110000 }

[venues.raydium]
kind = "dex"
connector = "sim"
chain = "solana"
staleness_ms = 10000

[venues.raydium.pools]
"SOL/USDC" = { type = "constant_product", fee_bps = 25, base_decimals = 9, quote_decimals = 6, gas_units = 10000 }

# The embedded market (connector = "sim"): how its prices, gas, books and pools move, and the failures to rehearse.
# These are the simulation's knobs, not facts of a venue: those stay under [venues] and [chains].
[sim]
# Seed of the embedded market: the same seed gives the same prices, books, pools and gas.
seed = 7
# Feed outages, to rehearse a dropped connection: from after_seconds, for for_seconds, the venues listed (all when
# venues is left out) publish no market data; their quotes go stale and cannot be traded. Orders still reach them.
# [[sim.outages]]
# venues = ["kraken"]
# after_seconds = 60
# for_seconds = 30
# Order faults per venue, to rehearse failures: "timeout", "reject: REASON", or "fill:0.5" (fill at most half).
# [sim.faults]
# okx = "fill:0.5"
# Price shocks, to rehearse stops and margin: after_seconds from the open, the asset's underlying price moves by
# move (-0.15 = falls 15 %) at once, and every venue follows it at its own pace.
# [[sim.shocks]]
# asset = "ETH"
# after_seconds = 120
# move = -0.15

# Assets: each has one underlying USD price that every simulated venue follows; a simulated venue's pairs and a
# chain's gas token need theirs here.
# price_usd: start price. volatility: annualised. jumps_per_hour and jump_size (fraction of price): sudden moves.
# peg_reversion: pull back to price_usd per second, for a stablecoin (0 = free floating).
[sim.assets.BTC]
price_usd = 97000.0
volatility = 0.55
jumps_per_hour = 90.0
jump_size = 0.003

[sim.assets.ETH]
price_usd = 3400.0
volatility = 0.70
jumps_per_hour = 90.0
jump_size = 0.004

[sim.assets.SOL]
price_usd = 240.0
volatility = 0.90
jumps_per_hour = 90.0
jump_size = 0.005

[sim.assets.BNB]
price_usd = 650.0
volatility = 0.60
jumps_per_hour = 60.0
jump_size = 0.004

[sim.assets.USDC]
price_usd = 1.0
volatility = 0.01
jumps_per_hour = 2.0
jump_size = 0.0005
peg_reversion = 0.05

[sim.assets.USDT]
price_usd = 0.9996
volatility = 0.015
jumps_per_hour = 2.0
jump_size = 0.0008
peg_reversion = 0.05

# Chains (each under [chains]): the typical gas price in billionths of the gas token per unit (gwei on an EVM chain,
# lamports on Solana), how much it wanders, and block_time_ms, how often a block lands. A real chain's blocks come
# when they come, so its pace is a knob of the simulation, not a fact: pools change only when a block lands, so a
# swap (the desk's or anyone's) waits for the next block.
[sim.chains.ethereum]
gas_price = 12.0
gas_volatility = 0.04
block_time_ms = 12000

[sim.chains.bsc]
gas_price = 1.0
gas_volatility = 0.02
block_time_ms = 3000

[sim.chains.solana]
gas_price = 1.0
gas_volatility = 0.03
block_time_ms = 400

# Venues (each under [venues], served by "sim"). latency_ms: how long a paper order takes to reach the venue (for a
# dex, its chain, where it then waits for the next block); it fills against the venue as it is then, not as it was
# quoted. An exchange's catch_up_rate (per second), noise_bps, half_spread_bps, levels, updates_per_second: how its
# book follows the underlying; markets: per pair, top_quantity, the base quantity at the top level.
[sim.venues.binance]
latency_ms = 20
catch_up_rate = 6.0
noise_bps = 1.5
half_spread_bps = 0.3
levels = 12
updates_per_second = 25.0

[sim.venues.binance.markets]
"BTC/USDT" = { top_quantity = 0.25 }
"BTC/USDC" = { top_quantity = 0.25 }
"ETH/USDT" = { top_quantity = 3.0 }
"ETH/USDC" = { top_quantity = 3.0 }
"SOL/USDC" = { top_quantity = 40.0 }
"SOL/USDT" = { top_quantity = 40.0 }
"USDC/USDT" = { top_quantity = 50000.0 }
"BNB/USDT" = { top_quantity = 15.0 }

[sim.venues.okx]
latency_ms = 30
catch_up_rate = 4.0
noise_bps = 2.0
half_spread_bps = 0.5
levels = 12
updates_per_second = 20.0

[sim.venues.okx.markets]
"BTC/USDT" = { top_quantity = 0.2 }
"ETH/USDT" = { top_quantity = 2.5 }
"ETH/USDC" = { top_quantity = 2.0 }
"SOL/USDC" = { top_quantity = 30.0 }
"SOL/USDT" = { top_quantity = 30.0 }
"USDC/USDT" = { top_quantity = 40000.0 }
"BNB/USDT" = { top_quantity = 10.0 }

[sim.venues.coinbase]
latency_ms = 45
catch_up_rate = 3.0
noise_bps = 2.5
half_spread_bps = 1.0
levels = 10
updates_per_second = 15.0

[sim.venues.coinbase.markets]
"BTC/USDT" = { top_quantity = 0.15 }
"BTC/USDC" = { top_quantity = 0.2 }
"ETH/USDT" = { top_quantity = 2.0 }
"ETH/USDC" = { top_quantity = 2.5 }
"SOL/USDC" = { top_quantity = 25.0 }

[sim.venues.kraken]
latency_ms = 60
catch_up_rate = 2.0
noise_bps = 3.0
half_spread_bps = 1.0
levels = 10
updates_per_second = 10.0

[sim.venues.kraken.markets]
"BTC/USDT" = { top_quantity = 0.1 }
"BTC/USDC" = { top_quantity = 0.1 }
"ETH/USDT" = { top_quantity = 1.5 }
"ETH/USDC" = { top_quantity = 1.5 }
"SOL/USDC" = { top_quantity = 20.0 }
"USDC/USDT" = { top_quantity = 20000.0 }

# A perpetual venue's funding: funding_rate charged each funding (a decimal string; positive: longs pay shorts),
# every funding_interval_s seconds from the epoch (28800: 00:00, 08:00, 16:00 UTC). The desk books it on the
# positions held at each funding time.
[sim.venues.binance-usdm]
latency_ms = 20
funding_rate = "0.0001"
funding_interval_s = 28800
catch_up_rate = 6.0
noise_bps = 1.5
half_spread_bps = 0.2
levels = 12
updates_per_second = 25.0

[sim.venues.binance-usdm.markets]
"BTC/USDT:USDT" = { top_quantity = 0.5 }
"ETH/USDT:USDT" = { top_quantity = 6.0 }

[sim.venues.okx-swap]
latency_ms = 30
funding_rate = "0.0001"
funding_interval_s = 28800
catch_up_rate = 3.0
noise_bps = 2.0
half_spread_bps = 0.3
levels = 12
updates_per_second = 20.0

[sim.venues.okx-swap.markets]
"BTC/USDT:USDT" = { top_quantity = 0.4 }
"ETH/USDT:USDT" = { top_quantity = 5.0 }

# A dex's pools. base_reserve: base tokens in the pool (virtual, in range, for concentrated). range_width
# (concentrated): how far around the start price its positions reach (±fraction). swaps_per_second: other traders'
# swaps. arbitrage_catch_up: the share of a gap to the underlying that outside arbitrageurs close in each block.
[sim.venues.uniswap-v2]
latency_ms = 200

[sim.venues.uniswap-v2.pools]
"ETH/USDC" = { base_reserve = 9000.0, swaps_per_second = 2.0, arbitrage_catch_up = 0.5 }
"ETH/USDT" = { base_reserve = 4000.0, swaps_per_second = 1.5, arbitrage_catch_up = 0.5 }

[sim.venues.sushiswap]
latency_ms = 200

[sim.venues.sushiswap.pools]
"ETH/USDC" = { base_reserve = 2500.0, swaps_per_second = 0.8, arbitrage_catch_up = 0.2 }

[sim.venues.uniswap-v3]
latency_ms = 200

[sim.venues.uniswap-v3.pools]
"ETH/USDC" = { range_width = 0.15, base_reserve = 30000.0, swaps_per_second = 3.0, arbitrage_catch_up = 0.6 }

[sim.venues.curve]
latency_ms = 200

[sim.venues.curve.pools]
"USDC/USDT" = { base_reserve = 50000000.0, swaps_per_second = 1.0, arbitrage_catch_up = 0.5 }

[sim.venues.pancakeswap]
latency_ms = 150

[sim.venues.pancakeswap.pools]
"ETH/USDT" = { base_reserve = 3000.0, swaps_per_second = 1.5, arbitrage_catch_up = 0.25 }
"BTC/USDT" = { base_reserve = 150.0, swaps_per_second = 1.0, arbitrage_catch_up = 0.25 }
"BNB/USDT" = { base_reserve = 80000.0, swaps_per_second = 2.0, arbitrage_catch_up = 0.5 }

[sim.venues.raydium]
latency_ms = 100

[sim.venues.raydium.pools]
"SOL/USDC" = { base_reserve = 200000.0, swaps_per_second = 3.0, arbitrage_catch_up = 0.5 }

# Inventory pre-positioned on each exchange account and chain wallet when the ledger is new. After that the
# ledger's balances are the truth: they move only with booked trades.
[balances.binance]
USDT = "60000"
USDC = "60000"
BTC = "0.6"
ETH = "15"
SOL = "200"
BNB = "40"

[balances.okx]
USDT = "60000"
USDC = "60000"
BTC = "0.6"
ETH = "15"
SOL = "200"
BNB = "40"

[balances.coinbase]
USDT = "60000"
USDC = "60000"
BTC = "0.6"
ETH = "15"
SOL = "200"

[balances.kraken]
USDT = "60000"
USDC = "60000"
BTC = "0.6"
ETH = "15"
SOL = "200"

# Perpetual accounts hold their margin (collateral) in the settle asset.
[balances.binance-usdm]
USDT = "25000"

[balances.okx-swap]
USDT = "25000"

[wallets.ethereum]
ETH = "20"
USDC = "60000"
USDT = "60000"

[wallets.bsc]
BNB = "20"
ETH = "10"
BTC = "0.3"
USDT = "40000"

[wallets.solana]
SOL = "300"
USDC = "40000"
"""#
}
