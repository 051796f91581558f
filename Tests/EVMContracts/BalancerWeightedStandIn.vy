# pragma version ~=0.4.3
"""
@title A stand-in for a Balancer V2 Vault and one weighted pool, in one contract
@notice No Balancer bytecode is installable from a package registry here, so dexter is tested against this contract
        of the project's own: it answers the Vault's `getPoolTokens(bytes32)` and the weighted pool's `getPoolId()`,
        `getNormalizedWeights()` and `getSwapFeePercentage()` with Balancer's ABI, and emits the Vault's `Swap` /
        `PoolBalanceChanged` and the pool's `SwapFeePercentageChanged`. Its `swap` has the Vault's ABI and moves real
        tokens by Balancer V2's own weighted math (BalancerWeightedMath.vy, a port of LogExpMath / FixedPoint /
        WeightedMath and the pool's scaling and fees): GIVEN_IN and GIVEN_OUT, the limit, the deadline and the
        Vault's errors ("BAL#507" past the limit), the Swap event, the balances moved. A test may still move the
        reported balances by hand (`record_swap`, `join`: numbers only, no tokens), and `queryBatchSwap` answers only
        what a test told it to, reverting otherwise. Left out: relayers, internal balances, ETH, batch swaps,
        protocol fees.
"""

from ethereum.ercs import IERC20
from . import BalancerWeightedMath as math

interface ERC20Decimals:
    def decimals() -> uint8: view

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

struct SingleSwap:
    poolId: bytes32
    kind: uint8
    assetIn: address
    assetOut: address
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
# BasePool's scaling factors: ONE × 10^(18 − decimals) per token.
scaling_factors: DynArray[uint256, 8]


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
    for token: address in _tokens:
        self.scaling_factors.append(10 ** 18 * 10 ** (18 - convert(staticcall ERC20Decimals(token).decimals(), uint256)))


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


@view
@internal
def _index(token: address) -> uint256:
    for k: uint256 in range(len(self.tokens), bound=8):
        if self.tokens[k] == token:
            return k
    raise "BAL#521"


@external
@nonreentrant
def swap(singleSwap: SingleSwap, funds: FundManagement, limit: uint256, deadline: uint256) -> uint256:
    """The Vault's single swap: GIVEN_IN (kind 0) pays out at least `limit`, GIVEN_OUT (kind 1) takes in at most
    `limit`; returns the amount calculated (out, or in)."""
    assert block.timestamp <= deadline, "BAL#508"
    assert singleSwap.amount > 0, "BAL#510"
    assert singleSwap.poolId == self.pool_id, "BAL#500"
    assert funds.sender == msg.sender, "BAL#401"
    assert not funds.fromInternalBalance and not funds.toInternalBalance, "stand-in: no internal balances"
    assert singleSwap.assetIn != singleSwap.assetOut, "BAL#509"
    i: uint256 = self._index(singleSwap.assetIn)
    j: uint256 = self._index(singleSwap.assetOut)
    amount_in: uint256 = 0
    amount_out: uint256 = 0
    if singleSwap.kind == 0:
        amount_in = singleSwap.amount
        amount_out = math.on_swap_given_in(amount_in, self.balances[i], self.balances[j], self.weights[i], self.weights[j],
                                           self.scaling_factors[i], self.scaling_factors[j], self.swap_fee)
        assert amount_out >= limit, "BAL#507"
    else:
        assert singleSwap.kind == 1, "stand-in: SwapKind is 0 or 1"
        amount_out = singleSwap.amount
        amount_in = math.on_swap_given_out(amount_out, self.balances[i], self.balances[j], self.weights[i],
                                           self.weights[j], self.scaling_factors[i], self.scaling_factors[j],
                                           self.swap_fee)
        assert amount_in <= limit, "BAL#507"
    assert amount_out <= self.balances[j], "BAL#001"
    self.balances[i] += amount_in
    self.balances[j] -= amount_out
    self.last_change_block = block.number
    log Swap(poolId=self.pool_id, tokenIn=singleSwap.assetIn, tokenOut=singleSwap.assetOut, amountIn=amount_in,
             amountOut=amount_out)
    assert extcall IERC20(singleSwap.assetIn).transferFrom(funds.sender, self, amount_in)
    assert extcall IERC20(singleSwap.assetOut).transfer(funds.recipient, amount_out)
    if singleSwap.kind == 0:
        return amount_out
    return amount_in
