# pragma version ~=0.4.3
"""
@title dexter's test port of Curve's StableSwap3Pool (DAI/USDC/USDT style, plain pool)
@notice The integer math of Curve's deployed StableSwap3Pool.vy (curvefi/curve-contract, contracts/pools/3pool):
        the same _A, _xp, get_D, get_y, get_dy (scaled to the coin's units, then the fee) and exchange (the fee in
        18-decimal units, then scaled; the admin's share taken out of the balance), the same events. Written for
        dexter's tests so that `get_dy` on the local node is an oracle of the real contract's arithmetic. Left out:
        ownership, fee commits, A ramps' admin calls (A stays `initial_A`), kill switch; the LP shares are kept
        here rather than in a separate token contract. Not for deployment with money.
"""
from ethereum.ercs import IERC20

event TokenExchange:
    buyer: indexed(address)
    sold_id: int128
    tokens_sold: uint256
    bought_id: int128
    tokens_bought: uint256

event AddLiquidity:
    provider: indexed(address)
    token_amounts: uint256[N_COINS]
    fees: uint256[N_COINS]
    invariant: uint256
    token_supply: uint256

event RemoveLiquidity:
    provider: indexed(address)
    token_amounts: uint256[N_COINS]
    fees: uint256[N_COINS]
    token_supply: uint256

event RemoveLiquidityOne:
    provider: indexed(address)
    token_amount: uint256
    coin_amount: uint256

N_COINS: constant(uint256) = 3
FEE_DENOMINATOR: constant(uint256) = 10 ** 10
LENDING_PRECISION: constant(uint256) = 10 ** 18
PRECISION: constant(uint256) = 10 ** 18

coins: public(address[N_COINS])
balances: public(uint256[N_COINS])
fee: public(uint256)
admin_fee: public(uint256)
initial_A: public(uint256)
future_A: public(uint256)
initial_A_time: public(uint256)
future_A_time: public(uint256)
# 10 ** (36 - decimals) per coin: the 3pool's RATES, from the coins' decimals rather than a constant.
rates: uint256[N_COINS]

totalSupply: public(uint256)
lp_balances: public(HashMap[address, uint256])


@deploy
def __init__(_coins: address[N_COINS], _A: uint256, _fee: uint256, _admin_fee: uint256):
    for i: uint256 in range(N_COINS):
        assert _coins[i] != empty(address)
        decimals: uint256 = convert(staticcall IERC20Detailed(_coins[i]).decimals(), uint256)
        self.rates[i] = 10 ** (36 - decimals)
    self.coins = _coins
    self.initial_A = _A
    self.future_A = _A
    self.fee = _fee
    self.admin_fee = _admin_fee


interface IERC20Detailed:
    def decimals() -> uint8: view


@view
@internal
def _A() -> uint256:
    t1: uint256 = self.future_A_time
    A1: uint256 = self.future_A
    if block.timestamp < t1:
        A0: uint256 = self.initial_A
        t0: uint256 = self.initial_A_time
        if A1 > A0:
            return A0 + (A1 - A0) * (block.timestamp - t0) // (t1 - t0)
        else:
            return A0 - (A0 - A1) * (block.timestamp - t0) // (t1 - t0)
    return A1


@view
@external
def A() -> uint256:
    return self._A()


@view
@internal
def _xp() -> uint256[N_COINS]:
    result: uint256[N_COINS] = self.rates
    for i: uint256 in range(N_COINS):
        result[i] = result[i] * self.balances[i] // LENDING_PRECISION
    return result


@view
@internal
def _xp_mem(_balances: uint256[N_COINS]) -> uint256[N_COINS]:
    result: uint256[N_COINS] = self.rates
    for i: uint256 in range(N_COINS):
        result[i] = result[i] * _balances[i] // PRECISION
    return result


@pure
@internal
def _get_D(xp: uint256[N_COINS], amp: uint256) -> uint256:
    S: uint256 = 0
    for _x: uint256 in xp:
        S += _x
    if S == 0:
        return 0
    Dprev: uint256 = 0
    D: uint256 = S
    Ann: uint256 = amp * N_COINS
    for _i: uint256 in range(255):
        D_P: uint256 = D
        for _x: uint256 in xp:
            D_P = D_P * D // (_x * N_COINS)
        Dprev = D
        D = (Ann * S + D_P * N_COINS) * D // ((Ann - 1) * D + (N_COINS + 1) * D_P)
        if D > Dprev:
            if D - Dprev <= 1:
                break
        else:
            if Dprev - D <= 1:
                break
    return D


@view
@internal
def _get_y(i: uint256, j: uint256, x: uint256, xp_: uint256[N_COINS]) -> uint256:
    assert i != j
    assert j < N_COINS
    assert i < N_COINS
    amp: uint256 = self._A()
    D: uint256 = self._get_D(xp_, amp)
    c: uint256 = D
    S_: uint256 = 0
    Ann: uint256 = amp * N_COINS
    _x: uint256 = 0
    for _i: uint256 in range(N_COINS):
        if _i == i:
            _x = x
        elif _i != j:
            _x = xp_[_i]
        else:
            continue
        S_ += _x
        c = c * D // (_x * N_COINS)
    c = c * D // (Ann * N_COINS)
    b: uint256 = S_ + D // Ann
    y_prev: uint256 = 0
    y: uint256 = D
    for _i: uint256 in range(255):
        y_prev = y
        y = (y * y + c) // (2 * y + b - D)
        if y > y_prev:
            if y - y_prev <= 1:
                break
        else:
            if y_prev - y <= 1:
                break
    return y


