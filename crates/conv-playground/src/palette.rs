//! The one home of colour: the two themes, the value colour map (blue negative, red positive,
//! symmetric around 0), the count colour map, and the indexed palette of exported GIFs. The
//! canvas, the SVG and the GIF all take their colours from here.

/// A colour with alpha (0–255).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rgba(pub u8, pub u8, pub u8, pub u8);

impl Rgba {
    pub const fn rgb(r: u8, g: u8, b: u8) -> Rgba {
        Rgba(r, g, b, 255)
    }

    /// CSS text: `#rrggbb`, or `rgba(…)` when translucent.
    pub fn css(self) -> String {
        let Rgba(r, g, b, a) = self;
        if a == 255 {
            format!("#{r:02x}{g:02x}{b:02x}")
        } else {
            format!(
                "rgba({r},{g},{b},{})",
                crate::fixed::Fixed(a as f64 / 255.0, 3)
            )
        }
    }

    /// This colour painted over `under` (opaque result).
    pub fn over(self, under: [u8; 3]) -> [u8; 3] {
        let a = self.3 as u32;
        let mix =
            |top: u8, bottom: u8| ((top as u32 * a + bottom as u32 * (255 - a) + 127) / 255) as u8;
        [
            mix(self.0, under[0]),
            mix(self.1, under[1]),
            mix(self.2, under[2]),
        ]
    }
}

/// A named colour of a theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ink {
    Background,
    Text,
    Muted,
    Grid,
    Padding,
    Hatch,
    Inserted,
    Copied,
    /// Veil over cells outside a highlighted window.
    Dim,
    Focus,
    Related,
    /// Text on a light cell / on a dark cell (the same in both themes: it sits on a value colour).
    OnLight,
    OnDark,
    /// Group `i` (modulo the eight group colours).
    Group(u8),
}

/// What fills a shape: a theme colour, a value on the diverging map (`t` in `[-1, 1]`), or a
/// count on the sequential map (`t` in `[0, 1]`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Paint {
    Ink(Ink),
    Value(f32),
    Count(f32),
}

/// Colours of one theme. Group colours are the Okabe–Ito palette (safe for colour-blind readers);
/// groups are also labelled in text, so colour is never the only cue.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Palette {
    pub background: Rgba,
    pub text: Rgba,
    pub muted: Rgba,
    pub grid: Rgba,
    pub padding: Rgba,
    pub hatch: Rgba,
    pub inserted: Rgba,
    pub copied: Rgba,
    pub dim: Rgba,
    pub focus: Rgba,
    pub related: Rgba,
    pub groups: [Rgba; 8],
}

const fn hex(v: u32) -> Rgba {
    Rgba::rgb((v >> 16) as u8, (v >> 8) as u8, v as u8)
}

const OKABE_ITO: [Rgba; 8] = [
    hex(0x0072B2),
    hex(0xE69F00),
    hex(0x009E73),
    hex(0xCC79A7),
    hex(0x56B4E9),
    hex(0xD55E00),
    hex(0xF0E442),
    hex(0x000000),
];

pub const LIGHT: Palette = Palette {
    background: hex(0xffffff),
    text: hex(0x1b1f24),
    muted: hex(0x57606a),
    grid: Rgba(27, 31, 36, 46),
    padding: hex(0xd0d7de),
    hatch: hex(0x8c959f),
    inserted: hex(0xeef1f4),
    copied: hex(0x6f42c1),
    dim: Rgba(255, 255, 255, 140),
    focus: hex(0xd6006f),
    related: hex(0x1b1f24),
    groups: OKABE_ITO,
};

pub const DARK: Palette = Palette {
    background: hex(0x0d1117),
    text: hex(0xe6edf3),
    muted: hex(0x9198a1),
    grid: Rgba(230, 237, 243, 51),
    padding: hex(0x30363d),
    hatch: hex(0x6e7681),
    inserted: hex(0x161b22),
    copied: hex(0xd2a8ff),
    dim: Rgba(13, 17, 23, 153),
    focus: hex(0xff7bc5),
    related: hex(0xe6edf3),
    // Sky blue first and white last: the dark theme's background would swallow black.
    groups: [
        OKABE_ITO[4],
        OKABE_ITO[1],
        OKABE_ITO[2],
        OKABE_ITO[3],
        OKABE_ITO[0],
        OKABE_ITO[5],
        OKABE_ITO[6],
        hex(0xffffff),
    ],
};

