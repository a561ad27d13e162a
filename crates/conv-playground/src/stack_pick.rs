//! What the reader's hand does to the stack view, worked out from the figures the worker sends
//! with its drawing (`gif_job::stack_job`): the cell a click, a tap or a key selects (from the
//! `hit` places and the `cell` drawn), and the stack after a layer is removed, moved or copied
//! (on the stack as text, `expanded`). Pure: tested natively; the component is
//! `components/stack.rs`.

/// The figures of a stack drawing: `(key, value)` in the order the worker wrote them.
pub type Figures = [(String, String)];

/// The first value of `key`.
pub fn figure<'a>(figures: &'a Figures, key: &str) -> Option<&'a str> {
    figures
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// The numbers of a comma-separated figure.
fn numbers(text: &str) -> Vec<usize> {
    text.split(',').filter_map(|t| t.parse().ok()).collect()
}

/// The cell drawn: `[layer, y, x, rows, cols, layers]`.
pub fn drawn(figures: &Figures) -> Option<[usize; 6]> {
    numbers(figure(figures, "cell")?).try_into().ok()
}

/// The cell at `(x, y)` in the drawing's pixels, if a place there selects one.
pub fn at(figures: &Figures, x: f64, y: f64) -> Option<[usize; 3]> {
    figures
        .iter()
        .filter(|(k, _)| k == "hit")
        .find_map(|(_, v)| {
            let [layer, hx, hy, w, h, rows, cols, y0, x0] = numbers(v)[..] else {
                return None;
            };
            let (dx, dy) = (x - hx as f64, y - hy as f64);
            let inside = dx >= 0.0 && dy >= 0.0 && dx < w as f64 && dy < h as f64;
            inside.then(|| {
                [
                    layer,
                    y0 + (dy * rows as f64 / h as f64) as usize,
                    x0 + (dx * cols as f64 / w as f64) as usize,
                ]
            })
        })
}

/// The cell a key moves the selection to: the arrows within the map, Page Up / Page Down to the
/// layer before / after (where the worker moves the cell to that map's nearest). Keys pressed
/// faster than the drawings arrive move on from `current`, the cell last selected; the map's
/// size is known for the layer drawn only.
pub fn by_key(figures: &Figures, current: Option<[usize; 3]>, key: &str) -> Option<[usize; 3]> {
    step(drawn(figures)?, current, key)
}

/// [`by_key`] from the cell drawn (`[layer, y, x, rows, cols, layers]`, [`drawn`]).
pub fn step(drawn: [usize; 6], current: Option<[usize; 3]>, key: &str) -> Option<[usize; 3]> {
    let [dl, dy, dx, rows, cols, n] = drawn;
    let [l, y, x] = current.unwrap_or([dl, dy, dx]);
    let (rows, cols) = if l == dl {
        (rows, cols)
    } else {
        (usize::MAX, usize::MAX)
    };
    Some(match key {
        "ArrowUp" => [l, y.saturating_sub(1), x],
        "ArrowDown" => [l, y.saturating_add(1).min(rows.saturating_sub(1)), x],
        "ArrowLeft" => [l, y, x.saturating_sub(1)],
        "ArrowRight" => [l, y, x.saturating_add(1).min(cols.saturating_sub(1))],
        "PageUp" => [l.saturating_sub(1), y, x],
        "PageDown" => [l.saturating_add(1).min(n.saturating_sub(1)), y, x],
        _ => return None,
    })
}

/// What the stack view's buttons do to the selected layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reshape {
    Remove,
    Up,
    Down,
    Copy,
}

