#!/usr/bin/env bash
# Fuzzes every parser of venue bytes with libFuzzer (docs/fuzzing.md): `scripts/fuzz.sh [target|all] [runs]`.
# Not part of the test suite, nor of CI: a benchmark-style run whose results are noted in docs/fuzzing.md.
#
# SwiftPM cannot build the parsers with the sanitizer (DexterCEX pulls SwiftNIO in through DexterNet), so this compiles
# the files they need — DexterCore, the pieces of DexterMarket and DexterVenues they use, the Binance parsers, BigInt
# from SwiftPM's checkout — into one module, DexterWire, with `-sanitize=fuzzer,address -O` (address: the parsers read
# through unsafe buffer pointers, whose bounds only ASan checks in an optimised build). Copies of the sources go to
# .build-fuzz/src with the imports of those modules removed; BinanceCheck's `serverTime` parser is extracted from its
# file, the rest of which needs DexterNet. Each target is then one small file, Fuzz/<target>.swift, linked against it.
#
# Seeds are the real captures in ../shared (or $DEXTER_SHARED), split one message a file, copied into
# .build-fuzz/corpus/<target> before the first run; the corpus grows there run after run, merged to its smallest
# covering set after each clean run. Every run is `nice`d, one target at a time. Per target it prints the runs done,
# the time, the edges covered, the corpus (files and bytes) and the findings: crash-*, timeout-* (a hang past
# -timeout) or oom-* files in .build-fuzz/findings/<target>. `rm -rf .build-fuzz/corpus` starts again from the seeds.
#
# Environment: FUZZ_TIMEOUT (seconds per input, 10), FUZZ_MAX_TIME (seconds per target, 0 = no limit),
# FUZZ_RSS_MB (2048), FUZZ_NICE (19), FUZZ_FLAGS (more libFuzzer flags), SWIFT_BUILD_LOCK (a file to flock around each
# compile, default /work/.swift-build.lock where /work exists; empty for none).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
build="$root/.build-fuzz"
shared="${DEXTER_SHARED:-$root/../shared}"
targets=(streamMessage depthUpdate bookTicker depthSnapshot exchangeInfo order orders account userEvent webSocketFrame
         errorBody serverTime replay okxPublicMessage okxInstruments okxOrders okxPrivateMessage okxAccount
         krakenPublicMessage krakenAssetPairs krakenOrders krakenAccount krakenPrivateMessage
         coinbasePublicMessage coinbaseProducts coinbaseOrders coinbaseAccount coinbasePrivateMessage
         usdmStreamMessage usdmMarkPrice usdmExchangeInfo usdmFundingInfo usdmUserEvent usdmOrders usdmAccount
         bybitPublicMessage bybitInstruments bybitPrivateMessage bybitAccount oneInchAnswer zeroExAnswer rpcAnswer
         revertData poolStateAnswers headMessage transferLogs whirlpoolAccounts cpmmAccounts solanaRPCAnswer
         solanaTokenAccounts solanaTokenAccountData jupiterAnswer ammV4Accounts)
target="${1:-all}"
runs="${2:-1000000}"
if [ "$target" = all ]; then
    selected=("${targets[@]}")
elif [ -f "Fuzz/$target.swift" ]; then
    selected=("$target")
else
    echo "usage: scripts/fuzz.sh [all|${targets[*]// /|}] [runs]" >&2
    exit 2
fi

lock="${SWIFT_BUILD_LOCK-/work/.swift-build.lock}"
compile() {
    if [ -n "$lock" ] && [ -d "$(dirname "$lock")" ] && command -v flock >/dev/null; then
        flock "$lock" "$@"
    else
        "$@"
    fi
}

