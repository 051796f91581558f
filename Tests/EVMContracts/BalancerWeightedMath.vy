# pragma version ~=0.4.3
"""
@title Balancer V2's weighted-pool swap math, ported to Vyper for dexter's tests
@notice A line-by-line port of balancer-v2-monorepo's `LogExpMath.sol` (pow, exp, _ln, _ln_36) and `FixedPoint.sol`
        (pkg/solidity-utils: mulDown/Up, divDown/Up, powUp with its exponent 1/2/4 shortcuts, complement),
        `WeightedMath.sol` (pkg/pool-weighted: _calcOutGivenIn, _calcInGivenOut) and the scaling and fees of
        `BaseMinimalSwapInfoPool.onSwap` / `BasePool` (_upscale = mulDown, _downscaleDown / Up = divDown / Up by
        ONE × 10^(18 − decimals); the fee off the raw amount in, or the raw amount in over the fee's complement).
        Same integer steps, same signed truncation (Vyper's // and % on int256 round toward zero, as Solidity's do);
        Vyper has no recursion, so exp of a negative and ln below one call their positive halves directly. Errors
        revert with Balancer's "BAL#nnn" codes. Written so that dexter's Swift port (DexterMarket LogExpMath.swift,
        WeightedPool.swift) meets an independent implementation on chain; not Balancer's bytecode.
"""

ONE_18: constant(int256) = 10 ** 18
ONE_20: constant(int256) = 10 ** 20
ONE_36: constant(int256) = 10 ** 36
MAX_NATURAL_EXPONENT: constant(int256) = 130 * 10 ** 18
MIN_NATURAL_EXPONENT: constant(int256) = -41 * 10 ** 18
LN_36_LOWER_BOUND: constant(int256) = 10 ** 18 - 10 ** 17
LN_36_UPPER_BOUND: constant(int256) = 10 ** 18 + 10 ** 17
MILD_EXPONENT_BOUND: constant(uint256) = 2 ** 254 // 10 ** 20

# 18 decimal constants: x_n = 2^(7 - n), a_n = e^(x_n) (the first two with no decimals)
x0: constant(int256) = 128000000000000000000
a0: constant(int256) = 38877084059945950922200000000000000000000000000000000000
x1: constant(int256) = 64000000000000000000
a1: constant(int256) = 6235149080811616882910000000
# 20 decimal constants
x2: constant(int256) = 3200000000000000000000
a2: constant(int256) = 7896296018268069516100000000000000
x3: constant(int256) = 1600000000000000000000
a3: constant(int256) = 888611052050787263676000000
x4: constant(int256) = 800000000000000000000
a4: constant(int256) = 298095798704172827474000
x5: constant(int256) = 400000000000000000000
a5: constant(int256) = 5459815003314423907810
x6: constant(int256) = 200000000000000000000
a6: constant(int256) = 738905609893065022723
x7: constant(int256) = 100000000000000000000
a7: constant(int256) = 271828182845904523536
x8: constant(int256) = 50000000000000000000
a8: constant(int256) = 164872127070012814685
x9: constant(int256) = 25000000000000000000
a9: constant(int256) = 128402541668774148407
x10: constant(int256) = 12500000000000000000
a10: constant(int256) = 113314845306682631683
x11: constant(int256) = 6250000000000000000
a11: constant(int256) = 106449445891785942956

ONE: constant(uint256) = 10 ** 18
TWO: constant(uint256) = 2 * 10 ** 18
FOUR: constant(uint256) = 4 * 10 ** 18
MAX_POW_RELATIVE_ERROR: constant(uint256) = 10000
MAX_IN_RATIO: constant(uint256) = 3 * 10 ** 17
MAX_OUT_RATIO: constant(uint256) = 3 * 10 ** 17


# ---- LogExpMath ----

