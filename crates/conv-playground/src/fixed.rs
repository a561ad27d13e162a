//! Numbers with a fixed count of decimals, as `format!("{:.2}", v)` writes them, for every
//! number the page and its exports write that way (cell values, coordinates, percentages).
//!
//! Why not `{:.2}`: the standard library's fixed-precision float formatting (exact decimal
//! expansion, two strategies, for `f32` and `f64`) is several kilobytes of the page's first load,
//! and the page needs one to three decimals of values far below 10¹⁵. [`Fixed`] scales, rounds
//! and writes integers, and rounds exactly like `{:.N}` (the exact binary value, ties to even),
//! which a test checks against the standard library.

use std::fmt;

/// `Fixed(v, n)` displays `v` with `n` decimals (at most 6), like `format!("{v:.n$}")`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fixed(pub f64, pub u8);

/// `v` with `decimals` decimals, as a string.
pub fn fixed(v: impl Into<f64>, decimals: u8) -> String {
    Fixed(v.into(), decimals).to_string()
}

/// `v` with at most `decimals` decimals, trailing zeros (and a trailing point) dropped:
/// `trimmed(22.5, 3)` is `22.5`, `trimmed(0.0001, 2)` is `0`.
pub fn trimmed(v: impl Into<f64>, decimals: u8) -> String {
    let mut s = fixed(v, decimals);
    if s.contains('.') {
        s.truncate(s.trim_end_matches('0').trim_end_matches('.').len());
    }
    if s == "-0" {
        s.remove(0);
    }
    s
}

/// The exact error of the product `a · b` rounded to `p` (Dekker's two-product, without a
/// fused multiply-add, which WebAssembly does not have): `a · b = p + error` exactly.
fn product_error(a: f64, b: f64, p: f64) -> f64 {
    let split = |x: f64| {
        let c = 134_217_729.0 * x; // 2²⁷ + 1
        let hi = c - (c - x);
        (hi, x - hi)
    };
    let (ah, al) = split(a);
    let (bh, bl) = split(b);
    ((ah * bh - p) + ah * bl + al * bh) + al * bl
}

impl fmt::Display for Fixed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Fixed(v, decimals) = *self;
        let decimals = decimals.min(6);
        if !v.is_finite() {
            return write!(
                f,
                "{}",
                if v.is_nan() {
                    "NaN"
                } else if v > 0.0 {
                    "inf"
                } else {
                    "-inf"
                }
            );
        }
        let scale = 10u64.pow(u32::from(decimals));
        let m = v.abs();
        let p = m * scale as f64;
        if p >= 1e15 {
            // Beyond what the page writes; whole units are enough there.
            return write!(
                f,
                "{}{}",
                if v.is_sign_negative() { "-" } else { "" },
                m as u64
            );
        }
        let floor = p.floor();
        let frac = p - floor;
        // The rounded product can sit on a tie the exact one is not on (0.35 · 10 = 3.5): the
        // product's exact error decides, and an exact tie goes to the even neighbour.
        let up = match frac.partial_cmp(&0.5) {
            Some(std::cmp::Ordering::Greater) => true,
            Some(std::cmp::Ordering::Less) => false,
            _ => {
                let err = product_error(m, scale as f64, p);
                err > 0.0 || (err == 0.0 && (floor as u64) % 2 == 1)
            }
        };
        let n = floor as u64 + u64::from(up);
        let sign = if v.is_sign_negative() { "-" } else { "" };
        if decimals == 0 {
            write!(f, "{sign}{n}")
        } else {
            let (int, frac) = (n / scale, n % scale);
            write!(
                f,
                "{sign}{int}.{frac:0width$}",
                width = usize::from(decimals)
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_as_the_standard_library_does() {
        let mut values = vec![
            0.0, -0.0, 0.25, 0.35, 0.125, 2.5, 3.5, -2.5, 1.005, 0.045, 9.995, 99.95, 1e-9, -1e-9,
            0.5, 1.5, 123456.789, -0.04, 0.05, 0.15, 1234.5678,
        ];
        // A spread of values, and values on and near ties at every precision.
        let mut x = 0.123_456_789_f64;
        for i in 0..4000 {
            x = (x * 7919.0 + 0.618_033_988_7).fract();
            let magnitude = 10f64.powi(i % 7 - 2);
            values.push(x * magnitude * if i % 2 == 0 { 1.0 } else { -1.0 });
            values.push((i as f64) / 8.0 + 0.0625);
            values.push((i as f64) * 0.005);
            values.push(f64::from(x as f32));
        }
        for &v in &values {
            for d in 0..=4u8 {
                let want = format!("{v:.prec$}", prec = usize::from(d));
                assert_eq!(Fixed(v, d).to_string(), want, "{v:e} with {d} decimals");
            }
        }
    }

    #[test]
    fn trimmed_drops_trailing_zeros_only() {
        assert_eq!(trimmed(22.5, 3), "22.5");
        assert_eq!(trimmed(22.0, 3), "22");
        assert_eq!(trimmed(120.0, 0), "120");
        assert_eq!(trimmed(0.0001, 2), "0");
        assert_eq!(trimmed(-0.001, 2), "0");
        assert_eq!(trimmed(-1.25, 1), "-1.2");
        assert_eq!(trimmed(100.5, 2), "100.5");
    }

    #[test]
    fn not_finite_values_read_as_in_rust() {
        assert_eq!(fixed(f64::NAN, 2), "NaN");
        assert_eq!(fixed(f64::INFINITY, 1), "inf");
        assert_eq!(fixed(f64::NEG_INFINITY, 1), "-inf");
        assert_eq!(fixed(2.5f32, 1), "2.5");
    }
}