# The minimal set of sources the parsers compile from (found by removing files until the module no longer builds).
sources=(
    Sources/DexterCore/FixedDecimal.swift Sources/DexterCore/FixedDecimal+Text.swift Sources/DexterCore/Identifiers.swift
    Sources/DexterCore/Time.swift
    Sources/DexterMarket/ConcentratedLiquidityMath.swift Sources/DexterMarket/ConcentratedPool.swift
    Sources/DexterMarket/ConstantProductPool.swift Sources/DexterMarket/Gas.swift Sources/DexterMarket/Liquidity.swift
    Sources/DexterMarket/LogExpMath.swift Sources/DexterMarket/Market.swift Sources/DexterMarket/MarketState.swift
    Sources/DexterMarket/OrderBook.swift Sources/DexterMarket/Perpetual.swift Sources/DexterMarket/PoolMathError.swift
    Sources/DexterMarket/RangeLadder.swift Sources/DexterMarket/StableSwapPool.swift Sources/DexterMarket/TickMath.swift
    Sources/DexterMarket/Venue.swift Sources/DexterMarket/Funding.swift Sources/DexterMarket/WeightedPool.swift
    Sources/DexterMarket/PriceIndication.swift
    Sources/DexterVenues/Seam/ExecutionFailure.swift Sources/DexterVenues/Seam/OrderRequest.swift
    Sources/DexterVenues/Seam/FundingPayment.swift
    Sources/DexterVenues/Seam/OrderUpdate.swift Sources/DexterVenues/Seam/VenueClients.swift
    Sources/DexterVenues/Seam/VenueInbox.swift Sources/DexterVenues/Seam/FundingPayment.swift
    Sources/DexterVenues/Replay/BinanceStream.swift Sources/DexterVenues/Replay/ByteScanner.swift
    Sources/DexterVenues/Replay/ByteScanner+JSON.swift Sources/DexterVenues/Replay/DepthBook.swift
    Sources/DexterVenues/Replay/L2SnapshotCSV.swift Sources/DexterVenues/Replay/RecordedFile.swift
    Sources/DexterVenues/Replay/RecordedMarkets.swift Sources/DexterVenues/Replay/ReplayFeed.swift
    Sources/DexterCEX/Common/WireReader.swift Sources/DexterCEX/Common/LevelLadder.swift
    Sources/DexterCEX/Common/StreamedBook.swift
    Sources/DexterCEX/Binance/BinanceAccount.swift Sources/DexterCEX/Binance/BinanceErrors.swift
    Sources/DexterCEX/Binance/BinanceInstruments.swift Sources/DexterCEX/Binance/BinanceMarketData.swift
    Sources/DexterCEX/Binance/BinanceOrders.swift Sources/DexterCEX/Binance/BinanceUserData.swift
    Sources/DexterCEX/Binance/BinanceUserData+Events.swift Sources/DexterCEX/Binance/BinanceWebSocketAPI.swift
    Sources/DexterCEX/OKX/OKXMarketData.swift Sources/DexterCEX/OKX/OKXBookSync.swift
    Sources/DexterCEX/OKX/OKXClientOrderId.swift Sources/DexterCEX/OKX/OKXTrading.swift
    Sources/DexterCEX/OKX/OKXPrivateMessages.swift Sources/DexterCEX/OKX/OKXOrderTracker.swift
    Sources/DexterCEX/Kraken/KrakenPairs.swift Sources/DexterCEX/Kraken/KrakenPublicMessages.swift
    Sources/DexterCEX/Kraken/KrakenBookSync.swift Sources/DexterCEX/Kraken/KrakenClientOrderId.swift
    Sources/DexterCEX/Kraken/KrakenErrors.swift Sources/DexterCEX/Kraken/KrakenTrading.swift
    Sources/DexterCEX/Kraken/KrakenTrading+Orders.swift Sources/DexterCEX/Kraken/KrakenPrivateMessages.swift
    Sources/DexterCEX/Kraken/KrakenOrderTracker.swift
    Sources/DexterCEX/Coinbase/CoinbaseProducts.swift Sources/DexterCEX/Coinbase/CoinbasePublicMessages.swift
    Sources/DexterCEX/Coinbase/CoinbaseBookSync.swift
    Sources/DexterCEX/Coinbase/CoinbaseClientOrderId.swift Sources/DexterCEX/Coinbase/CoinbaseErrors.swift
    Sources/DexterCEX/Coinbase/CoinbaseTrading.swift Sources/DexterCEX/Coinbase/CoinbaseWireFields.swift Sources/DexterCEX/Coinbase/CoinbasePrivateMessages.swift
    Sources/DexterCEX/Coinbase/CoinbaseOrderTracker.swift
    Sources/DexterCEX/BinanceUSDM/BinanceUSDMMarketData.swift Sources/DexterCEX/BinanceUSDM/BinanceUSDMInstruments.swift
    Sources/DexterCEX/Bybit/BybitMarketData.swift Sources/DexterCEX/Bybit/BybitInstruments.swift
    Sources/DexterCEX/Bybit/BybitBookSync.swift Sources/DexterCEX/Bybit/BybitErrors.swift
    Sources/DexterCEX/Bybit/BybitPrivateMessages.swift Sources/DexterCEX/Bybit/BybitOrders.swift
    Sources/DexterCEX/Bybit/BybitOrderTracker.swift Sources/DexterCEX/Bybit/BybitKeyPermissions.swift
    Sources/DexterCEX/BinanceUSDM/BinanceUSDMClientOrderId.swift Sources/DexterCEX/BinanceUSDM/BinanceUSDMOrders.swift
    Sources/DexterCEX/BinanceUSDM/BinanceUSDMUserData.swift Sources/DexterCEX/BinanceUSDM/BinanceUSDMAccount.swift
    Sources/DexterCEX/BinanceUSDM/BinanceUSDMOrderTracker.swift
    Sources/DexterCrypto/Hex.swift Sources/DexterCrypto/Keccak256.swift Sources/DexterCrypto/EthereumAddress.swift
    Sources/DexterCrypto/ABI.swift Sources/DexterEVM/Quantity.swift
    Sources/DexterEVM/Aggregators/AggregatorQuote.swift Sources/DexterEVM/Aggregators/AggregatorErrors.swift
    Sources/DexterEVM/Aggregators/AggregatorReader.swift Sources/DexterEVM/Aggregators/OneInchWire.swift
    Sources/DexterEVM/Aggregators/ZeroExWire.swift
    Sources/DexterEVM/RPC/JSONValue.swift Sources/DexterEVM/RPC/JSONValue+Parse.swift Sources/DexterEVM/RPC/RPCAnswer.swift
    Sources/DexterEVM/RPC/EVMRPCError.swift Sources/DexterEVM/RPC/RPCResult.swift Sources/DexterEVM/RPC/RPCCall.swift
    Sources/DexterEVM/Follow/BlockHeader.swift Sources/DexterEVM/Follow/PoolEvent.swift
    Sources/DexterEVM/Follow/HeadNotification.swift
    Sources/DexterEVM/Swap/Revert.swift Sources/DexterEVM/Swap/CustomErrorTable.swift
    Sources/DexterEVM/Swap/NodeCallError.swift Sources/DexterEVM/Swap/QuoterV2Call.swift
    Sources/DexterEVM/Swap/RouterCalls.swift Sources/DexterEVM/Swap/TransactionReceipt.swift
    Sources/DexterEVM/Swap/TransferFill.swift
    Sources/DexterEVM/Pools/PoolReadError.swift Sources/DexterEVM/Pools/CurvePoolState.swift
    Sources/DexterEVM/Pools/BalancerPoolState.swift
    Sources/DexterCrypto/Base58.swift
    Sources/DexterSolana/Pools/AccountBytes.swift Sources/DexterSolana/Pools/WhirlpoolAccounts.swift
    Sources/DexterSolana/Pools/WhirlpoolError.swift Sources/DexterSolana/Pools/WhirlpoolMath.swift
    Sources/DexterSolana/Pools/WhirlpoolSwap.swift Sources/DexterSolana/Pools/RaydiumCPMM.swift
    Sources/DexterSolana/Pools/RaydiumCPMMSwap.swift Sources/DexterSolana/Pools/SPLMint.swift
    Sources/DexterSolana/Pools/RaydiumAMMv4.swift
    Sources/DexterSolana/Feed/SolanaPoolModels.swift Sources/DexterSolana/Feed/SolanaPubSubMessage.swift
    Sources/DexterSolana/RPC/SolanaJSON.swift Sources/DexterSolana/RPC/SolanaRPCError.swift
    Sources/DexterSolana/RPC/SolanaRPCAnswer.swift Sources/DexterSolana/RPC/SolanaWire.swift
    Sources/DexterSolana/RPC/SolanaRPCTypes.swift Sources/DexterSolana/RPC/SolanaTokenAccount.swift
    Sources/DexterSolana/Jupiter/JupiterWire.swift Sources/DexterSolana/Send/SolanaMessageReader.swift
)
bigint="$root/.build/checkouts/BigInt/Sources"
if [ ! -d "$bigint" ]; then
    swift package resolve
fi
swiftc_flags=(-sanitize=fuzzer,address -parse-as-library -O -package-name dexterfuzz -I "$build/lib" -I "$root/Sources/CZlib")

mkdir -p "$build/lib" "$build/bin" "$build/logs"
library="$build/lib/libDexterWire.a"
stale=0
[ -f "$library" ] || stale=1
for file in "${sources[@]}" Sources/DexterCEX/Binance/BinanceCheck.swift Sources/DexterCrypto/Solana.swift scripts/fuzz.sh; do
    if [ "$file" -nt "$library" ]; then stale=1; fi
