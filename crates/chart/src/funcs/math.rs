//! Sprig's math family: integer arithmetic (`add`, `sub`, `mul`, `div`, `mod`, `max`,
//! ...), float arithmetic through decimals (`addf`, `divf`, ...), rounding, number
//! conversions (`int`, `int64`, `float64`, `atoi`, `toDecimal`), integer sequences
//! (`until`, `untilStep`, `seq`) and `randInt`.
//!
//! Arguments typed `interface{}` in Sprig go through spf13/cast ([`super::cast`]), so
//! strings, booleans, nil and floats all count as numbers (unconvertible ones as 0).
//!
//! Go behaviour reproduced:
//! - integer results are `int64` (`int` for `int`, `atoi`, `randInt`), floats `float64`;
//!   int64 arithmetic wraps around on overflow; `div`/`mod` by zero fail with Go's
//!   runtime panic text, which Go's template engine turns into the call's error.
//! - `addf`, `subf`, `mulf`, `divf`, `add1f` convert every argument to float64, then to
//!   an exact shopspring/decimal (the shortest decimal that round-trips the float, so
//!   `addf 0.1 0.2` is exactly 0.3), compute exactly except that each division rounds to
//!   16 decimal places (half away from zero), and convert the result back to the nearest
//!   float64. NaN and ±Inf arguments and division by zero fail with the library's
//!   panic texts.
//! - `maxf`/`minf` follow Go's `math.Max`/`math.Min` (NaN wins over numbers, +Inf/-Inf
//!   over NaN); `round` is Sprig's: it compares the signed fractional part with the
//!   threshold, so negative numbers round down (`round -2.4 0` is -3), and computes
//!   10^places with Go's own `math.Pow` so the last bit agrees.
//! - `randInt min max` is Go's `rand.Intn(max-min) + min` with the seeded generator of
//!   the call site; `max <= min` fails like `rand.Intn`.
//!
//! Known difference: Go's `until`/`untilStep` return a `[]int`, which our values cannot
//! type (a list is `[]interface {}` or `[]string`), so `printf "%T"` and `typeOf` show
//! `[]interface {}`; elements, printing and every list function behave the same.

use std::sync::Arc;

use helmpilot_template::{
    gofmt, Error, Function, Functions, GoType, List, ListType, Signature, Value,
};
use rand_core::RngCore;

use self::decimal::Decimal;
use super::cast::{parse_int, to_float64, to_int, to_int64, NumError};
use super::FunctionEnv;

/// The most elements `until`, `untilStep` and `seq` build (about 100 MB of values). Go
/// has no limit: it appends until the sequence ends or memory runs out (an `until` of a
/// billion, or a step that wraps around int64 forever), so beyond this we fail instead.
const MAX_SEQUENCE_LEN: usize = 1 << 22;

pub(super) fn register(funcs: &mut Functions, env: &Arc<FunctionEnv>) {
    register_integer_ops(funcs, env);
    register_float_ops(funcs);
    register_conversions(funcs);
    register_sequences(funcs);
}

fn any(n: usize) -> Signature {
    Signature::fixed(&vec![GoType::Any; n])
}

fn any_variadic(fixed: usize) -> Signature {
    Signature::variadic(&vec![GoType::Any; fixed], GoType::Any)
}

/// An argument the engine already checked to be a Go `int`.
fn int_arg(v: &Value) -> i64 {
    to_int64(v)
}

fn integer_divide_by_zero() -> Error {
    Error::function("runtime error: integer divide by zero")
}