impl Palette {
    pub fn of(dark: bool) -> &'static Palette {
        if dark {
            &DARK
        } else {
            &LIGHT
        }
    }

    pub fn ink(&self, ink: Ink) -> Rgba {
        match ink {
            Ink::Background => self.background,
            Ink::Text => self.text,
            Ink::Muted => self.muted,
            Ink::Grid => self.grid,
            Ink::Padding => self.padding,
            Ink::Hatch => self.hatch,
            Ink::Inserted => self.inserted,
            Ink::Copied => self.copied,
            Ink::Dim => self.dim,
            Ink::Focus => self.focus,
            Ink::Related => self.related,
            Ink::OnLight => hex(0x1b1f24),
            Ink::OnDark => hex(0xffffff),
            Ink::Group(i) => self.groups[i as usize % self.groups.len()],
        }
    }

    pub fn paint(&self, paint: Paint) -> Rgba {
        match paint {
            Paint::Ink(i) => self.ink(i),
            Paint::Value(t) => {
                let [r, g, b] = value_rgb(t);
                Rgba::rgb(r, g, b)
            }
            Paint::Count(t) => {
                let [r, g, b] = count_rgb(t);
                Rgba::rgb(r, g, b)
            }
        }
    }
}

/// The largest finite magnitude among `values` (0 if none): the scale of a map's colours.
pub fn max_abs<'a>(values: impl IntoIterator<Item = &'a f32>) -> f32 {
    // Eight running maxima (no chain from one value to the next), joined at the end.
    let mut m = [0.0f32; 8];
    for (i, v) in values.into_iter().enumerate() {
        let a = v.abs();
        if a > m[i % 8] && a < f32::INFINITY {
            m[i % 8] = a;
        }
    }
    m.into_iter().fold(0.0, f32::max)
}

/// [`max_abs`] of an array's values, in runs of eight over its memory where it is one block (a
/// stage of the largest layer has 350,000 values), else one by one.
pub fn max_abs_of<S, D>(values: &ndarray::ArrayBase<S, D>) -> f32
where
    S: ndarray::Data<Elem = f32>,
    D: ndarray::Dimension,
{
    let Some(slice) = values.as_slice_memory_order() else {
        return max_abs(values.iter());
    };
    let mut runs = slice.chunks_exact(8);
    let whole = runs_max_abs(&mut runs);
    whole.max(max_abs(runs.remainder()))
}

/// [`max_abs`] of the runs of eight, in two vectors of running maxima: wasm SIMD, which the
/// page's size-optimised build would not make of a loop (each run two vector loads; built from
/// its eight values one by one it took three times as long).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn runs_max_abs(runs: &mut std::slice::ChunksExact<'_, f32>) -> f32 {
    use core::arch::wasm32::*;
    let infinity = f32x4_splat(f32::INFINITY);
    // A magnitude below infinity, else 0 (NaN compares false).
    let finite = |v: v128| {
        let a = f32x4_abs(v);
        v128_and(a, f32x4_lt(a, infinity))
    };
    let (mut lo, mut hi) = (f32x4_splat(0.0), f32x4_splat(0.0));
    for r in runs {
        // SAFETY: a run holds 8 `f32` (32 bytes): two unaligned 16-byte loads.
        let (a, b) = unsafe {
            let p = r.as_ptr() as *const v128;
            (v128_load(p), v128_load(p.add(1)))
        };
        lo = f32x4_pmax(lo, finite(a));
        hi = f32x4_pmax(hi, finite(b));
    }
    let m = f32x4_pmax(lo, hi);
    [
        f32x4_extract_lane::<0>(m),
        f32x4_extract_lane::<1>(m),
        f32x4_extract_lane::<2>(m),
        f32x4_extract_lane::<3>(m),
    ]
    .into_iter()
    .fold(0.0, f32::max)
}

/// [`max_abs`] of the runs of eight (natively, where only the tests run it: the rule itself).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn runs_max_abs(runs: &mut std::slice::ChunksExact<'_, f32>) -> f32 {
    max_abs(runs.flatten())
}

/// `v` on a scale symmetric around 0: `v / max_abs` clamped to `[-1, 1]` (0 for a zero scale or a
/// value that is not finite).
pub fn normalise(v: f32, max_abs: f32) -> f32 {
    if max_abs > 0.0 && v.is_finite() {
        (v / max_abs).clamp(-1.0, 1.0)
    } else {
        0.0
    }
}