/// The stack `text` (`Stack::to_text`: the input, then one part per layer, joined by `_`) after
/// `op` on layer `layer`, and the layer selected after it; `None` where the op does not apply
/// (the first layer up, the last down, the only layer removed, a copy past
/// `conv_core::stack::MAX_LAYERS`).
pub fn reshape(text: &str, layer: usize, op: Reshape) -> Option<(String, usize)> {
    let mut parts: Vec<&str> = text.split('_').collect();
    let n = parts.len().checked_sub(1)?;
    if layer >= n {
        return None;
    }
    let at = layer + 1;
    let selected = match op {
        Reshape::Remove if n > 1 => {
            parts.remove(at);
            layer.min(n - 2)
        }
        Reshape::Up if layer > 0 => {
            parts.swap(at, at - 1);
            layer - 1
        }
        Reshape::Down if layer + 1 < n => {
            parts.swap(at, at + 1);
            layer + 1
        }
        Reshape::Copy if n < conv_core::stack::MAX_LAYERS => {
            parts.insert(at, parts[at]);
            layer + 1
        }
        _ => return None,
    };
    Some((parts.join("_"), selected))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_click_selects_the_cell_under_it() {
        // A table row over layer 2's centre (4, 4), and layer 2's 8×8 map drawn 80 px a side.
        let f = figures(&[
            ("stack-params", "10"),
            ("hit", "2,0,20,640,18,1,1,4,4"),
            ("hit", "2,100,200,80,80,8,8,0,0"),
        ]);
        assert_eq!(at(&f, 300.0, 25.0), Some([2, 4, 4]));
        assert_eq!(at(&f, 100.0, 200.0), Some([2, 0, 0]));
        assert_eq!(at(&f, 179.9, 279.9), Some([2, 7, 7]));
        assert_eq!(at(&f, 135.0, 215.0), Some([2, 1, 3]));
        assert_eq!(at(&f, 180.0, 200.0), None);
        assert_eq!(at(&f, 50.0, 100.0), None);
    }

    #[test]
    fn keys_move_the_selection_within_its_map_and_across_layers() {
        let f = figures(&[("cell", "3,0,7,8,8,5")]);
        assert_eq!(by_key(&f, None, "ArrowUp"), Some([3, 0, 7]));
        assert_eq!(by_key(&f, None, "ArrowDown"), Some([3, 1, 7]));
        assert_eq!(by_key(&f, None, "ArrowRight"), Some([3, 0, 7]));
        assert_eq!(by_key(&f, None, "ArrowLeft"), Some([3, 0, 6]));
        assert_eq!(by_key(&f, None, "PageUp"), Some([2, 0, 7]));
        assert_eq!(by_key(&f, None, "PageDown"), Some([4, 0, 7]));
        assert_eq!(by_key(&f, None, "Enter"), None);
        let last = figures(&[("cell", "4,0,0,1,1,5")]);
        assert_eq!(by_key(&last, None, "PageDown"), Some([4, 0, 0]));
        assert_eq!(by_key(&last, None, "ArrowDown"), Some([4, 0, 0]));
        assert_eq!(by_key(&[], None, "ArrowDown"), None);
        // Keys faster than the drawings: on from the cell last selected, within the map drawn.
        assert_eq!(by_key(&f, Some([3, 7, 7]), "ArrowDown"), Some([3, 7, 7]));
        assert_eq!(by_key(&f, Some([2, 0, 7]), "PageUp"), Some([1, 0, 7]));
        assert_eq!(by_key(&f, Some([2, 0, 7]), "ArrowRight"), Some([2, 0, 8]));
        assert_eq!(by_key(&f, Some([0, 0, 7]), "PageUp"), Some([0, 0, 7]));
    }

    #[test]
    fn layers_are_removed_moved_and_copied_in_place() {
        let t = "1x8x8_standard-o4-k3-s1-p1_relu_maxpool-k2-s2-p0";
        assert_eq!(
            reshape(t, 1, Reshape::Remove),
            Some(("1x8x8_standard-o4-k3-s1-p1_maxpool-k2-s2-p0".into(), 1))
        );
        assert_eq!(
            reshape(t, 2, Reshape::Remove),
            Some(("1x8x8_standard-o4-k3-s1-p1_relu".into(), 1))
        );
        assert_eq!(
            reshape(t, 1, Reshape::Up),
            Some(("1x8x8_relu_standard-o4-k3-s1-p1_maxpool-k2-s2-p0".into(), 0))
        );
        assert_eq!(
            reshape(t, 1, Reshape::Down),
            Some(("1x8x8_standard-o4-k3-s1-p1_maxpool-k2-s2-p0_relu".into(), 2))
        );
        assert_eq!(
            reshape(t, 0, Reshape::Copy),
            Some((
                "1x8x8_standard-o4-k3-s1-p1_standard-o4-k3-s1-p1_relu_maxpool-k2-s2-p0".into(),
                1
            ))
        );
        // Where an op does not apply.
        assert_eq!(reshape(t, 0, Reshape::Up), None);
        assert_eq!(reshape(t, 2, Reshape::Down), None);
        assert_eq!(reshape(t, 3, Reshape::Remove), None);
        assert_eq!(reshape("1x8x8_relu", 0, Reshape::Remove), None);
        let full = format!("1x8x8{}", "_relu".repeat(conv_core::stack::MAX_LAYERS));
        assert_eq!(reshape(&full, 0, Reshape::Copy), None);
        // What a reshape gives reads back as a stack.
        for op in [Reshape::Remove, Reshape::Up, Reshape::Down, Reshape::Copy] {
            for layer in 0..3 {
                if let Some((text, _)) = reshape(t, layer, op) {
                    assert!(conv_core::stack::Stack::from_text(&text).is_ok(), "{text}");
                }
            }
        }
    }
}