fn register_integer_ops(funcs: &mut Functions, env: &Arc<FunctionEnv>) {
    // add1(i interface{}) int64
    funcs.insert(
        "add1",
        Function::new(any(1), |_, args| {
            Ok(Value::int64(to_int64(&args[0]).wrapping_add(1)))
        }),
    );
    // add(i ...interface{}) int64
    funcs.insert(
        "add",
        Function::new(any_variadic(0), |_, args| {
            let sum = args
                .iter()
                .fold(0i64, |sum, v| sum.wrapping_add(to_int64(v)));
            Ok(Value::int64(sum))
        }),
    );
    // sub(a, b interface{}) int64
    funcs.insert(
        "sub",
        Function::new(any(2), |_, args| {
            Ok(Value::int64(
                to_int64(&args[0]).wrapping_sub(to_int64(&args[1])),
            ))
        }),
    );
    // mul(a interface{}, v ...interface{}) int64
    funcs.insert(
        "mul",
        Function::new(any_variadic(1), |_, args| {
            let product = args[1..]
                .iter()
                .fold(to_int64(&args[0]), |p, v| p.wrapping_mul(to_int64(v)));
            Ok(Value::int64(product))
        }),
    );
    // div(a, b interface{}) int64: Go's `/` truncates, and MinInt64 / -1 is MinInt64.
    funcs.insert(
        "div",
        Function::new(any(2), |_, args| {
            let (a, b) = (to_int64(&args[0]), to_int64(&args[1]));
            if b == 0 {
                return Err(integer_divide_by_zero());
            }
            Ok(Value::int64(a.wrapping_div(b)))
        }),
    );
    // mod(a, b interface{}) int64: the remainder has the dividend's sign, as in Go.
    funcs.insert(
        "mod",
        Function::new(any(2), |_, args| {
            let (a, b) = (to_int64(&args[0]), to_int64(&args[1]));
            if b == 0 {
                return Err(integer_divide_by_zero());
            }
            Ok(Value::int64(a.wrapping_rem(b)))
        }),
    );
    // max/biggest/min(a interface{}, i ...interface{}) int64
    let extreme = |pick_max: bool| {
        Function::new(any_variadic(1), move |_, args| {
            let values = args.iter().map(to_int64);
            let best = if pick_max { values.max() } else { values.min() };
            Ok(Value::int64(best.unwrap_or(0)))
        })
    };
    funcs.insert("max", extreme(true));
    funcs.insert("biggest", extreme(true));
    funcs.insert("min", extreme(false));
    // randInt(min, max int) int
    let env = Arc::clone(env);
    funcs.insert(
        "randInt",
        Function::new(
            Signature::fixed(&[GoType::Int, GoType::Int]),
            move |ctx, args| {
                let (min, max) = (int_arg(&args[0]), int_arg(&args[1]));
                // Go computes max-min in wrapping int arithmetic before rand.Intn
                // checks it.
                let span = max.wrapping_sub(min);
                if span <= 0 {
                    return Err(Error::function("invalid argument to Intn"));
                }
                let mut rng = env.rng(&ctx.call_site());
                let draw = uniform_below(&mut rng, span as u64) as i64;
                Ok(Value::int(draw.wrapping_add(min)))
            },
        ),
    );
}

/// A uniformly distributed number in `0..n` (`n > 0`): draws below the largest multiple
/// of `n` that fits in 64 bits are accepted, so no remainder is favoured.
fn uniform_below(rng: &mut impl RngCore, n: u64) -> u64 {
    // 2^64 mod n: the draws in 0..threshold are the incomplete last cycle.
    let threshold = n.wrapping_neg() % n;
    loop {
        let x = rng.next_u64();
        if x >= threshold {
            return x % n;
        }
    }
}