@view
@external
def get_virtual_price() -> uint256:
    D: uint256 = self._get_D(self._xp(), self._A())
    return D * PRECISION // self.totalSupply


@view
@external
def get_dy(i: int128, j: int128, dx: uint256) -> uint256:
    ii: uint256 = convert(i, uint256)
    jj: uint256 = convert(j, uint256)
    rates: uint256[N_COINS] = self.rates
    xp: uint256[N_COINS] = self._xp()
    x: uint256 = xp[ii] + (dx * rates[ii] // PRECISION)
    y: uint256 = self._get_y(ii, jj, x, xp)
    dy: uint256 = (xp[jj] - y - 1) * PRECISION // rates[jj]
    _fee: uint256 = self.fee * dy // FEE_DENOMINATOR
    return dy - _fee


@external
@nonreentrant
def add_liquidity(amounts: uint256[N_COINS], min_mint_amount: uint256):
    fees: uint256[N_COINS] = empty(uint256[N_COINS])
    _fee: uint256 = self.fee * N_COINS // (4 * (N_COINS - 1))
    _admin_fee: uint256 = self.admin_fee
    amp: uint256 = self._A()
    token_supply: uint256 = self.totalSupply
    D0: uint256 = 0
    old_balances: uint256[N_COINS] = self.balances
    if token_supply > 0:
        D0 = self._get_D(self._xp_mem(old_balances), amp)
    new_balances: uint256[N_COINS] = old_balances
    for i: uint256 in range(N_COINS):
        if token_supply == 0:
            assert amounts[i] > 0  # dev: initial deposit requires all coins
        if amounts[i] > 0:
            assert extcall IERC20(self.coins[i]).transferFrom(msg.sender, self, amounts[i])
        new_balances[i] = old_balances[i] + amounts[i]
    D1: uint256 = self._get_D(self._xp_mem(new_balances), amp)
    assert D1 > D0
    D2: uint256 = D1
    if token_supply > 0:
        for i: uint256 in range(N_COINS):
            ideal_balance: uint256 = D1 * old_balances[i] // D0
            difference: uint256 = 0
            if ideal_balance > new_balances[i]:
                difference = ideal_balance - new_balances[i]
            else:
                difference = new_balances[i] - ideal_balance
            fees[i] = _fee * difference // FEE_DENOMINATOR
            self.balances[i] = new_balances[i] - (fees[i] * _admin_fee // FEE_DENOMINATOR)
            new_balances[i] -= fees[i]
        D2 = self._get_D(self._xp_mem(new_balances), amp)
    else:
        self.balances = new_balances
    mint_amount: uint256 = 0
    if token_supply == 0:
        mint_amount = D1
    else:
        mint_amount = token_supply * (D2 - D0) // D0
    assert mint_amount >= min_mint_amount, "Slippage screwed you"
    self.totalSupply = token_supply + mint_amount
    self.lp_balances[msg.sender] += mint_amount
    log AddLiquidity(provider=msg.sender, token_amounts=amounts, fees=fees, invariant=D1,
                     token_supply=token_supply + mint_amount)


@external
@nonreentrant
def exchange(i: int128, j: int128, dx: uint256, min_dy: uint256):
    ii: uint256 = convert(i, uint256)
    jj: uint256 = convert(j, uint256)
    rates: uint256[N_COINS] = self.rates
    old_balances: uint256[N_COINS] = self.balances
    xp: uint256[N_COINS] = self._xp_mem(old_balances)
    assert extcall IERC20(self.coins[ii]).transferFrom(msg.sender, self, dx)
    x: uint256 = xp[ii] + dx * rates[ii] // PRECISION
    y: uint256 = self._get_y(ii, jj, x, xp)
    dy: uint256 = xp[jj] - y - 1
    dy_fee: uint256 = dy * self.fee // FEE_DENOMINATOR
    dy = (dy - dy_fee) * PRECISION // rates[jj]
    assert dy >= min_dy, "Exchange resulted in fewer coins than expected"
    dy_admin_fee: uint256 = dy_fee * self.admin_fee // FEE_DENOMINATOR
    dy_admin_fee = dy_admin_fee * PRECISION // rates[jj]
    self.balances[ii] = old_balances[ii] + dx
    self.balances[jj] = old_balances[jj] - dy - dy_admin_fee
    assert extcall IERC20(self.coins[jj]).transfer(msg.sender, dy)
    log TokenExchange(buyer=msg.sender, sold_id=i, tokens_sold=dx, bought_id=j, tokens_bought=dy)


@external
@nonreentrant
def remove_liquidity(_amount: uint256, min_amounts: uint256[N_COINS]):
    total_supply: uint256 = self.totalSupply
    amounts: uint256[N_COINS] = empty(uint256[N_COINS])
    fees: uint256[N_COINS] = empty(uint256[N_COINS])
    for i: uint256 in range(N_COINS):
        value: uint256 = self.balances[i] * _amount // total_supply
        assert value >= min_amounts[i], "Withdrawal resulted in fewer coins than expected"
        self.balances[i] -= value
        amounts[i] = value
        assert extcall IERC20(self.coins[i]).transfer(msg.sender, value)
    self.lp_balances[msg.sender] -= _amount
    self.totalSupply = total_supply - _amount
    log RemoveLiquidity(provider=msg.sender, token_amounts=amounts, fees=fees, token_supply=total_supply - _amount)