/// Entries of the colour tables: finer than any screen tells apart.
const TABLE: usize = 256;

fn table(map: colorous::Gradient, from: f64, span: f64) -> [[u8; 3]; TABLE] {
    let mut out = [[0u8; 3]; TABLE];
    for (i, e) in out.iter_mut().enumerate() {
        let c = map.eval_continuous(from + span * i as f64 / (TABLE - 1) as f64);
        *e = [c.r, c.g, c.b];
    }
    out
}

/// The diverging colour of `t` in `[-1, 1]`: blue for −1, white for 0, red for +1.
pub fn value_rgb(t: f32) -> [u8; 3] {
    static LUT: std::sync::OnceLock<[[u8; 3]; TABLE]> = std::sync::OnceLock::new();
    // RED_BLUE runs red → blue: −1 is its end, +1 its start.
    let lut = LUT.get_or_init(|| table(colorous::RED_BLUE, 1.0, -1.0));
    let t = if t.is_finite() {
        t.clamp(-1.0, 1.0)
    } else {
        0.0
    };
    lut[((t + 1.0) / 2.0 * (TABLE - 1) as f32).round() as usize]
}

/// The sequential colour of a count, `t` in `[0, 1]` (light for few, dark for many).
pub fn count_rgb(t: f32) -> [u8; 3] {
    static LUT: std::sync::OnceLock<[[u8; 3]; TABLE]> = std::sync::OnceLock::new();
    let lut = LUT.get_or_init(|| table(colorous::BLUES, 0.1, 0.85));
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    lut[(t * (TABLE - 1) as f32).round() as usize]
}

/// The value map as a CSS gradient from −1 (left) to +1 (right), for the legend.
pub fn value_gradient_css() -> String {
    let stops: Vec<String> = (0..=8)
        .map(|i| {
            let [r, g, b] = value_rgb(i as f32 / 4.0 - 1.0);
            format!("rgb({r},{g},{b})")
        })
        .collect();
    format!("linear-gradient(to right, {})", stops.join(", "))
}

/// Text that stays readable on a value cell: white on strong colours.
pub fn text_on_value(t: f32) -> Ink {
    if t.abs() > 0.6 {
        Ink::OnDark
    } else {
        Ink::OnLight
    }
}

/// Text that stays readable on a count cell.
pub fn text_on_count(t: f32) -> Ink {
    if t > 0.55 {
        Ink::OnDark
    } else {
        Ink::OnLight
    }
}

/// Levels of the value map in an exported GIF (and as many again, veiled).
pub const GIF_LEVELS: usize = 108;
/// Theme colours first, then [`GIF_LEVELS`] value levels, then the same veiled.
const GIF_INKS: [Ink; 21] = [
    Ink::Background,
    Ink::Text,
    Ink::Muted,
    Ink::Grid,
    Ink::Padding,
    Ink::Hatch,
    Ink::Inserted,
    Ink::Copied,
    Ink::Dim,
    Ink::Focus,
    Ink::Related,
    Ink::OnLight,
    Ink::OnDark,
    Ink::Group(0),
    Ink::Group(1),
    Ink::Group(2),
    Ink::Group(3),
    Ink::Group(4),
    Ink::Group(5),
    Ink::Group(6),
    Ink::Group(7),
];
const COUNT_LEVELS: usize = 16;

/// An indexed palette for GIF frames: every [`Paint`] maps to one entry ([`Palette::index`]).
impl Palette {
    /// The palette as RGB triples (at most 256 entries).
    pub fn gif_table(&self) -> Vec<u8> {
        let bg = [self.background.0, self.background.1, self.background.2];
        let mut out = Vec::with_capacity(256 * 3);
        for ink in GIF_INKS {
            out.extend(self.ink(ink).over(bg));
        }
        for veiled in [false, true] {
            for i in 0..GIF_LEVELS {
                let t = i as f32 / (GIF_LEVELS - 1) as f32 * 2.0 - 1.0;
                let c = value_rgb(t);
                out.extend(if veiled { self.dim.over(c) } else { c });
            }
        }
        for i in 0..COUNT_LEVELS {
            out.extend(count_rgb(i as f32 / (COUNT_LEVELS - 1) as f32));
        }
        out
    }