fn register_float_ops(funcs: &mut Functions) {
    // add1f(i interface{}) float64
    funcs.insert(
        "add1f",
        Function::new(any(1), |_, args| {
            decimal_op(&args[0], &[Value::int(1)], |a, b| Ok(a.add(b)))
        }),
    );
    // addf(i ...interface{}) float64: the sum starts from float64(0).
    funcs.insert(
        "addf",
        Function::new(any_variadic(0), |_, args| {
            decimal_op(&Value::Float(0.0), args, |a, b| Ok(a.add(b)))
        }),
    );
    // subf/mulf/divf(a interface{}, v ...interface{}) float64
    funcs.insert(
        "subf",
        Function::new(any_variadic(1), |_, args| {
            decimal_op(&args[0], &args[1..], |a, b| Ok(a.sub(b)))
        }),
    );
    funcs.insert(
        "mulf",
        Function::new(any_variadic(1), |_, args| {
            decimal_op(&args[0], &args[1..], |a, b| Ok(a.mul(b)))
        }),
    );
    funcs.insert(
        "divf",
        Function::new(any_variadic(1), |_, args| {
            decimal_op(&args[0], &args[1..], Decimal::div)
        }),
    );
    // maxf/minf(a interface{}, i ...interface{}) float64
    funcs.insert(
        "maxf",
        Function::new(any_variadic(1), |_, args| {
            let first = to_float64(&args[0]);
            let best = args[1..]
                .iter()
                .fold(first, |m, v| go_max(m, to_float64(v)));
            Ok(Value::Float(best))
        }),
    );
    funcs.insert(
        "minf",
        Function::new(any_variadic(1), |_, args| {
            let first = to_float64(&args[0]);
            let best = args[1..]
                .iter()
                .fold(first, |m, v| go_min(m, to_float64(v)));
            Ok(Value::Float(best))
        }),
    );
    // floor/ceil(a interface{}) float64
    funcs.insert(
        "floor",
        Function::new(any(1), |_, args| {
            Ok(Value::Float(to_float64(&args[0]).floor()))
        }),
    );
    funcs.insert(
        "ceil",
        Function::new(any(1), |_, args| {
            Ok(Value::Float(to_float64(&args[0]).ceil()))
        }),
    );
    // round(a interface{}, p int, rOpt ...float64) float64
    funcs.insert(
        "round",
        Function::new(
            Signature::variadic(&[GoType::Any, GoType::Int], GoType::Float64),
            |_, args| {
                let round_on = args.get(2).map_or(0.5, to_float64);
                Ok(Value::Float(sprig_round(
                    to_float64(&args[0]),
                    int_arg(&args[1]),
                    round_on,
                )))
            },
        ),
    );
}

/// Sprig's `execDecimalOp`: folds `rest` into `first` with `op`, every operand converted
/// to float64 and then to a decimal as it is reached (so the first failure in argument
/// order is the one reported), and the result converted back to float64.
fn decimal_op(
    first: &Value,
    rest: &[Value],
    op: impl Fn(&Decimal, &Decimal) -> Result<Decimal, String>,
) -> Result<Value, Error> {
    let operand = |v: &Value| Decimal::from_f64(to_float64(v)).map_err(Error::function);
    let mut acc = operand(first)?;
    for v in rest {
        acc = op(&acc, &operand(v)?).map_err(Error::function)?;
    }
    Ok(Value::Float(acc.to_f64()))
}

/// Go's `math.Max`: +Inf beats everything, then NaN; +0 beats -0.
fn go_max(x: f64, y: f64) -> f64 {
    if x == f64::INFINITY || y == f64::INFINITY {
        f64::INFINITY
    } else if x.is_nan() || y.is_nan() {
        f64::NAN
    } else if x == 0.0 && y == 0.0 {
        if x.is_sign_negative() {
            y
        } else {
            x
        }
    } else if x > y {
        x
    } else {
        y
    }
}

/// Go's `math.Min`: -Inf beats everything, then NaN; -0 beats +0.
fn go_min(x: f64, y: f64) -> f64 {
    if x == f64::NEG_INFINITY || y == f64::NEG_INFINITY {
        f64::NEG_INFINITY
    } else if x.is_nan() || y.is_nan() {
        f64::NAN
    } else if x == 0.0 && y == 0.0 {
        if x.is_sign_negative() {
            x
        } else {
            y
        }
    } else if x < y {
        x
    } else {
        y
    }
}

/// Sprig's `round`: scales by 10^places, takes the ceiling when the fractional part
/// (negative for negative numbers, as Go's `math.Modf` gives it) reaches `round_on`, the
/// floor otherwise, and scales back.
fn sprig_round(value: f64, places: i64, round_on: f64) -> f64 {
    let pow = go_pow10(places);
    let digit = pow * value;
    // Go's Modf fraction: f - trunc(f), and NaN for infinities.
    let fraction = digit - digit.trunc();
    let rounded = if fraction >= round_on {
        digit.ceil()
    } else {
        digit.floor()
    };
    rounded / pow
}

