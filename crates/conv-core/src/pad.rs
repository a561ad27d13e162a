//! Padding by mode, as `torch.nn.functional.pad` does it (`constant` 0, `reflect`, `replicate`,
//! `circular`): the padded map that a convolution with a [`PaddingMode`] slides over, and for each
//! of its cells the input cell it copies. docs/CONVENTIONS.md states the rules.

use ndarray::{Array3, ArrayView3};

use crate::shape::{axis_name, nonzero, product};
use crate::{Budget, ConvError, Padding, PaddingMode};

/// **Errors** with [`ConvError::PaddingTooLarge`] if a side's padding is more than `mode` allows
/// for an input of `input` = `[height, width]`: a reflect padding must be smaller than the axis, a
/// circular one at most as long (as PyTorch requires). Zeros and replicate take any padding.
pub fn check_padding_mode(
    mode: PaddingMode,
    padding: &Padding,
    input: [usize; 2],
) -> Result<(), ConvError> {
    for (axis, &len) in input.iter().enumerate() {
        let max = match mode {
            PaddingMode::Reflect => len.saturating_sub(1),
            PaddingMode::Circular => len,
            PaddingMode::Zeros | PaddingMode::Replicate => continue,
        };
        let (before, after) = padding.axis(axis);
        if let Some(pad) = [before, after].into_iter().find(|&p| p > max) {
            return Err(ConvError::PaddingTooLarge {
                mode,
                axis: axis_name(axis),
                padding: pad,
                len,
                max,
            });
        }
    }
    Ok(())
}

/// The input position that position `i` of a padded axis copies, along an axis of `len` cells
/// with `before` cells of padding in front; `None` for a zero cell, and for a position `mode`
/// cannot fill (a padding [`check_padding_mode`] refuses).
pub(crate) fn source_index(
    i: usize,
    len: usize,
    before: usize,
    mode: PaddingMode,
) -> Option<usize> {
    if len == 0 {
        return None;
    }
    if let Some(j) = i.checked_sub(before).filter(|&j| j < len) {
        return Some(j);
    }
    // Outside the input: `ahead` cells in front of it, or `past` cells beyond its last cell.
    let ahead = before.checked_sub(i);
    let past = i.checked_sub(before).and_then(|j| j.checked_sub(len - 1));
    match mode {
        PaddingMode::Zeros => None,
        PaddingMode::Replicate => Some(if ahead.is_some() { 0 } else { len - 1 }),
        PaddingMode::Reflect => match (ahead, past) {
            (Some(d), _) => (d < len).then_some(d),
            (_, Some(d)) => (len - 1).checked_sub(d),
            _ => None,
        },
        PaddingMode::Circular => match (ahead, past) {
            (Some(d), _) => (d <= len).then(|| (len - d) % len),
            (_, Some(d)) => (d <= len).then(|| d - 1),
            _ => None,
        },
    }
}

/// The input cell `[y, x]` that cell `(y, x)` of the padded map copies (every channel alike), for
/// an input of `input` = `[height, width]`: itself inside, the mirrored, nearest or wrapped cell in
/// the padding. `None` for a zero-padding cell, for a cell outside the padded map, and when the
/// padding is more than `mode` allows (where [`pad`] returns an error).
pub fn pad_source(
    y: usize,
    x: usize,
    input: [usize; 2],
    padding: Padding,
    mode: PaddingMode,
) -> Option<[usize; 2]> {
    check_padding_mode(mode, &padding, input).ok()?;
    let padded_h = input[0]
        .checked_add(padding.top)?
        .checked_add(padding.bottom)?;
    let padded_w = input[1]
        .checked_add(padding.left)?
        .checked_add(padding.right)?;
    if y >= padded_h || x >= padded_w {
        return None;
    }
    Some([
        source_index(y, input[0], padding.top, mode)?,
        source_index(x, input[1], padding.left, mode)?,
    ])
}