done
if [ "$stale" = 1 ]; then
    rm -rf "$build/src"
    mkdir -p "$build/src"
    for file in "${sources[@]}"; do
        module=$(echo "$file" | cut -d/ -f2)
        grep -vE '^(@preconcurrency )?import (DexterCore|DexterMarket|DexterVenues|DexterCEX|DexterCrypto|DexterEVM|DexterSolana|BigInt)$' "$file" \
            > "$build/src/${module}_$(basename "$file")"
    done
    for file in "$bigint"/*.swift; do
        name=$(basename "$file")
        cp "$file" "$build/src/BigInt_${name// /_}"
    done
    {
        echo "import Foundation"
        echo "// Generated by scripts/fuzz.sh from Sources/DexterCEX/Binance/BinanceCheck.swift: its byte parser alone."
        echo "public struct BinanceCheck {"
        awk '/^    \/\/\/ / { doc = doc $0 "\n"; next }
             /^    (public )?static func serverTime\(/ { printf "%s", doc; grab = 1 }
             grab { print } grab && /^    }$/ { grab = 0 } { doc = "" }' Sources/DexterCEX/Binance/BinanceCheck.swift
        echo "}"
    } > "$build/src/DexterCEX_BinanceCheck+serverTime.swift"
    # The Solana account decoders need SolanaPublicKey alone: the part of Solana.swift before the keypair, which
    # would bring OpenSSL in.
    sed '/^\/\/\/ An Ed25519 keypair/,$d' Sources/DexterCrypto/Solana.swift > "$build/src/DexterCrypto_Solana+PublicKey.swift"
    grep -q "struct SolanaPublicKey" "$build/src/DexterCrypto_Solana+PublicKey.swift" || {
        echo "scripts/fuzz.sh: SolanaPublicKey not found in Solana.swift" >&2
        exit 1
    }
    grep -q "static func serverTime" "$build/src/DexterCEX_BinanceCheck+serverTime.swift" || {
        echo "scripts/fuzz.sh: serverTime not found in BinanceCheck.swift" >&2
        exit 1
    }
    echo "building DexterWire (${#sources[@]} dexter files + BigInt) with -sanitize=fuzzer,address -O" >&2
    rm -f "$library"
    compile nice -n "${FUZZ_NICE:-19}" swiftc "${swiftc_flags[@]}" -enable-testing -module-name DexterWire \
        -emit-module -emit-module-path "$build/lib/DexterWire.swiftmodule" \
        -emit-library -static -o "$library" "$build/src"/*.swift
fi

# Seeds: the real captures, one message a file (cryptofeed's files hold one a line after a header; nautilus's, one
# a file), and lines of the recordings; each target gets the ones of its kind.
wire="$shared/vectors/exchanges/wire/binance"
okx="$shared/vectors/exchanges/wire/okx/nautilus"
kraken="$shared/vectors/exchanges/wire/kraken"
coinbase="$shared/vectors/exchanges/wire/coinbase/nautilus"
usdm="$shared/vectors/exchanges/wire/binance_usdm"
bybit="$shared/vectors/exchanges/wire/bybit/nautilus"
examples="$shared/vectors/exchanges/oracle_examples"
recordings="$shared/data"
seeds() ( # target, directory; a subshell, where `head` may cut a pipe short
    set +o pipefail
    local out="$2" ws="$wire/cryptofeed/BINANCE.ws.1.0" http="$wire/cryptofeed/BINANCE.http.0.0"
    local spot="$wire/nautilus/spot" stream="$recordings/binance_spot_btcusdt_ethusdt_20240808_09"
    local csv="$recordings/linkusdt_binance_huobi_20210820"
    mkdir -p "$out"
    # One line of input a file, under a prefix.
    lines() { awk -v out="$out/$1" 'length($0) > 0 { file = sprintf("%s-%04d", out, ++n); printf "%s", $0 > file; close(file) }'; }
    wsMessages() { tail -n +2 "$ws" | sed 's/^[^{]*{/{/'; }
    recorded() { for file in "$stream"/btcusdt_20240808.gz "$stream"/ethusdt_20240808.gz; do gzip -dc "$file" | head -n 40; done; }
    case "$1" in
        streamMessage)
            wsMessages | lines ws
            recorded | sed 's/^[0-9]* //' | lines recorded ;;
        depthUpdate | bookTicker)
            wsMessages | sed 's/^.*"data"://; s/}$//' | lines ws
            recorded | sed 's/^[0-9]* //' | grep '"data":' | sed 's/^.*"data"://; s/}$//' | lines recorded ;;
        depthSnapshot)
            sed 's/^[^{]*{/{/' "$http" | lines http
            recorded | sed 's/^[0-9]* //' | grep '^{"lastUpdateId"' | lines recorded
            cp "$spot/http_json/depth_response.json" "$out/" ;;
        exchangeInfo)
            cp "$wire/cryptofeed/exchangeInfo.2021-10-11.BTCUSDT_ETHBTC.json" "$spot/http_json/exchange_info_response.json" "$out/" ;;
        order | orders)
            for name in order_response new_order_full_response cancel_order_response open_orders_response \
                        all_orders_response cancel_open_orders_response; do
                cp "$spot/http_json/$name.json" "$out/"
            done ;;
        account) cp "$spot/http_json/account_response.json" "$out/" ;;
        userEvent) cp "$spot"/user_data_json/*.json "$out/" ;;
        webSocketFrame | errorBody) cp "$spot"/user_data_json/*.json "$spot"/http_json/*.json "$out/" ;;
        serverTime)
            cp "$spot/http_json/server_time_response.json" "$spot/http_json/exchange_info_response.json" \
               "$wire/cryptofeed/exchangeInfo.2021-10-11.BTCUSDT_ETHBTC.json" "$out/" ;;
        okxPublicMessage)
            # The OKX capture's received messages (books with checksums, trades, tickers, subscribe answers).
            grep -v '^wss' "$shared/vectors/exchanges/wire/okx/cryptofeed/OKX.ws.1.0" | sed 's/^[^{]*{/{/' | lines ws
            printf 'pong' > "$out/pong" ;;
        okxInstruments)
            cp "$shared/vectors/exchanges/wire/okx/cryptofeed/instruments_SPOT.2022-05-13.BTC-USDT_ETH-USDT.json" \
               "$shared/vectors/exchanges/wire/okx/nautilus/http_get_instruments_spot.json" "$out/" ;;
        okxOrders) cp "$okx"/http_get_orders_*.json "$out/" ;;
        okxPrivateMessage)
            cp "$okx"/ws_orders*.json "$okx"/ws_account*.json "$out/"
            printf 'pong' > "$out/pong"
            printf '{"event":"login","code":"0","msg":"","connId":"a4d3ae55"}' > "$out/login" ;;
        coinbaseOrders)
            cp "$coinbase"/http_order.json "$coinbase"/http_orders_list.json "$coinbase"/http_fills.json "$out/"
            printf '%s' '{"success":true,"success_response":{"order_id":"o-9","product_id":"BTC-USD","side":"BUY","client_order_id":"mj3k2x1a-a17-2"},"order_configuration":{"sor_limit_ioc":{"base_size":"0.001","limit_price":"50000.01"}}}' > "$out/created"
            printf '%s' '{"success":false,"failure_reason":"UNKNOWN_FAILURE_REASON","order_id":"","error_response":{"error":"INSUFFICIENT_FUND","message":"Insufficient balance in source account","error_details":"","preview_failure_reason":"PREVIEW_INSUFFICIENT_FUND"}}' > "$out/refused" ;;
        coinbaseAccount)
            cp "$coinbase"/http_accounts.json "$out/"
            printf '%s' '{"total_volume":0,"total_fees":0,"fee_tier":{"pricing_tier":"Advanced 1","usd_from":"0","usd_to":"1000","taker_fee_rate":"0.006","maker_fee_rate":"0.004"}}' > "$out/summary"
            printf '%s' '{"can_view":true,"can_trade":true,"can_transfer":false,"portfolio_uuid":"p-1","portfolio_type":"DEFAULT"}' > "$out/permissions"
            printf '%s' '{"iso":"2023-05-31T12:00:00Z","epochSeconds":"1685534400","epochMillis":"1685534400123"}' > "$out/time"
            printf '%s' '{"results":[{"success":true,"failure_reason":"UNKNOWN_CANCEL_FAILURE_REASON","order_id":"o-1"}]}' > "$out/cancel"
            printf '%s' '{"error":"NOT_FOUND","error_details":"","message":"order not found"}' > "$out/error" ;;
        coinbasePrivateMessage)
            cp "$coinbase"/ws_user.json "$coinbase"/ws_heartbeats.json "$coinbase"/ws_subscriptions.json "$out/"
            printf '%s' '{"channel":"user","client_id":"","timestamp":"2026-04-07T14:30:07Z","sequence_num":4,"events":[{"type":"update","orders":[{"order_id":"o-1","client_order_id":"hx-72756e2e37","cumulative_quantity":"1.5","leaves_quantity":"0","avg_price":"100.5","total_fees":"0.9","status":"CANCELLED","product_id":"BTC-USD","creation_time":"2026-04-07T14:30:06.5Z","order_side":"BUY","order_type":"Limit","time_in_force":"IMMEDIATE_OR_CANCEL"}]}]}' > "$out/update"
            printf '%s' '{"type":"error","message":"authentication failure"}' > "$out/error" ;;
        usdmUserEvent)
            cp "$usdm"/nautilus/futures/user_data_json/*.json "$out/"
            printf '%s' '{"e":"ACCOUNT_UPDATE","E":1764518400000,"T":1764518400000,"a":{"m":"FUNDING_FEE","B":[{"a":"USDT","wb":"99987.99160000","cw":"99987.99160000","bc":"-2.40040000"}],"P":[]}}' > "$out/funding"
            printf '%s' '{"e":"listenKeyExpired","E":1764518400000,"listenKey":"OfYGbUzi3PraNagEkdKuFwUHn48brFsItTdsuiIXrucEvD0rhRXZ7I6URWfE8YE8"}' > "$out/expired"
            printf '%s' '{"e":"ORDER_TRADE_UPDATE","E":1764518400001,"T":1764518400001,"o":{"s":"BTCUSDT","c":".xZGV4dGVyIG9yZGVyICMx","S":"SELL","o":"LIMIT","f":"IOC","q":"0.500","p":"30000.00","ap":"30000.00000000","sp":"0.00","x":"EXPIRED","X":"EXPIRED","i":8389765500000001,"l":"0.000","z":"0.200","L":"0.00","N":"USDT","n":"0","T":1764518400001,"t":0,"b":"0","a":"0","m":false,"R":true,"wt":"CONTRACT_PRICE","ot":"LIMIT","ps":"BOTH","cp":false,"rp":"0","pP":false,"si":0,"ss":0,"V":"EXPIRE_MAKER","pm":"NONE","gtd":0,"er":"4"}}' > "$out/expired-reduce-only" ;;
        usdmOrders)
            cp "$usdm"/nautilus/futures/http_json/order_response.json "$out/"
            printf '%s' '[{"orderId":8389765500000001,"symbol":"BTCUSDT","status":"FILLED","clientOrderId":"mj3k2x1a-a1-1","price":"30020.00","avgPrice":"30013.75000000","origQty":"0.800","executedQty":"0.800","cumQty":"0.800","cumQuote":"24011.00000000","timeInForce":"IOC","type":"LIMIT","reduceOnly":false,"closePosition":false,"side":"BUY","positionSide":"BOTH","stopPrice":"0.00","workingType":"CONTRACT_PRICE","priceProtect":false,"origType":"LIMIT","priceMatch":"NONE","selfTradePreventionMode":"EXPIRE_MAKER","goodTillDate":0,"updateTime":1764518400000}]' > "$out/orders"
            printf '%s' '[{"buyer":true,"commission":"6.00200000","commissionAsset":"USDT","id":1000002,"maker":false,"orderId":8389765500000001,"price":"30010.00","qty":"0.500","quoteQty":"15005.00000000","realizedPnl":"0.00000000","side":"BUY","positionSide":"BOTH","symbol":"BTCUSDT","time":1764518400000}]' > "$out/trades" ;;
        usdmAccount)
            cp "$usdm"/nautilus/futures/http_json/account_info_v2.json "$usdm"/nautilus/futures/http_json/balance.json "$usdm"/nautilus/futures/http_json/position_risk.json "$out/"
            printf '%s' '[{"symbol":"BTCUSDT","incomeType":"FUNDING_FEE","income":"-2.40040000","asset":"USDT","info":"FUNDING_FEE","time":1764518400000,"tranId":9689322001,"tradeId":""}]' > "$out/income"
            printf '%s' '{"dualSidePosition":false}' > "$out/dual"
            printf '%s' '{"symbol":"BTCUSDT","makerCommissionRate":"0.0002","takerCommissionRate":"0.0004"}' > "$out/commission"
            printf '%s' '{"listenKey":"pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1"}' > "$out/listenKey"
            printf '%s' '.xZGV4dGVyIG9yZGVyICMx' > "$out/clientOrderId" ;;
        krakenOrders) cp "$kraken"/nautilus/http_open_orders.json "$kraken"/nautilus/http_closed_orders.json "$out/" ;;
        krakenAccount)
            cp "$kraken"/nautilus/http_add_order_spot.json "$kraken"/nautilus/http_cancel_order_spot.json "$kraken"/nautilus/http_trades_history.json \
               "$kraken"/nautilus/http_spot_balance.json "$kraken"/nautilus/http_server_time.json "$out/"
            printf '{"error":["EOrder:Insufficient funds"]}' > "$out/refused"
            printf '{"error":[],"result":{"ZUSD":{"balance":"25435.21","hold_trade":"8249.76"}}}' > "$out/balanceEx"
            printf '{"error":[],"result":{"token":"G38a1tGFzqGiUCmnegBcm8d4nfP3tytiNQz6tkCBYXY","expires":900}}' > "$out/token"
            printf '{"error":[],"result":{"currency":"ZUSD","volume":"0","fees":{"XXBTZUSD":{"fee":"0.2600"}}}}' > "$out/fees" ;;
        krakenPrivateMessage)
            cp "$kraken"/nautilus/ws_add_order_response_*.json "$kraken"/nautilus/ws_cancel_order_request.json "$kraken"/nautilus/ws_pong.json \
               "$kraken"/nautilus/ws_subscribe_response.json "$kraken"/nautilus/ws_batch_add_response_partial.json "$out/"
            printf '{"channel":"heartbeat"}' > "$out/heartbeat"
            printf '%s' '{"channel":"executions","type":"update","data":[{"order_id":"OK4GJX-KSTLS-7DZZO5","cl_ord_id":"mj3k2x1a-a17-2","exec_id":"TTJ5JD-YGJQD-CIBOVU","exec_type":"trade","trade_id":365573,"symbol":"BTC/USD","side":"buy","last_qty":0.003,"last_price":26498.7,"cost":79.4961,"order_status":"partially_filled","fees":[{"asset":"USD","qty":0.2066898}],"cum_qty":0.003,"time_in_force":"IOC","timestamp":"2023-09-22T10:33:05.710130Z"},{"order_id":"OK4GJX-KSTLS-7DZZO5","exec_type":"canceled","order_status":"canceled","cum_qty":0.003,"reason":"User requested","timestamp":"2023-09-22T10:33:05.710300Z"}],"sequence":14}' > "$out/executions" ;;
        okxAccount)
            cp "$okx"/http_get_account_balance.json "$okx"/http_get_trade_fee_response.json "$out/"
            # Single entries the fixtures hold bare, inside OKX's envelope.
            for name in http_transaction_detail http_transaction_detail_empty_fee http_place_order_response \
                        http_balance_detail_new_fields; do
                { printf '{"code":"0","msg":"","data":['; cat "$okx/$name.json"; printf ']}'; } > "$out/$name.json"
            done ;;
        krakenPublicMessage)
            # Kraken's v2 shapes (books, answers, other channels) and status / heartbeat pushes as the docs show them.
            cp "$kraken"/nautilus/ws_book_*.json "$kraken"/nautilus/ws_pong.json "$kraken"/nautilus/ws_subscribe_response.json \
               "$kraken"/nautilus/ws_ticker_snapshot.json "$kraken"/nautilus/ws_trade_update.json "$out/"
            printf '{"channel":"heartbeat"}' > "$out/heartbeat"
            printf '{"channel":"status","data":[{"api_version":"v2","connection_id":1,"system":"online","version":"2.0.0"}],"type":"update"}' > "$out/status" ;;
        coinbasePublicMessage)
            # Advanced Trade's envelopes (level2 snapshot and update, heartbeats, subscriptions, other channels) and
            # an error, as the docs show them.
            cp "$coinbase"/ws_*.json "$out/"
            printf '{"type":"error","message":"failure to subscribe"}' > "$out/error" ;;
        coinbaseProducts)
            cp "$coinbase"/http_products.json "$coinbase"/http_products_future.json "$out/"
            { printf '{"products":['; cat "$coinbase/http_product.json"; printf '],"num_products":1}'; } > "$out/one" ;;
        krakenAssetPairs)
            grep '^https://api.kraken.com/0/public/AssetPairs' "$kraken/cryptofeed/KRAKEN.0" | sed 's/^[^{]*{/{/' | lines http
            cp "$kraken"/nautilus/http_asset_pairs*.json "$out/" ;;
        usdmStreamMessage)
            # The USDⓈ-M combined-stream capture (depthUpdate with pu, bookTicker, aggTrade, kline), and nautilus'
            # mark price message inside a combined-stream envelope.
            tail -n +2 "$usdm/cryptofeed/BINANCE_FUTURES.ws.1.0" | sed 's/^[^{]*{/{/' | lines ws
            { printf '{"stream":"btcusdt@markPrice@1s","data":'; cat "$usdm/nautilus/futures/market_data_json/mark_price_stream.json"; printf '}'; } > "$out/mark" ;;
        usdmMarkPrice)
            cp "$usdm/nautilus/futures/market_data_json/mark_price_stream.json" "$out/"
            printf '%s' '{"e":"markPriceUpdate","E":1626992741017,"s":"ETHUSDT","p":"2000.5","i":"2000.1","P":"2000.2","r":"-0.00012500","T":1627000000000}' > "$out/negative" ;;
        usdmExchangeInfo) cp "$usdm/cryptofeed/fapi_exchangeInfo.2021-07-22.BTCUSDT_ETHUSDT.json" "$out/" ;;
        usdmFundingInfo)
            # The documented shape (Get-Funding-Rate-Info): only the symbols whose funding was adjusted.
            printf '%s' '[{"symbol":"BLZUSDT","adjustedFundingRateCap":"0.02500000","adjustedFundingRateFloor":"-0.02500000","fundingIntervalHours":8,"disclaimer":false},{"symbol":"1000PEPEUSDT","adjustedFundingRateCap":"0.03","adjustedFundingRateFloor":"-0.03","fundingIntervalHours":4,"disclaimer":false}]' > "$out/documented"
            printf '[]' > "$out/empty" ;;
        bybitPublicMessage)
            # v5 public shapes (books, tickers, answers, other topics) and a ticker delta and a pong as the docs show them.
            cp "$bybit"/ws_orderbook_*.json "$bybit"/ws_ticker_linear.json "$bybit"/ws_subscription_*.json \
               "$bybit"/ws_public_trade.json "$bybit"/ws_kline.json "$out/"
            printf '%s' '{"topic":"tickers.BTCUSDT","type":"delta","data":{"symbol":"BTCUSDT","markPrice":"17220.10","fundingRate":"0.0001","nextFundingTime":"1673280000000","fundingIntervalHour":"8","bid1Price":""},"cs":24987956060,"ts":1673272861700}' > "$out/tickerDelta"
            printf '%s' '{"success":true,"ret_msg":"pong","conn_id":"0970e817-426e-429a-a679-ff7f55e0b16a","op":"ping"}' > "$out/pong"
            printf '%s' '{"topic":"orderbook.50.BTCUSDT","type":"delta","ts":1700000000001,"data":{"s":"BTCUSDT","b":[["27450.00","0"],["27449.5","1.25"]],"a":[],"u":1000001,"seq":5000000001},"cts":1700000000000}' > "$out/delta50" ;;
        bybitInstruments) cp "$bybit"/http_get_instruments_linear*.json "$out/" ;;
        oneInchAnswer | zeroExAnswer)
            # What the local servers answer (recorded from Tests/Servers/oneinch and zeroex: quotes, swaps, every
            # error shape) and 0x's documented example; each target gets both APIs' answers.
            cp "$root"/Tests/Servers/oneinch/tests/answers/*.json "$out/"
            for file in "$root"/Tests/Servers/zeroex/tests/answers/*.json; do cp "$file" "$out/0x-$(basename "$file")"; done ;;
        bybitPrivateMessage)
            # Execution pushes (trade, ADL, fast), the execution list, auth answers; a funding row and a refusal as the
            # docs show them.
            cp "$bybit"/ws_account_execution*.json "$bybit"/http_get_executions.json "$bybit"/ws_auth_*.json \
               "$bybit"/ws_account_order*.json "$out/"
            printf '%s' '{"topic":"execution","id":"x","creationTime":1,"data":[{"category":"linear","symbol":"BTCUSDT","execFee":"-0.0549","execId":"f-1","execPrice":"27450","execQty":"0.02","execType":"Funding","execValue":"549","feeRate":"-0.0001","orderId":"o-f","orderLinkId":"","side":"Sell","execTime":"1796083200000","isMaker":false}]}' > "$out/funding"
            printf '%s' '{"retCode":110007,"retMsg":"ab not enough for new order","result":{},"retExtInfo":{},"time":1}' > "$out/refused"
            printf '%s' '{"retCode":0,"retMsg":"OK","result":{"orderId":"1321003749386327552","orderLinkId":"dx-1"},"retExtInfo":{},"time":1}' > "$out/created" ;;
        bybitAccount)
            # The REST answers the LIVE venue reads: orders (realtime, history), positions, wallet, fee rate; a server
            # time as the docs show it.
            cp "$bybit"/http_get_orders_*.json "$bybit"/http_get_order_partially_filled_rejected.json \
               "$bybit"/http_get_positions*.json "$bybit"/http_get_wallet_balance*.json "$bybit"/http_get_fee_rate.json "$out/"
            printf '%s' '{"retCode":0,"retMsg":"OK","result":{"timeSecond":"1688639403","timeNano":"1688639403423213947"},"retExtInfo":{},"time":1688639403423}' > "$out/time"
            # query-api as Bybit's docs show it.
            printf '%s' '{"retCode":0,"retMsg":"","result":{"id":"28844402","note":"StockMarket","apiKey":"ECrLHflpIkeCnuo2oZ","readOnly":0,"secret":"","permissions":{"ContractTrade":["Order","Position"],"Spot":["SpotTrade"],"Wallet":["AccountTransfer","SubMemberTransfer"],"Options":["OptionsTrade"],"Derivatives":[],"CopyTrading":[],"BlockTrade":[],"Exchange":["ExchangeHistory"],"NFT":[],"Affiliate":[]},"ips":["*"],"type":1,"deadlineDay":27,"unified":0,"uta":1,"userID":24600000,"isMaster":true},"retExtInfo":{},"time":1701557502683}' > "$out/query-api" ;;
        rpcAnswer | transferLogs)
            # Real answers of the local EVM node (single and batch: results, a revert, logs, errors, a V2 router
            # swap's receipt), recorded into Tests/EVMFixtures/rpc.
            cp "$root"/Tests/EVMFixtures/rpc/*.json "$out/" ;;
        poolStateAnswers)
            # The stand-ins' states as the target decodes them (eth_abi): the Balancer one (BAL 18 and USDC 6
            # decimals, 80/20, 0.3 %) and the Curve one (DAI/USDC/USDT, A 2000, 0.01 %).
            printf '%s' '00000000000000000000000000000000000000000000000000000000000000c0000000000000000000000000000000000000000000000000000000000000012000000000000000000000000000000000000000000000000000000000000000030000000000000000000000000000000000000000000000000000000000000180000000000000000000000000000000000000000000000000000aa87bee53800000000000000000000000000000000000000000000000000000000000000001e000000000000000000000000000000000000000000000000000000000000000020000000000000000000000005fbdb2315678afecb367f032d93f642f64180aa3000000000000000000000000e7f1725e7734ce288f8367e1bb143e90bb3f0512000000000000000000000000000000000000000000000000000000000000000200000000000000000000000000000000000000000001a784379d99db420000000000000000000000000000000000000000000000000000000000015d3ef7980000000000000000000000000000000000000000000000000000000000000000020000000000000000000000000000000000000000000000000b1a2bc2ec50000000000000000000000000000000000000000000000000000002c68af0bb140000000000000000000000000000000000000000000000000000000000000000000200000000000000000000000000000000000000000000000000000000000000120000000000000000000000000000000000000000000000000000000000000006' | xxd -r -p > "$out/balancer"
            printf '%s' '000000000000000000000000000000000000000000000000000000000000008000000000000000000000000000000000000000000000000000000000000007d000000000000000000000000000000000000000000000000000000000000f42400000000000000000000000000000000000000000000000000000000000000100000000000000000000000000000000000000000000000000000000000000000300000000000000000000000000000000000000000018d0bf423c03d8de000000000000000000000000000000000000000000000000000000000016bcc41e9000000000000000000000000000000000000000000000000000000012309ce540000000000000000000000000000000000000000000000000000000000000000003000000000000000000000000000000000000000000000000000000000000001200000000000000000000000000000000000000000000000000000000000000060000000000000000000000000000000000000000000000000000000000000006' | xxd -r -p > "$out/curve" ;;
        headMessage)
            # The newHeads subscription's messages in geth's shapes, recorded from Tests/Servers/evm_ws before the local
            # node into Tests/EVMFixtures/ws: eth_subscribe's answer, a notification, errors, the malformed ones.
            cp "$root"/Tests/EVMFixtures/ws/*.json "$out/" ;;
        revertData)
            # Revert data as contracts return it (Error(string), Panic(uint256), an ERC-6093 custom error, an unknown
            # selector), raw, and inside the error objects geth, Besu, Nethermind and Hardhat return for eth_call.
            local error='08c379a0000000000000000000000000000000000000000000000000000000000000002000000000000000000000000000000000000000000000000000000000000000013546f6f206c6974746c6520726563656976656400000000000000000000000000'
            local panic='4e487b710000000000000000000000000000000000000000000000000000000000000011'
            local custom='e450d38c00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c80000000000000000000000000000000000000000000000000000000000000005000000000000000000000000000000000000000000000000000000000000000a'
            for name in error panic custom; do printf '%s' "${!name}" | xxd -r -p > "$out/$name"; done
            printf '\x71\xc4\xef\xed' > "$out/unknown"
            printf '{"code":3,"message":"execution reverted: Too little received","data":"0x%s"}' "$error" > "$out/geth"
            printf '{"code":-32000,"message":"Execution reverted","data":"0x%s"}' "$panic" > "$out/besu"
            printf '{"code":-32015,"message":"VM execution error.","data":"Reverted 0x%s"}' "$custom" > "$out/nethermind"
            printf '{"code":-32603,"message":"Internal JSON-RPC error.","data":{"message":"reverted","data":"0x%s"}}' "$error" > "$out/hardhat"
            printf '{"code":3,"message":"execution reverted: UniswapV2Router: EXPIRED"}' > "$out/words"
            printf '{"code":-32000,"message":"insufficient funds for gas * price + value: have 0 want 1"}' > "$out/funds" ;;
        whirlpoolAccounts)
            # Each recorded Whirlpool swap's pre-state: the pool account, then its three tick arrays (an absent one
            # as nothing), one case a file (../shared/vectors/solana/whirlpool_swaps.json).
            python3 - "$shared/vectors/solana/whirlpool_swaps.json" "$out" <<'PY'
import base64, json, sys
vectors = json.load(open(sys.argv[1]))
for case in vectors["cases"]:
    data = base64.b64decode(case["whirlpool"]["data"])
    for array in case["tick_arrays"]:
        if array["data_sha256"]:
            data += base64.b64decode(vectors["tick_array_data"][array["data_sha256"]])
    open("%s/case-%03d" % (sys.argv[2], case["id"]), "wb").write(data)
PY
            ;;
        cpmmAccounts)
            # Each recorded CPMM swap's pre-state: PoolState, AmmConfig, the two vault amounts and the clock (u64 LE).
            python3 - "$shared/vectors/solana/raydium_cpmm_swaps.json" "$out" <<'PY'
import base64, json, struct, sys
for case in json.load(open(sys.argv[1]))["cases"]:
    data = base64.b64decode(case["pool_state"]["data"]) + base64.b64decode(case["amm_config"]["data"])
    data += struct.pack("<QQq", int(case["vault_0_amount"]), int(case["vault_1_amount"]), case["clock_unix_timestamp"])
    open("%s/case-%03d" % (sys.argv[2], case["id"]), "wb").write(data)
PY
            ;;
        solanaRPCAnswer)
            # Answers in the shapes of solana.com/docs/rpc as the local node (Tests/Servers/solana) gives them: a
            # blockhash, an account (a token account's 165 bytes), accounts with a missing one, a token balance, a
            # simulation that failed with its logs, a preflight refusal, statuses, fees, a height past 2^53.
            local ctx='"context":{"apiVersion":"3.1.8","slot":1041}'
            printf '{"jsonrpc":"2.0","id":1,"result":{%s,"value":{"blockhash":"9zrUHnA1nCByPksy3aL8tQ47vqdaG2vnFs4HrxgcZj4F","lastValidBlockHeight":1091}}}' "$ctx" > "$out/blockhash"
            printf '{"jsonrpc":"2.0","id":1,"result":{%s,"value":{"data":["%s","base64"],"executable":false,"lamports":2039280,"owner":"TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA","rentEpoch":18446744073709551615,"space":165}}}' \
                "$ctx" "$(head -c 165 /dev/zero | tr '\0' '\7' | base64 -w0)" > "$out/account"
            printf '{"jsonrpc":"2.0","id":1,"result":{%s,"value":[null,{"data":["AQID","base64"],"executable":false,"lamports":1461600,"owner":"TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA","rentEpoch":18446744073709551615,"space":3}]}}' "$ctx" > "$out/accounts"
            printf '{"jsonrpc":"2.0","id":1,"result":{%s,"value":{"amount":"18446744073709551615","decimals":6,"uiAmount":1.8446744073709552e13,"uiAmountString":"18446744073709.551615"}}}' "$ctx" > "$out/tokenBalance"
            printf '{"jsonrpc":"2.0","id":1,"result":{%s,"value":{"err":{"InstructionError":[0,{"Custom":1}]},"logs":["Program 11111111111111111111111111111111 invoke [1]","Transfer: insufficient lamports 995000, need 5000000","Program 11111111111111111111111111111111 failed: custom program error: 0x1"],"accounts":null,"unitsConsumed":150,"returnData":null,"fee":5000,"preTokenBalances":[{"accountIndex":1,"mint":"So11111111111111111111111111111111111111112","owner":"11111111111111111111111111111111","programId":"TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA","uiTokenAmount":{"amount":"5","decimals":9,"uiAmount":5e-9,"uiAmountString":"0.000000005"}}],"postTokenBalances":[]}}}' "$ctx" > "$out/simulation"
            printf '{"jsonrpc":"2.0","id":1,"error":{"code":-32002,"message":"Transaction simulation failed: Blockhash not found","data":{"err":"BlockhashNotFound","logs":[],"unitsConsumed":0}}}' > "$out/refused"
            printf '{"jsonrpc":"2.0","id":1,"result":{%s,"value":[{"slot":1040,"confirmations":1,"err":null,"status":{"Ok":null},"confirmationStatus":"confirmed"},null]}}' "$ctx" > "$out/statuses"
            printf '{"jsonrpc":"2.0","id":1,"result":[{"slot":1040,"prioritizationFee":0},{"slot":1041,"prioritizationFee":12500}]}' > "$out/fees"
            printf '{"jsonrpc":"2.0","id":1,"result":9007199254740993}' > "$out/height"
            # PubSub (the pool feed): accountSubscribe's answer, a notification, a refusal.
            printf '{"jsonrpc":"2.0","result":23784,"id":3}' > "$out/subscribed"
            printf '{"jsonrpc":"2.0","method":"accountNotification","params":{"result":{"context":{"slot":5199307},"value":{"data":["AQID","base64"],"executable":false,"lamports":33594,"owner":"whirLbMiicVdio4qvUfM5KAg6Ct8VwpYzGff3uctyCc","rentEpoch":635,"space":3}},"subscription":23784}}' > "$out/notification"
            printf '{"jsonrpc":"2.0","error":{"code":-32602,"message":"Invalid param: WrongSize"},"id":4}' > "$out/subscribeRefused" ;;
        solanaTokenAccountData)
            # SPL mints (82 bytes: no authorities, decimals 6 and 9, initialized) and the CPMM vectors' vaults as token
            # accounts (mint, owner, amount, state Initialized), as SolanaPoolFeedTests write them to the node.
            python3 - "$shared/vectors/solana/raydium_cpmm_swaps.json" "$out" <<'PY'
import json, struct, sys
out = sys.argv[2]
for decimals in (6, 9):
    mint = bytearray(82); mint[44] = decimals; mint[45] = 1
    open("%s/mint-%d" % (out, decimals), "wb").write(bytes(mint))
for case in json.load(open(sys.argv[1]))["cases"][:8]:
    for side in (0, 1):
        account = bytearray(165)
        account[64:72] = struct.pack("<Q", int(case["vault_%d_amount" % side]))
        account[108] = 1
        open("%s/vault-%s-%d" % (out, case["id"], side), "wb").write(bytes(account))
PY
            ;;
        ammV4Accounts)
            # AmmInfo accounts (752 bytes) in each status, fees 25/10000 and 1/3, profit to take, then the two vault
            # amounts and the clock (u64 LE), as RaydiumAMMv4Tests writes them.
            python3 - "$out" <<'PY'
import struct, sys
out = sys.argv[1]
for n, (status, fee, pnl, vaults, clock) in enumerate([(6, (25, 10000), (1000, 2000), (10**12, 5 * 10**11), 0),
                                                       (7, (25, 10000), (0, 0), (10**9, 10**6), 10**9),
                                                       (1, (25, 10000), (0, 0), (10**9, 10**9), 0),
                                                       (6, (1, 3), (5, 5), (1000, 1000), 0)]):
    account = bytearray(752)
    struct.pack_into("<Q", account, 0, status)
    struct.pack_into("<QQ", account, 32, 9, 6)
    struct.pack_into("<QQ", account, 176, *fee)
    struct.pack_into("<QQ", account, 192, *pnl)
    struct.pack_into("<Q", account, 224, 10**9)
    for offset, byte in ((336, 5), (368, 6), (400, 3), (432, 4)):
        account[offset:offset + 32] = bytes([byte]) * 32
    open("%s/amm-%d" % (out, n), "wb").write(bytes(account) + struct.pack("<QQQ", vaults[0], vaults[1], clock))
PY
            ;;
        jupiterAnswer)
            # A QuoteResponse and SwapResponses in the documented shapes (the local Jupiter server's), their
            # transactions v0 messages paid by the fuzz target's user: compute budget, a token transfer, with and
            # without a lookup table; and the bare messages.
            python3 - "$out" <<'PY'
import base64, json, sys
out = sys.argv[1]
alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
def b58(text):
    n = 0
    for c in text: n = n * 58 + alphabet.index(c)
    raw = n.to_bytes(32, "big")
    return raw
user = b58("2KW2XRd9kwqet15Aha2oK3tYvd3nWbTFH1MBiRAv1BE1")
budget = b58("ComputeBudget111111111111111111111111111111")
token = b58("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
source, destination = bytes([1]) * 32, bytes([2]) * 32
def message(tables):
    keys = [user, source, destination, budget, token]
    body = bytes([0x80, 1, 0, 2, len(keys)]) + b"".join(keys) + bytes([9]) * 32
    ixs = [(3, [], bytes([2]) + (240000).to_bytes(4, "little")), (3, [], bytes([3]) + (1000).to_bytes(8, "little")),
           (4, [1, 2, 0], bytes([3]) + (123456789).to_bytes(8, "little"))]
    body += bytes([len(ixs)])
    for program, accounts, data in ixs:
        body += bytes([program, len(accounts)]) + bytes(accounts) + bytes([len(data)]) + data
    body += bytes([len(tables)])
    for table in tables:
        body += table + bytes([1, 0, 1, 1])
    return body
for name, tables in (("swap", []), ("swap-lookup", [bytes([7]) * 32])):
    m = message(tables)
    open("%s/%s-message" % (out, name), "wb").write(m)
    wire = bytes([1]) + bytes(64) + m
    json.dump({"swapTransaction": base64.b64encode(wire).decode(), "lastValidBlockHeight": 1150,
               "prioritizationFeeLamports": 240, "computeUnitLimit": 240000,
               "prioritizationType": {"computeBudget": {"microLamports": 1000, "estimatedMicroLamports": 1000}},
               "dynamicSlippageReport": None, "simulationError": None}, open("%s/%s" % (out, name), "w"))
json.dump({"inputMint": "So11111111111111111111111111111111111111112", "inAmount": "1000000000",
           "outputMint": "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v", "outAmount": "149610076",
           "otherAmountThreshold": "148862025", "swapMode": "ExactIn", "slippageBps": 50, "platformFee": None,
           "priceImpactPct": "0.0001", "routePlan": [{"swapInfo": {"ammKey": "7CnT2fE1DcZn2oXXM6kgiKYMCjNrSwzGMpWETwJidT8g",
           "label": "Whirlpool", "inputMint": "So11111111111111111111111111111111111111112",
           "outputMint": "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v", "inAmount": "1000000000",
           "outAmount": "149610076", "feeAmount": "2500000", "feeMint": "So11111111111111111111111111111111111111112"},
           "percent": 100}], "contextSlot": 1040, "timeTaken": 0.001}, open("%s/quote" % out, "w"))
PY
            ;;
        solanaTokenAccounts)
            # getTokenAccountsByOwner answers (jsonParsed) as the local node gives them: two classic accounts (one
            # at 2^64-1), a Token-2022 account, none, and an account the node could not parse (base64 data).
            local ctx='"context":{"apiVersion":"3.1.8","slot":1000}'
            local entry='{"account":{"data":{"program":"%s","parsed":{"info":{"isNative":false,"mint":"%s","owner":"So11111111111111111111111111111111111111112","state":"initialized","tokenAmount":{"amount":"%s","decimals":%s,"uiAmount":%s,"uiAmountString":"%s"}},"type":"account"},"space":165},"executable":false,"lamports":2039280,"owner":"%s","rentEpoch":18446744073709551615,"space":165},"pubkey":"%s"}'
            local classic modern
            classic=$(printf "$entry" spl-token 8t5vJWVfkiQYfr9JhGuDFTb3NvXBXrxNA9PwMaLoCRZc 18446744073709551615 6 18446744073709.55 18446744073709.551615 TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA D9R57ESZtmRfC7y2C2A6gpiGtRFvYr3KSUMypQuwcHfE)
            classic="$classic,$(printf "$entry" spl-token CFgNvTQFDXiWuC3K6BUogmr9W5CqTs6jJwBojcSBfLAh 0 9 0.0 0 TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA 76dxE3WBF1Sm31FVDTYXp67oEuXrVds9TynyqDB9TtfN)"
            modern=$(printf "$entry" spl-token-2022 8XaEwBB9E8RaZ4fFqtnS2r3HkPnNVJKewoEctkuQRGis 12345 2 123.45 123.45 TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb 3B9wPKamTV4q4cWW5KLyDLvMENPoKQSGXK18jGMFmDzq)
            printf '{"jsonrpc":"2.0","result":{%s,"value":[%s]},"id":1}' "$ctx" "$classic" > "$out/classic"
            printf '{"jsonrpc":"2.0","result":{%s,"value":[%s]},"id":1}' "$ctx" "$modern" > "$out/token2022"
            printf '{"jsonrpc":"2.0","result":{%s,"value":[]},"id":1}' "$ctx" > "$out/none"
            printf '{"jsonrpc":"2.0","result":{%s,"value":[{"account":{"data":["AQID","base64"],"executable":false,"lamports":2039280,"owner":"TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA","rentEpoch":18446744073709551615,"space":3},"pubkey":"D9R57ESZtmRfC7y2C2A6gpiGtRFvYr3KSUMypQuwcHfE"}]},"id":1}' "$ctx" > "$out/unparsed" ;;
        replay)
            # Whole short recordings: 40 lines of each Binance file (the first hold its REST snapshot), 20 rows of
            # each CSV, and two merged pairs (a NUL byte separates the files of one input).
            local name
            for file in "$stream"/*.gz; do
                name=$(basename "$file" .gz)
                gzip -dc "$file" | head -n 40 > "$out/$name"
                gzip -dc "$file" | sed -n '2000,2040p' > "$out/$name-later"
            done
            for file in "$csv"/*.gz; do gzip -dc "$file" | head -n 21 > "$out/$(basename "$file" .gz)"; done
            { cat "$out/btcusdt_20240808"; printf '\0'; cat "$out/ethusdt_20240808"; } > "$out/btc+eth"
            { cat "$out/orderbook_bnc.csv"; printf '\0'; cat "$out/orderbook_hb.csv"; } > "$out/bnc+hb" ;;
    esac
)

printf '%-15s %10s %8s %6s %13s %13s %s\n' target runs seconds edges "corpus files" "corpus bytes" findings
status=0
for name in "${selected[@]}"; do
    binary="$build/bin/$name"
    if [ ! -x "$binary" ] || [ "Fuzz/$name.swift" -nt "$binary" ] || [ "$library" -nt "$binary" ]; then
        compile nice -n "${FUZZ_NICE:-19}" swiftc "${swiftc_flags[@]}" -module-name "Fuzz_$name" "Fuzz/$name.swift" \
            -L "$build/lib" -lDexterWire -lz -use-ld=lld -o "$binary"
    fi
    corpus="$build/corpus/$name"
    findings="$build/findings/$name"
    mkdir -p "$corpus" "$findings"
    if [ -z "$(ls -A "$corpus")" ]; then
        rm -rf "$corpus.seeding"
        seeds "$name" "$corpus.seeding"
        rmdir "$corpus"
        mv "$corpus.seeding" "$corpus"
    fi
    log="$build/logs/$name.log"
    touch "$build/logs/$name.start"
    start=$(date +%s)
    code=0
    # Leak checking is off: the Swift runtime's caches read as leaks to LeakSanitizer. Swift's backtracer is off so
    # that a trap reaches libFuzzer, which writes the input out; to read a finding's Swift backtrace, run the target on
    # it: `SWIFT_BACKTRACE=registers=none .build-fuzz/bin/<target> <file>`.
    SWIFT_BACKTRACE=enable=no nice -n "${FUZZ_NICE:-19}" "$binary" -runs="$runs" -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb="${FUZZ_RSS_MB:-2048}" \
        -max_total_time="${FUZZ_MAX_TIME:-0}" -dict="$root/Fuzz/binance.dict" -detect_leaks=0 -print_final_stats=1 \
        -artifact_prefix="$findings/" ${FUZZ_FLAGS:-} "$corpus" > "$log" 2>&1 || code=$?
    seconds=$(($(date +%s) - start))
    done_runs=$(sed -nE 's/^Done ([0-9]+) runs in.*/\1/p' "$log" | tail -1)
    if [ -z "$done_runs" ]; then
        # Stopped early (a finding): the last status line's count.
        done_runs="~$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#' || true)"
    fi
    coverage=$(sed -nE 's/^#[0-9]+[[:space:]]+DONE[[:space:]]+cov: ([0-9]+) .*/\1/p' "$log" | tail -1)
    if [ "$code" -eq 0 ]; then
        # The corpus kept is the smallest set of its inputs that covers what all of them cover (libFuzzer's merge).
        rm -rf "$corpus.merged"
        mkdir -p "$corpus.merged"
        SWIFT_BACKTRACE=enable=no nice -n "${FUZZ_NICE:-19}" "$binary" -merge=1 -timeout="${FUZZ_TIMEOUT:-10}" \
            -rss_limit_mb="${FUZZ_RSS_MB:-2048}" -detect_leaks=0 "$corpus.merged" "$corpus" > "$build/logs/$name.merge.log" 2>&1
        rm -rf "$corpus"
        mv "$corpus.merged" "$corpus"
    fi
    files=$(find "$corpus" -type f | wc -l)
    bytes=$(find "$corpus" -type f -printf '%s\n' | awk '{ sum += $1 } END { print sum + 0 }')
    found=$(find "$findings" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) \
        -newer "$build/logs/$name.start" | wc -l)
    note="$found"
    if [ "$code" -ne 0 ]; then
        note="$found (exit $code; see $log)"
        status=1
    fi
    printf '%-15s %10s %8s %6s %13s %13s %s\n' "$name" "$done_runs" "$seconds" "${coverage:--}" "$files" "$bytes" "$note"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$name" "$done_runs" "$seconds" "${coverage:--}" \
        "$files" "$bytes" "$found" >> "$build/results.tsv"
done
exit "$status"