/// Go's `math.Pow(10, float64(p))`. Go computes integral powers by repeated squaring of
/// the mantissa and exponent of 10 and a final `Ldexp`, which for large `p` is not
/// always the correctly rounded 10^p that Rust's `powi`/`powf` may give, so this follows
/// Go's steps.
fn go_pow10(p: i64) -> f64 {
    let y = p as f64;
    if y == 0.0 {
        return 1.0;
    }
    if y == 1.0 {
        return 10.0;
    }
    let yi = y.abs();
    if yi >= 9_223_372_036_854_775_808.0 {
        // Go: a huge exponent overflows to +Inf, or underflows to 0 for a negative one.
        return if y > 0.0 { f64::INFINITY } else { 0.0 };
    }
    // 10 = 0.625 * 2^4 (Go's Frexp).
    let (mut x1, mut xe) = (0.625f64, 4i64);
    let (mut a1, mut ae) = (1.0f64, 0i64);
    let mut i = yi as i64;
    while i != 0 {
        if !(-(1 << 12)..=(1 << 12)).contains(&xe) {
            // Go's "catastrophic overflow": leave it to Ldexp.
            ae += xe;
            break;
        }
        if i & 1 == 1 {
            a1 *= x1;
            ae += xe;
        }
        x1 *= x1;
        xe <<= 1;
        if x1 < 0.5 {
            x1 += x1;
            xe -= 1;
        }
        i >>= 1;
    }
    if y < 0.0 {
        a1 = 1.0 / a1;
        ae = -ae;
    }
    go_ldexp(a1, ae)
}

/// Go's `math.Ldexp(frac, exp)` (`frac * 2^exp`), including its single rounding step for
/// subnormal results.
fn go_ldexp(frac: f64, exp: i64) -> f64 {
    if frac == 0.0 || !frac.is_finite() {
        return frac;
    }
    let (frac, mut exp) = if frac.abs() < f64::MIN_POSITIVE {
        (frac * (1u64 << 52) as f64, exp - 52)
    } else {
        (frac, exp)
    };
    let bits = frac.to_bits();
    exp += ((bits >> 52) & 0x7ff) as i64 - 1023;
    if exp < -1075 {
        return 0f64.copysign(frac);
    }
    if exp > 1023 {
        return f64::INFINITY.copysign(frac);
    }
    let mut m = 1.0;
    if exp < -1022 {
        exp += 53;
        m = 1.0 / (1u64 << 53) as f64;
    }
    let bits = (bits & !(0x7ff << 52)) | (((exp + 1023) as u64) << 52);
    m * f64::from_bits(bits)
}

fn register_conversions(funcs: &mut Functions) {
    // int64(v interface{}) int64, int(v interface{}) int, float64(v interface{}) float64
    funcs.insert(
        "int64",
        Function::new(any(1), |_, args| Ok(Value::int64(to_int64(&args[0])))),
    );
    funcs.insert(
        "int",
        Function::new(any(1), |_, args| Ok(Value::int(to_int(&args[0])))),
    );
    funcs.insert(
        "float64",
        Function::new(any(1), |_, args| Ok(Value::Float(to_float64(&args[0])))),
    );
    // atoi(a string) int: Sprig ignores strconv.Atoi's error, so a syntax error is 0 and
    // an out-of-range number the nearest int.
    funcs.insert(
        "atoi",
        Function::new(Signature::fixed(&[GoType::String]), |_, args| {
            let n = match parse_int(args[0].as_str().unwrap_or_default(), 10) {
                Ok(n) | Err(NumError::RangeInt(n)) => n,
                Err(_) => 0,
            };
            Ok(Value::int(n))
        }),
    );
    // toDecimal(v interface{}) int64: reads `fmt.Sprint(v)` as octal (Unix modes), 0 on
    // any error. A template literal `0777` is already the int 511, which prints as
    // "511" and reads back as octal 329; only the string "0777" gives 511.
    funcs.insert(
        "toDecimal",
        Function::new(any(1), |_, args| {
            let text = gofmt::sprint(std::slice::from_ref(&args[0]));
            Ok(Value::int64(parse_int(&text, 8).unwrap_or(0)))
        }),
    );
}

