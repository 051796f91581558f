# pragma version ~=0.4.3
"""
@title A stand-in for a Balancer V2 Vault and one weighted pool, in one contract
@notice No Balancer bytecode is installable from a package registry here, so dexter's reader is tested against
        this contract of the project's own: it answers the Vault's `getPoolTokens(bytes32)` and the weighted pool's
        `getPoolId()`, `getNormalizedWeights()` and `getSwapFeePercentage()` with Balancer's ABI, and emits the
        Vault's `Swap` / `PoolBalanceChanged` and the pool's `SwapFeePercentageChanged` when a test moves it. It does no
        swap math: the balances a test sets are the balances it reports, and `queryBatchSwap` (the Vault's ABI) answers
        only what a test told it to for that swap, reverting otherwise.
"""

event Swap:
    poolId: indexed(bytes32)
    tokenIn: indexed(address)
    tokenOut: indexed(address)
    amountIn: uint256
    amountOut: uint256

event PoolBalanceChanged:
    poolId: indexed(bytes32)
    liquidityProvider: indexed(address)
    tokens: DynArray[address, 8]
    deltas: DynArray[int256, 8]
    protocolFeeAmounts: DynArray[uint256, 8]

event SwapFeePercentageChanged:
    swapFeePercentage: uint256

struct BatchSwapStep:
    poolId: bytes32
    assetInIndex: uint256
    assetOutIndex: uint256
    amount: uint256
    userData: Bytes[1024]

struct FundManagement:
    sender: address
    fromInternalBalance: bool
    recipient: address
    toInternalBalance: bool

pool_id: bytes32
# keccak256(tokenIn ‖ tokenOut ‖ amount in) → the amount out queryBatchSwap answers.
query_answers: HashMap[bytes32, uint256]
tokens: DynArray[address, 8]
balances: DynArray[uint256, 8]
weights: DynArray[uint256, 8]
swap_fee: uint256
last_change_block: uint256


@deploy
def __init__(_tokens: DynArray[address, 8], _balances: DynArray[uint256, 8], _weights: DynArray[uint256, 8],
             _swap_fee: uint256):
    # A V2 pool id: the pool's address, then the specialization (2: two-token) and a nonce.
    self.pool_id = convert(convert(convert(self, uint160), uint256) << 96 | 2 << 80, bytes32)
    self.tokens = _tokens
    self.balances = _balances
    self.weights = _weights
    self.swap_fee = _swap_fee
    self.last_change_block = block.number


@view
@external
def getPoolId() -> bytes32:
    return self.pool_id


@view
@external
def getNormalizedWeights() -> DynArray[uint256, 8]:
    return self.weights


@view
@external
def getSwapFeePercentage() -> uint256:
    return self.swap_fee


@view
@external
def getPoolTokens(poolId: bytes32) -> (DynArray[address, 8], DynArray[uint256, 8], uint256):
    assert poolId == self.pool_id, "BAL#500"
    return self.tokens, self.balances, self.last_change_block


@external
def record_swap(i: uint256, j: uint256, amount_in: uint256, amount_out: uint256):
    self.balances[i] += amount_in
    self.balances[j] -= amount_out
    self.last_change_block = block.number
    log Swap(poolId=self.pool_id, tokenIn=self.tokens[i], tokenOut=self.tokens[j], amountIn=amount_in, amountOut=amount_out)


@external
def join(amounts: DynArray[uint256, 8]):
    deltas: DynArray[int256, 8] = []
    fees: DynArray[uint256, 8] = []
    for k: uint256 in range(len(amounts), bound=8):
        self.balances[k] += amounts[k]
        deltas.append(convert(amounts[k], int256))
        fees.append(0)
    self.last_change_block = block.number
    log PoolBalanceChanged(poolId=self.pool_id, liquidityProvider=msg.sender, tokens=self.tokens, deltas=deltas,
                           protocolFeeAmounts=fees)


@external
def setSwapFeePercentage(fee: uint256):
    self.swap_fee = fee
    log SwapFeePercentageChanged(swapFeePercentage=fee)


@external
def set_query_answer(token_in: address, token_out: address, amount_in: uint256, amount_out: uint256):
    self.query_answers[keccak256(concat(convert(token_in, bytes20), convert(token_out, bytes20),
                                        convert(amount_in, bytes32)))] = amount_out


@external
def queryBatchSwap(kind: uint8, swaps: DynArray[BatchSwapStep, 4], assets: DynArray[address, 8],
                   funds: FundManagement) -> DynArray[int256, 8]:
    assert kind == 0, "GIVEN_IN only"
    assert len(swaps) == 1, "one swap"
    step: BatchSwapStep = swaps[0]
    assert step.poolId == self.pool_id, "BAL#500"
    token_in: address = assets[step.assetInIndex]
    token_out: address = assets[step.assetOutIndex]
    answer: uint256 = self.query_answers[keccak256(concat(convert(token_in, bytes20), convert(token_out, bytes20),
                                                          convert(step.amount, bytes32)))]
    assert answer > 0, "no answer set for this swap"
    deltas: DynArray[int256, 8] = []
    for k: uint256 in range(len(assets), bound=8):
        if k == step.assetInIndex:
            deltas.append(convert(step.amount, int256))
        elif k == step.assetOutIndex:
            deltas.append(-convert(answer, int256))
        else:
            deltas.append(0)
    return deltas