/// The padded map `(C, H + top + bottom, W + left + right)` of `input` (`(C, H, W)`), every
/// padded cell filled as `mode` says (`torch.nn.functional.pad(input, (left, right, top, bottom),
/// mode)`, with `zeros` for `constant`). What a convolution with that `padding_mode` slides over.
///
/// **Errors** on an empty input, with [`ConvError::PaddingTooLarge`] on a padding the mode does
/// not allow, on overflow, and if the padded map exceeds [`Budget::OPERATIONS`].
pub fn pad(
    input: ArrayView3<f32>,
    padding: Padding,
    mode: PaddingMode,
) -> Result<Array3<f32>, ConvError> {
    pad_with_budget(input, padding, mode, &Budget::OPERATIONS)
}

/// [`pad`] with an explicit budget.
///
/// **Errors** as [`pad`], with `budget` in place of the default.
pub fn pad_with_budget(
    input: ArrayView3<f32>,
    padding: Padding,
    mode: PaddingMode,
    budget: &Budget,
) -> Result<Array3<f32>, ConvError> {
    let shape = padded_shape(input.dim().into(), &padding, mode, budget)?;
    let mut out = vec![0f32; shape[0] * shape[1] * shape[2]];
    pad_into(input, &padding, mode, &mut out);
    Ok(Array3::from_shape_vec(shape, out).expect("padded buffer has the computed shape"))
}

/// The shape of the padded map, checked: non-empty input, a padding the mode allows, no
/// overflow, within `budget`.
pub(crate) fn padded_shape(
    input: [usize; 3],
    padding: &Padding,
    mode: PaddingMode,
    budget: &Budget,
) -> Result<[usize; 3], ConvError> {
    let [c, h, w] = input;
    nonzero("in_channels", c)?;
    nonzero("height", h)?;
    nonzero("width", w)?;
    check_padding_mode(mode, padding, [h, w])?;
    let overflow = ConvError::Overflow {
        what: "padded input",
    };
    let padded_h = h
        .checked_add(padding.top)
        .and_then(|v| v.checked_add(padding.bottom))
        .ok_or(overflow.clone())?;
    let padded_w = w
        .checked_add(padding.left)
        .and_then(|v| v.checked_add(padding.right))
        .ok_or(overflow)?;
    budget.check_elements("padded input elements", product(&[c, padded_h, padded_w]))?;
    Ok([c, padded_h, padded_w])
}

/// `x` (maps of `shape`, standard layout) with `padding` of zeros, and `slack` zeros after the
/// last map: the direct convolution (`simd::conv_direct`) reads it with no border cases (`slack` for the values a run
/// reads past the end of the last row).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub(crate) fn zero_padded(
    x: &[f32],
    shape: [usize; 3],
    padding: &Padding,
    slack: usize,
) -> Vec<f32> {
    let [c, h, w] = shape;
    let (ph, pw) = (
        h + padding.top + padding.bottom,
        w + padding.left + padding.right,
    );
    let mut out = vec![0f32; c * ph * pw + slack];
    if let Ok(input) = ArrayView3::from_shape((c, h, w), x) {
        pad_into(input, padding, PaddingMode::Zeros, &mut out);
    }
    out
}