fn register_sequences(funcs: &mut Functions) {
    // until(count int) []int
    funcs.insert(
        "until",
        Function::new(Signature::fixed(&[GoType::Int]), |_, args| {
            let count = int_arg(&args[0]);
            let step = if count < 0 { -1 } else { 1 };
            Ok(int_list(until_step(0, count, step)?))
        }),
    );
    // untilStep(start, stop, step int) []int
    funcs.insert(
        "untilStep",
        Function::new(
            Signature::fixed(&[GoType::Int, GoType::Int, GoType::Int]),
            |_, args| {
                let [start, stop, step] = [0, 1, 2].map(|i| int_arg(&args[i]));
                Ok(int_list(until_step(start, stop, step)?))
            },
        ),
    );
    // seq(params ...int) string
    funcs.insert(
        "seq",
        Function::new(Signature::variadic(&[], GoType::Int), |_, args| {
            let params: Vec<i64> = args.iter().map(int_arg).collect();
            Ok(Value::from(seq(&params)?))
        }),
    );
}

/// A Go `[]int`.
fn int_list(items: Vec<i64>) -> Value {
    Value::List(List::typed(
        items.into_iter().map(Value::int).collect(),
        ListType::Int,
    ))
}

/// Sprig's `untilStep`: `start`, `start+step`, ... while below `stop` (above it when
/// `stop < start`); a step pointing away from `stop`, or 0, gives an empty list. Go's
/// int addition wraps around, which can turn the loop endless: such sequences, and any
/// longer than [`MAX_SEQUENCE_LEN`], fail instead of exhausting memory.
fn until_step(start: i64, stop: i64, step: i64) -> Result<Vec<i64>, Error> {
    let ascending = stop >= start;
    if (ascending && step <= 0) || (!ascending && step >= 0) {
        return Ok(Vec::new());
    }
    let too_long = || {
        Error::function(format!(
            "sequence of more than {MAX_SEQUENCE_LEN} numbers: refusing to build it \
             (Helm would try to, until memory runs out)"
        ))
    };
    // The length if nothing wraps around; a longer sequence fails before allocating.
    let span = (i128::from(stop) - i128::from(start)).abs();
    let stride = i128::from(step).abs();
    let count = (span + stride - 1) / stride;
    if count > MAX_SEQUENCE_LEN as i128 {
        return Err(too_long());
    }
    let mut items = Vec::with_capacity(count as usize);
    let mut i = start;
    while (ascending && i < stop) || (!ascending && i > stop) {
        if items.len() == MAX_SEQUENCE_LEN {
            return Err(too_long());
        }
        items.push(i);
        i = i.wrapping_add(step);
    }
    Ok(items)
}

/// Sprig's `seq`, after GNU seq: `seq END` counts from 1, `seq START END` by ±1,
/// `seq START STEP END` by STEP (nothing if STEP points away from END); END is included.
/// No arguments, or more than three, give an empty string.
fn seq(params: &[i64]) -> Result<String, Error> {
    let items = match *params {
        [end] => {
            let step = if end < 1 { -1 } else { 1 };
            until_step(1, end.wrapping_add(step), step)?
        }
        [start, end] => {
            let step = if end < start { -1 } else { 1 };
            until_step(start, end.wrapping_add(step), step)?
        }
        [start, step, end] => {
            let direction = if end < start { -1 } else { 1 };
            if end < start && step > 0 {
                return Ok(String::new());
            }
            until_step(start, end.wrapping_add(direction), step)?
        }
        _ => return Ok(String::new()),
    };
    let words: Vec<String> = items.iter().map(i64::to_string).collect();
    Ok(words.join(" "))
}

/// The part of shopspring/decimal (v1.4.0) Sprig's float arithmetic uses.
mod decimal {
    use std::cmp::Ordering;

    use helmpilot_template::{gofmt, Value};
    use num_bigint::BigInt;