@internal
@pure
def pow(x: uint256, y: uint256) -> uint256:
    if y == 0:
        return convert(ONE_18, uint256)
    if x == 0:
        return 0
    assert x >> 255 == 0, "BAL#006"
    x_int256: int256 = convert(x, int256)
    assert y < MILD_EXPONENT_BOUND, "BAL#007"
    y_int256: int256 = convert(y, int256)
    logx_times_y: int256 = 0
    if LN_36_LOWER_BOUND < x_int256 and x_int256 < LN_36_UPPER_BOUND:
        ln_36_x: int256 = self._ln_36(x_int256)
        logx_times_y = (ln_36_x // ONE_18) * y_int256 + ((ln_36_x % ONE_18) * y_int256) // ONE_18
    else:
        logx_times_y = self._ln(x_int256) * y_int256
    logx_times_y = logx_times_y // ONE_18
    assert MIN_NATURAL_EXPONENT <= logx_times_y and logx_times_y <= MAX_NATURAL_EXPONENT, "BAL#008"
    return convert(self.exp(logx_times_y), uint256)


@internal
@pure
def exp(x: int256) -> int256:
    assert x >= MIN_NATURAL_EXPONENT and x <= MAX_NATURAL_EXPONENT, "BAL#009"
    if x < 0:
        return (ONE_18 * ONE_18) // self._exp_positive(-x)
    return self._exp_positive(x)


@internal
@pure
def _exp_positive(x_: int256) -> int256:
    # exp's body for x >= 0.
    x: int256 = x_
    firstAN: int256 = 0
    if x >= x0:
        x -= x0
        firstAN = a0
    elif x >= x1:
        x -= x1
        firstAN = a1
    else:
        firstAN = 1
    x *= 100
    product: int256 = ONE_20
    if x >= x2:
        x -= x2
        product = (product * a2) // ONE_20
    if x >= x3:
        x -= x3
        product = (product * a3) // ONE_20
    if x >= x4:
        x -= x4
        product = (product * a4) // ONE_20
    if x >= x5:
        x -= x5
        product = (product * a5) // ONE_20
    if x >= x6:
        x -= x6
        product = (product * a6) // ONE_20
    if x >= x7:
        x -= x7
        product = (product * a7) // ONE_20
    if x >= x8:
        x -= x8
        product = (product * a8) // ONE_20
    if x >= x9:
        x -= x9
        product = (product * a9) // ONE_20
    # 12 Taylor terms of e^x for the remainder.
    seriesSum: int256 = ONE_20
    term: int256 = x
    seriesSum += term
    for n: int256 in [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]:
        term = ((term * x) // ONE_20) // n
        seriesSum += term
    return (((product * seriesSum) // ONE_20) * firstAN) // 100


@internal
@pure
def _ln(a: int256) -> int256:
    if a < ONE_18:
        return -self._ln_at_least_one((ONE_18 * ONE_18) // a)
    return self._ln_at_least_one(a)


@internal
@pure
def _ln_at_least_one(a_: int256) -> int256:
    # _ln's body for a >= ONE_18.
    a: int256 = a_
    sum: int256 = 0
    if a >= a0 * ONE_18:
        a //= a0
        sum += x0
    if a >= a1 * ONE_18:
        a //= a1
        sum += x1
    sum *= 100
    a *= 100
    if a >= a2:
        a = (a * ONE_20) // a2
        sum += x2
    if a >= a3:
        a = (a * ONE_20) // a3
        sum += x3
    if a >= a4:
        a = (a * ONE_20) // a4
        sum += x4
    if a >= a5:
        a = (a * ONE_20) // a5
        sum += x5
    if a >= a6:
        a = (a * ONE_20) // a6
        sum += x6
    if a >= a7:
        a = (a * ONE_20) // a7
        sum += x7
    if a >= a8:
        a = (a * ONE_20) // a8
        sum += x8
    if a >= a9:
        a = (a * ONE_20) // a9
        sum += x9
    if a >= a10:
        a = (a * ONE_20) // a10
        sum += x10
    if a >= a11:
        a = (a * ONE_20) // a11
        sum += x11
    # ln(a) = 2 (z + z^3/3 + ... + z^11/11), z = (a - 1) / (a + 1), at 20 decimals.
    z: int256 = ((a - ONE_20) * ONE_20) // (a + ONE_20)
    z_squared: int256 = (z * z) // ONE_20
    num: int256 = z
    seriesSum: int256 = num
    for divisor: int256 in [3, 5, 7, 9, 11]:
        num = (num * z_squared) // ONE_20
        seriesSum += num // divisor
    seriesSum *= 2
    return (sum + seriesSum) // 100


@internal
@pure
def _ln_36(x_: int256) -> int256:
    x: int256 = x_ * ONE_18
    z: int256 = ((x - ONE_36) * ONE_36) // (x + ONE_36)
    z_squared: int256 = (z * z) // ONE_36
    num: int256 = z
    seriesSum: int256 = num
    for divisor: int256 in [3, 5, 7, 9, 11, 13, 15]:
        num = (num * z_squared) // ONE_36
        seriesSum += num // divisor
    return seriesSum * 2


# ---- FixedPoint ----

@internal
@pure
def mul_down(a: uint256, b: uint256) -> uint256:
    return (a * b) // ONE


@internal
@pure
def mul_up(a: uint256, b: uint256) -> uint256:
    product: uint256 = a * b
    if product == 0:
        return 0
    return (product - 1) // ONE + 1


@internal
@pure
def div_down(a: uint256, b: uint256) -> uint256:
    assert b != 0, "BAL#004"
    return (a * ONE) // b


@internal
@pure
def div_up(a: uint256, b: uint256) -> uint256:
    assert b != 0, "BAL#004"
    a_inflated: uint256 = a * ONE
    if a_inflated == 0:
        return 0
    return (a_inflated - 1) // b + 1


@internal
@pure
def pow_up(x: uint256, y: uint256) -> uint256:
    if y == ONE:
        return x
    elif y == TWO:
        return self.mul_up(x, x)
    elif y == FOUR:
        square: uint256 = self.mul_up(x, x)
        return self.mul_up(square, square)
    raw: uint256 = self.pow(x, y)
    max_error: uint256 = self.mul_up(raw, MAX_POW_RELATIVE_ERROR) + 1
    return raw + max_error


@internal
@pure
def complement(x: uint256) -> uint256:
    if x < ONE:
        return ONE - x
    return 0


# ---- WeightedMath ----

@internal
@pure
def calc_out_given_in(balance_in: uint256, weight_in: uint256, balance_out: uint256, weight_out: uint256,
                      amount_in: uint256) -> uint256:
    assert amount_in <= self.mul_down(balance_in, MAX_IN_RATIO), "BAL#304"
    denominator: uint256 = balance_in + amount_in
    base: uint256 = self.div_up(balance_in, denominator)
    exponent: uint256 = self.div_down(weight_in, weight_out)
    power: uint256 = self.pow_up(base, exponent)
    return self.mul_down(balance_out, self.complement(power))


@internal
@pure
def calc_in_given_out(balance_in: uint256, weight_in: uint256, balance_out: uint256, weight_out: uint256,
                      amount_out: uint256) -> uint256:
    assert amount_out <= self.mul_down(balance_out, MAX_OUT_RATIO), "BAL#305"
    base: uint256 = self.div_up(balance_out, balance_out - amount_out)
    exponent: uint256 = self.div_up(weight_out, weight_in)
    power: uint256 = self.pow_up(base, exponent)
    assert power >= ONE, "BAL#001"
    ratio: uint256 = power - ONE
    return self.mul_up(balance_in, ratio)


# ---- BaseMinimalSwapInfoPool.onSwap: raw amounts and balances, scaling factors ONE × 10^(18 − decimals) ----

@internal
@pure
def on_swap_given_in(amount_in: uint256, balance_in: uint256, balance_out: uint256, weight_in: uint256,
                     weight_out: uint256, scaling_in: uint256, scaling_out: uint256, swap_fee: uint256) -> uint256:
    # The fee off the raw amount (rounded up), then everything upscaled; the amount out rounded down.
    after_fee: uint256 = amount_in - self.mul_up(amount_in, swap_fee)
    amount_out: uint256 = self.calc_out_given_in(self.mul_down(balance_in, scaling_in), weight_in,
                                                 self.mul_down(balance_out, scaling_out), weight_out,
                                                 self.mul_down(after_fee, scaling_in))
    return self.div_down(amount_out, scaling_out)


@internal
@pure
def on_swap_given_out(amount_out: uint256, balance_in: uint256, balance_out: uint256, weight_in: uint256,
                      weight_out: uint256, scaling_in: uint256, scaling_out: uint256, swap_fee: uint256) -> uint256:
    # Upscaled, the amount in rounded up when downscaled, then the fee added: in / (1 - fee), rounded up.
    amount_in: uint256 = self.calc_in_given_out(self.mul_down(balance_in, scaling_in), weight_in,
                                                self.mul_down(balance_out, scaling_out), weight_out,
                                                self.mul_down(amount_out, scaling_out))
    return self.div_up(self.div_up(amount_in, scaling_in), self.complement(swap_fee))