/// Writes the padded map into `out` (row-major, of the length [`padded_shape`] gives for a
/// padding it accepted).
pub(crate) fn pad_into(
    input: ArrayView3<f32>,
    padding: &Padding,
    mode: PaddingMode,
    out: &mut [f32],
) {
    let (c, h, w) = input.dim();
    let padded_h = h + padding.top + padding.bottom;
    let padded_w = w + padding.left + padding.right;
    let rows: Vec<Option<usize>> = (0..padded_h)
        .map(|y| source_index(y, h, padding.top, mode))
        .collect();
    let cols: Vec<Option<usize>> = (0..padded_w)
        .map(|x| source_index(x, w, padding.left, mode))
        .collect();
    for (ci, plane) in out.chunks_mut(padded_h * padded_w).take(c).enumerate() {
        for (row, source) in plane.chunks_mut(padded_w).zip(&rows) {
            let Some(sy) = *source else {
                row.fill(0.0);
                continue;
            };
            let line = input.slice(ndarray::s![ci, sy, ..]);
            // The inside of the row is the input row itself, in every mode: copied whole; the
            // borders cell by cell.
            let (head, rest) = row.split_at_mut(padding.left);
            let (inside, tail) = rest.split_at_mut(w);
            match line.as_slice() {
                Some(src) => inside.copy_from_slice(src),
                None => inside.iter_mut().zip(&line).for_each(|(v, s)| *v = *s),
            }
            let borders = head
                .iter_mut()
                .zip(&cols)
                .chain(tail.iter_mut().zip(&cols[padding.left + w..]));
            for (v, sx) in borders {
                *v = sx.map_or(0.0, |sx| line[sx]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn axis(len: usize, before: usize, after: usize, mode: PaddingMode) -> Vec<Option<usize>> {
        (0..len + before + after)
            .map(|i| source_index(i, len, before, mode))
            .collect()
    }

    #[test]
    fn each_mode_along_an_axis_of_three() {
        // a b c with two cells each side: the pictures of docs/CONVENTIONS.md.
        let (a, b, c) = (Some(0), Some(1), Some(2));
        assert_eq!(
            axis(3, 2, 2, PaddingMode::Zeros),
            [None, None, a, b, c, None, None]
        );
        assert_eq!(axis(3, 2, 2, PaddingMode::Reflect), [c, b, a, b, c, b, a]);
        assert_eq!(axis(3, 2, 2, PaddingMode::Replicate), [a, a, a, b, c, c, c]);
        assert_eq!(axis(3, 2, 2, PaddingMode::Circular), [b, c, a, b, c, a, b]);
        // Circular may pad a whole period: three cells each side.
        assert_eq!(
            axis(3, 3, 3, PaddingMode::Circular),
            [a, b, c, a, b, c, a, b, c]
        );
    }

    #[test]
    fn limits_of_reflect_and_circular() {
        let refuse = |mode, padding, input| check_padding_mode(mode, &padding, input).unwrap_err();
        assert_eq!(
            refuse(PaddingMode::Reflect, Padding::uniform(3), [3, 5]),
            ConvError::PaddingTooLarge {
                mode: PaddingMode::Reflect,
                axis: "height",
                padding: 3,
                len: 3,
                max: 2,
            }
        );
        let bottom_right = Padding {
            right: 5,
            ..Padding::default()
        };
        assert!(matches!(
            refuse(PaddingMode::Circular, bottom_right, [9, 4]),
            ConvError::PaddingTooLarge {
                axis: "width",
                padding: 5,
                max: 4,
                ..
            }
        ));
        assert!(check_padding_mode(PaddingMode::Reflect, &Padding::uniform(2), [3, 3]).is_ok());
        assert!(check_padding_mode(PaddingMode::Circular, &Padding::uniform(3), [3, 3]).is_ok());
        assert!(check_padding_mode(PaddingMode::Reflect, &Padding::default(), [1, 1]).is_ok());
        for mode in [PaddingMode::Zeros, PaddingMode::Replicate] {
            assert!(check_padding_mode(mode, &Padding::uniform(usize::MAX), [1, 1]).is_ok());
        }
        let message = refuse(PaddingMode::Reflect, Padding::uniform(1), [1, 4]).to_string();
        assert_eq!(
            message,
            "reflect padding (1) along the height must be at most 0 for an input height of 1"
        );
    }

    #[test]
    fn sources_outside_the_map_or_the_limits_are_none() {
        let p = Padding::uniform(1);
        assert_eq!(
            pad_source(0, 0, [2, 2], p, PaddingMode::Replicate),
            Some([0, 0])
        );
        assert_eq!(pad_source(4, 0, [2, 2], p, PaddingMode::Replicate), None);
        assert_eq!(pad_source(0, 0, [2, 2], p, PaddingMode::Zeros), None);
        assert_eq!(
            pad_source(1, 1, [2, 2], p, PaddingMode::Zeros),
            Some([0, 0])
        );
        assert_eq!(pad_source(1, 1, [1, 2], p, PaddingMode::Reflect), None);
        let huge = Padding::uniform(usize::MAX);
        assert_eq!(pad_source(0, 0, [2, 2], huge, PaddingMode::Replicate), None);
    }
}