    /// decimal's `DivisionPrecision`: quotients are rounded to 16 decimal places.
    const DIVISION_PRECISION: i64 = 16;

    /// An exact decimal number, `value * 10^exp`.
    #[derive(Clone, Debug)]
    pub struct Decimal {
        value: BigInt,
        exp: i64,
    }

    /// 10^n for the rescaling in `add`, `sub` and `div`. Their operands come from
    /// float64s (exponents -340..=310) or from a division (exponent -16), so `n` stays
    /// below about 700; only `mul` grows exponents, and it never rescales.
    fn pow10(n: i64) -> BigInt {
        BigInt::from(10u8).pow(u32::try_from(n).unwrap_or(0))
    }

    impl Decimal {
        /// decimal's `NewFromFloat`: the shortest decimal that reads back as `f` (what
        /// Rust's `{:e}` prints). NaN and infinities fail with the library's panic text.
        pub fn from_f64(f: f64) -> Result<Decimal, String> {
            if !f.is_finite() {
                return Err(format!(
                    "Cannot create a Decimal from {}",
                    gofmt::sprint(&[Value::Float(f)])
                ));
            }
            let text = format!("{f:e}");
            let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
            let fraction_digits = mantissa.split_once('.').map_or(0, |(_, f)| f.len());
            let digits: String = mantissa
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '-')
                .collect();
            Ok(Decimal {
                value: digits.parse().unwrap_or_default(),
                exp: exponent.parse::<i64>().unwrap_or(0) - fraction_digits as i64,
            })
        }

        /// The nearest float64 (decimal's `Float64`, through an exact rational).
        pub fn to_f64(&self) -> f64 {
            // "<integer>e<exponent>" is always valid float syntax, and Rust's parser
            // rounds correctly however many digits it gets (infinity on overflow).
            format!("{}e{}", self.value, self.exp)
                .parse()
                .unwrap_or(f64::NAN)
        }

        /// Both values scaled to the smaller exponent.
        fn aligned(&self, other: &Decimal) -> (BigInt, BigInt, i64) {
            let exp = self.exp.min(other.exp);
            (
                &self.value * pow10(self.exp - exp),
                &other.value * pow10(other.exp - exp),
                exp,
            )
        }

        pub fn add(&self, other: &Decimal) -> Decimal {
            let (a, b, exp) = self.aligned(other);
            Decimal { value: a + b, exp }
        }

        pub fn sub(&self, other: &Decimal) -> Decimal {
            let (a, b, exp) = self.aligned(other);
            Decimal { value: a - b, exp }
        }

        pub fn mul(&self, other: &Decimal) -> Decimal {
            Decimal {
                value: &self.value * &other.value,
                exp: self.exp + other.exp,
            }
        }