    /// The entry of `paint` in [`Palette::gif_table`].
    pub fn index(paint: Paint) -> u8 {
        match paint {
            Paint::Ink(ink) => GIF_INKS.iter().position(|&i| i == ink).unwrap_or(0) as u8,
            Paint::Value(t) => {
                let l = ((t.clamp(-1.0, 1.0) + 1.0) / 2.0 * (GIF_LEVELS - 1) as f32).round();
                (GIF_INKS.len() + l as usize) as u8
            }
            Paint::Count(t) => {
                let l = (t.clamp(0.0, 1.0) * (COUNT_LEVELS - 1) as f32).round() as usize;
                (GIF_INKS.len() + 2 * GIF_LEVELS + l) as u8
            }
        }
    }

    /// The entry that shows entry `i` under the dimming veil (value levels only; theme colours
    /// stay as they are).
    pub fn veiled(i: u8) -> u8 {
        let first = GIF_INKS.len();
        let i = i as usize;
        if (first..first + GIF_LEVELS).contains(&i) {
            (i + GIF_LEVELS) as u8
        } else {
            i as u8
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_value_map_is_blue_white_red() {
        let [r, _, b] = value_rgb(-1.0);
        assert!(b > r, "negative is blue");
        let [r, _, b] = value_rgb(1.0);
        assert!(r > b, "positive is red");
        let [r, g, b] = value_rgb(0.0);
        assert!(r > 230 && g > 230 && b > 230, "zero is white: {r},{g},{b}");
        assert_eq!(normalise(3.0, 2.0), 1.0);
        assert_eq!(normalise(f32::NAN, 2.0), 0.0);
        assert_eq!(normalise(1.0, 0.0), 0.0);
        assert_eq!(max_abs(&[1.0, -4.0, f32::INFINITY]), 4.0);
        let many = [
            0.5,
            f32::NAN,
            -0.25,
            1.0,
            0.0,
            2.0,
            -7.5,
            3.0,
            1.0,
            -9.0,
            f32::NEG_INFINITY,
        ];
        assert_eq!(max_abs(&many), 9.0);
    }

    #[test]
    fn the_scale_of_an_array_is_its_largest_finite_magnitude_wherever_it_is() {
        // Every place of the largest value, in runs of eight and in the remainder, among values
        // that are not finite.
        for n in [1, 7, 8, 9, 16, 61] {
            for at in 0..n {
                let mut v: Vec<f32> = (0..n).map(|i| ((i * 7) % 5) as f32 * 0.1 - 0.2).collect();
                v[at] = -3.5;
                v[(at + 1) % n] = f32::NAN;
                v[(at + 2) % n] = f32::INFINITY;
                if n > 2 {
                    assert_eq!(
                        max_abs_of(&ndarray::Array1::from(v.clone())),
                        3.5,
                        "{n} {at}"
                    );
                }
                // Not one block in memory (every other value): one by one.
                let wide = ndarray::Array1::from_iter(v.iter().flat_map(|&x| [x, 100.0]));
                let strided = wide.slice(ndarray::s![..;2]);
                assert_eq!(max_abs_of(&strided), max_abs(&v), "{n} {at}");
            }
        }
        assert_eq!(max_abs_of(&ndarray::Array1::<f32>::zeros(0)), 0.0);
    }

    #[test]
    fn the_gif_table_holds_every_paint() {
        let table = LIGHT.gif_table();
        assert!(table.len() <= 256 * 3 && table.len() % 3 == 0);
        let entries = table.len() / 3;
        for p in [
            Paint::Ink(Ink::Group(7)),
            Paint::Value(-1.0),
            Paint::Value(1.0),
            Paint::Count(1.0),
        ] {
            let i = Palette::index(p) as usize;
            assert!(i < entries, "{p:?} → {i}");
            let rgb = LIGHT.paint(p).over([255, 255, 255]);
            assert_eq!(&table[i * 3..i * 3 + 3], &rgb[..], "{p:?}");
        }
        let v = Palette::index(Paint::Value(0.5));
        assert_ne!(Palette::veiled(v), v);
        assert_eq!(Palette::veiled(0), 0);
    }

    #[test]
    fn css_text() {
        assert_eq!(LIGHT.focus.css(), "#d6006f");
        assert!(LIGHT.dim.css().starts_with("rgba(255,255,255,0.5"));
    }
}