        /// decimal's `Div`: the quotient rounded to 16 decimal places, halves away from
        /// zero.
        pub fn div(&self, other: &Decimal) -> Result<Decimal, String> {
            if other.value == BigInt::default() {
                return Err("decimal division by 0".to_string());
            }
            // q = self / other * 10^16 = a * 10^shift / b.
            let shift = self.exp - other.exp + DIVISION_PRECISION;
            let (numerator, denominator) = if shift >= 0 {
                (&self.value * pow10(shift), other.value.clone())
            } else {
                (self.value.clone(), &other.value * pow10(-shift))
            };
            // BigInt's `/` and `%` truncate toward zero, like Go's big.Int QuoRem.
            let mut quotient = &numerator / &denominator;
            let remainder = &numerator % &denominator;
            let twice = remainder.magnitude() * 2u8;
            if twice.cmp(denominator.magnitude()) != Ordering::Less {
                let negative = (numerator.sign() == num_bigint::Sign::Minus)
                    != (denominator.sign() == num_bigint::Sign::Minus);
                quotient += if negative { -1 } else { 1 };
            }
            Ok(Decimal {
                value: quotient,
                exp: -DIVISION_PRECISION,
            })
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn calc(a: f64, b: f64, op: fn(&Decimal, &Decimal) -> Decimal) -> f64 {
            let a = Decimal::from_f64(a).unwrap();
            let b = Decimal::from_f64(b).unwrap();
            op(&a, &b).to_f64()
        }

        fn div(a: f64, b: f64) -> f64 {
            let a = Decimal::from_f64(a).unwrap();
            let b = Decimal::from_f64(b).unwrap();
            a.div(&b).unwrap().to_f64()
        }

        #[test]
        fn exact_arithmetic() {
            assert_eq!(calc(0.1, 0.2, Decimal::add), 0.3);
            assert_eq!(calc(1.1, 3.0, Decimal::mul), 3.3);
            assert_eq!(calc(0.3, 0.1, Decimal::sub), 0.2);
            assert_eq!(calc(1e308, 1e308, Decimal::mul), f64::INFINITY);
            assert_eq!(calc(1e308, 5e-324, Decimal::add), 1e308);
            assert_eq!(calc(-1.0, 0.0, Decimal::mul).to_bits(), 0f64.to_bits());
        }

        #[test]
        fn division_rounds_to_sixteen_places() {
            assert_eq!(div(1.0, 3.0), 0.3333333333333333);
            assert_eq!(div(2.0, 3.0), 0.6666666666666667);
            assert_eq!(div(-2.0, 3.0), -0.6666666666666667);
            assert_eq!(div(1e-20, 3.0), 0.0);
            // 5e-17 is exactly half of the last place: away from zero.
            assert_eq!(div(1e-16, 2.0), 1e-16);
            assert_eq!(div(-1e-16, 2.0), -1e-16);
            assert_eq!(div(1e300, 1e-300), f64::INFINITY);
            let zero = Decimal::from_f64(0.0).unwrap();
            assert_eq!(
                zero.div(&zero).unwrap_err(),
                "decimal division by 0".to_string()
            );
        }

        #[test]
        fn non_finite_floats_fail() {
            assert_eq!(
                Decimal::from_f64(f64::NEG_INFINITY).unwrap_err(),
                "Cannot create a Decimal from -Inf"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use helmpilot_template::{CallContext, CallSite, IntType};
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn uniform_draws_stay_in_range_and_repeat() {
        let draws = |seed: u8| {
            let mut rng = ChaCha20Rng::from_seed([seed; 32]);
            (0..1000)
                .map(|_| uniform_below(&mut rng, 7))
                .collect::<Vec<_>>()
        };
        let first = draws(1);
        assert!(first.iter().all(|&x| x < 7));
        assert!((0..7).all(|v| first.contains(&v)));
        assert_eq!(first, draws(1));
        assert_ne!(first, draws(2));
        let mut rng = ChaCha20Rng::from_seed([3; 32]);
        assert!(uniform_below(&mut rng, u64::MAX) < u64::MAX);
        assert_eq!(uniform_below(&mut rng, 1), 0);
    }

    /// A call context that only knows its call site.
    struct Site(CallSite);

    impl CallContext for Site {
        fn execute_template(&mut self, _: &str, _: &Value) -> Result<String, Error> {
            unreachable!("randInt includes no templates")
        }
        fn execute_text(&mut self, _: &str, _: &str, _: &Value) -> Result<String, Error> {
            unreachable!("randInt parses no templates")
        }
        fn call_site(&mut self) -> CallSite {
            self.0.clone()
        }
    }

    fn rand_ints(env: FunctionEnv, offset: usize, min: i64, max: i64) -> Vec<i64> {
        let funcs = crate::funcs::helm_functions_with(env);
        let rand_int = funcs.get("randInt").expect("randInt is registered");
        (0..200)
            .map(|occurrence| {
                let mut ctx = Site(CallSite {
                    entry: "c/templates/a.yaml".into(),
                    template: "c/templates/a.yaml".into(),
                    offset,
                    occurrence,
                });
                match rand_int.call(&mut ctx, &[Value::int(min), Value::int(max)]) {
                    Ok(Value::Int(n, IntType::Int)) => n,
                    other => panic!("randInt gave {other:?}"),
                }
            })
            .collect()
    }

    #[test]
    fn rand_int_is_seeded_by_call_site_and_stays_in_range() {
        let env = || FunctionEnv::for_release("r", "ns", "c");
        let draws = rand_ints(env(), 7, -3, 4);
        assert!(draws.iter().all(|n| (-3..4).contains(n)));
        assert!((-3..4).all(|n| draws.contains(&n)));
        assert_eq!(draws, rand_ints(env(), 7, -3, 4));
        assert_ne!(draws, rand_ints(env(), 8, -3, 4));
        let other_seed = FunctionEnv::for_release("r", "other", "c");
        assert_ne!(draws, rand_ints(other_seed, 7, -3, 4));
        // The span wraps around to 1: Go's rand.Intn(1) + min is min.
        assert!(rand_ints(env(), 7, i64::MAX, i64::MIN)
            .iter()
            .all(|&n| n == i64::MAX));
    }

    #[test]
    fn sequences_wrap_like_go_or_fail() {
        assert_eq!(until_step(0, 10, 3).unwrap(), vec![0, 3, 6, 9]);
        assert_eq!(until_step(10, 0, -4).unwrap(), vec![10, 6, 2]);
        assert!(until_step(0, 10, 0).unwrap().is_empty());
        assert!(until_step(0, 10, -1).unwrap().is_empty());
        // Wraps once and then ends, as Go's loop does.
        let big = i64::MAX - 2;
        assert_eq!(
            until_step(5, 10, big).unwrap(),
            vec![
                5,
                5i64.wrapping_add(big),
                5i64.wrapping_add(big).wrapping_add(big)
            ]
        );
        // Wraps forever in Go.
        assert!(until_step(0, i64::MAX, 1 << 62).is_err());
        assert!(until_step(0, 1 << 40, 1).is_err());
        assert!(until_step(0, -(1 << 40), -1).is_err());
        assert_eq!(
            until_step(0, MAX_SEQUENCE_LEN as i64, 1).unwrap().len(),
            MAX_SEQUENCE_LEN
        );
    }

    #[test]
    fn seq_variants() {
        assert_eq!(seq(&[3]).unwrap(), "1 2 3");
        assert_eq!(seq(&[-1]).unwrap(), "1 0 -1");
        assert_eq!(seq(&[2, 5]).unwrap(), "2 3 4 5");
        assert_eq!(seq(&[5, 2]).unwrap(), "5 4 3 2");
        assert_eq!(seq(&[0, 3, 10]).unwrap(), "0 3 6 9");
        assert_eq!(seq(&[10, -3, 0]).unwrap(), "10 7 4 1");
        assert_eq!(seq(&[10, 3, 0]).unwrap(), "");
        assert_eq!(seq(&[]).unwrap(), "");
        assert_eq!(seq(&[1, 2, 3, 4]).unwrap(), "");
    }

    #[test]
    fn go_pow_and_round() {
        for p in -22..=22 {
            assert_eq!(go_pow10(p), format!("1e{p}").parse::<f64>().unwrap(), "{p}");
        }
        assert_eq!(go_pow10(309), f64::INFINITY);
        assert_eq!(go_pow10(-400), 0.0);
        assert_eq!(go_pow10(i64::MIN), 0.0);
        assert_eq!(go_pow10(i64::MAX), f64::INFINITY);
        assert_eq!(sprig_round(1.23456, 2, 0.5), 1.23);
        assert_eq!(sprig_round(2.5, 0, 0.5), 3.0);
        assert_eq!(sprig_round(-2.4, 0, 0.5), -3.0);
        assert_eq!(sprig_round(1234.5, -2, 0.5), 1200.0);
        assert!(sprig_round(1.5, 400, 0.5).is_nan());
    }

    #[test]
    fn go_float_min_max() {
        assert!(go_max(1.0, f64::NAN).is_nan());
        assert_eq!(go_max(f64::NAN, f64::INFINITY), f64::INFINITY);
        assert!(go_max(-0.0, 0.0).is_sign_positive());
        assert!(go_min(0.0, -0.0).is_sign_negative());
        assert_eq!(go_min(f64::NAN, f64::NEG_INFINITY), f64::NEG_INFINITY);
    }
}
