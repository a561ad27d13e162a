//! [`AppState`] to and from the query string (the public embedding API, `docs/CONVENTIONS.md`).
//! Anything that arrives is validated: it is parsed into a [`Patch`] (unknown keys and bad values
//! refused), which the state applies, correcting the layer to the nearest valid one and reporting
//! every change as a notice.

use conv_core::{LayerKind, PaddingMode, PaddingSpec, Param, UpsampleMode};

use crate::i18n::Lang;
use crate::state::{AppState, Patch};
use crate::types::{InputMode, Lab, NoticeReason, Theme, View};

/// Keys that are understood besides the layer parameters.
const OTHER_KEYS: [&str; 10] = [
    "stack",
    "stack_cell",
    "layer",
    "lang",
    "theme",
    "view",
    "lab",
    "embed",
    "input",
    "parent_origin",
];

/// The end-to-end tests' trigger of the panic boundary (see `app::start`). It exists only in builds
/// with the `test-hooks` feature; in the shipped page it is an unknown key like any other.
#[cfg(feature = "test-hooks")]
pub const TEST_PANIC_KEY: &str = "test_panic";

/// Parse a query string (with or without the leading `?`) on top of `base`.
pub fn parse_query(query: &str, base: &AppState) -> AppState {
    base.with_patch(&patch_from_query(query))
}

/// The values of a query string (with or without the leading `?`).
pub fn patch_from_query(query: &str) -> Patch {
    let query = query.strip_prefix('?').unwrap_or(query);
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    parse_pairs(&pairs)
}

/// The values of `key = value` pairs (from a URL or a message), each checked and typed; what cannot
/// be used is refused with its reason. The first occurrence of a key wins, as
/// `URLSearchParams.get` has it.
pub fn parse_pairs(pairs: &[(String, String)]) -> Patch {
    let mut patch = Patch::default();
    // The layer first: the other values apply to it.
    if let Some((_, v)) = pairs.iter().find(|(k, _)| k == "layer") {
        match LayerKind::from_name(v.trim()) {
            Some(kind) => patch.layer = Some(kind),
            None => patch.refuse("layer", v, NoticeReason::Invalid),
        }
    }
    let mut seen: Vec<&str> = Vec::new();
    for (key, value) in pairs {
        if seen.contains(&key.as_str()) {
            continue;
        }
        seen.push(key.as_str());
        match Param::from_name(key) {
            Some(param) => parse_param(&mut patch, param, key, value),
            None => parse_option(&mut patch, key, value),
        }
    }
    patch
}

/// A layer parameter: a count, or for `padding` also `same` / `valid`, for `bias` and
/// `align_corners` a flag, for `mode` and `padding_mode` a name (`nearest`, `bilinear`; `zeros`,
/// `reflect`, `replicate`, `circular`).
fn parse_param(patch: &mut Patch, param: Param, key: &str, value: &str) {
    let v = value.trim();
    match (param, v) {
        (Param::Padding, "same") => patch.padding = Some(PaddingSpec::Same),
        (Param::Padding, "valid") => patch.padding = Some(PaddingSpec::Valid),
        (Param::Bias, _) => match parse_flag(v) {
            Some(on) => patch.bias = Some(on),
            None => patch.refuse(key, value, NoticeReason::Invalid),
        },
        (Param::AlignCorners, _) => match parse_flag(v) {
            Some(on) => patch.params.push((param, usize::from(on))),
            None => patch.refuse(key, value, NoticeReason::Invalid),
        },
        (Param::Mode, _) => match UpsampleMode::from_name(v) {
            Some(mode) => patch.params.push((param, mode as usize)),
            None => patch.refuse(key, value, NoticeReason::Invalid),
        },
        (Param::PaddingMode, _) => match PaddingMode::from_name(v) {
            Some(mode) => patch.params.push((param, mode as usize)),
            None => patch.refuse(key, value, NoticeReason::Invalid),
        },
        _ => match parse_count(v) {
            Some(n) => {
                if param == Param::Padding {
                    patch.padding = Some(PaddingSpec::Explicit(n));
                } else {
                    patch.params.push((param, n));
                }
                patch.given.push((param.name(), v.to_string()));
            }
            None => patch.refuse(key, value, NoticeReason::NotANumber),
        },
    }
}

/// A page option (language, theme, embedding, input, parent origin); any other key is unknown.
fn parse_option(patch: &mut Patch, key: &str, value: &str) {
    let v = value.trim();
    let understood = match key {
        "layer" => true,
        #[cfg(feature = "test-hooks")]
        TEST_PANIC_KEY => true,
        "parent_origin" => valid_origin(v)
            .map(|o| patch.parent_origin = Some(o))
            .is_some(),
        "lang" => Lang::from_code(v).map(|l| patch.lang = Some(l)).is_some(),
        "theme" => Theme::from_code(v).map(|t| patch.theme = Some(t)).is_some(),
        "view" => View::from_code(v).map(|t| patch.view = Some(t)).is_some(),
        "lab" => Lab::from_code(v).map(|l| patch.lab = Some(l)).is_some(),
        // Checked for its characters and length here, read by the worker that draws it.
        "stack" => (v.len() <= 2000
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))
        .then(|| patch.stack = Some(v.to_string()))
        .is_some(),
        // `layer,y,x`, the layer counted from 1 as the table numbers it.
        "stack_cell" => {
            let n: Vec<usize> = v.split(',').filter_map(|t| t.parse().ok()).collect();
            match n[..] {
                [l, y, x] if l >= 1 && v.split(',').count() == 3 => {
                    patch.stack_cell = Some([l - 1, y, x]);
                    true
                }
                _ => false,
            }
        }
        "embed" => parse_flag(v).map(|on| patch.embed = Some(on)).is_some(),
        "input" => InputMode::from_code(v)
            .map(|m| patch.input = Some(m))
            .is_some(),
        _ => {
            patch.refuse(key, value, NoticeReason::UnknownKey);
            return;
        }
    };
    if !understood {
        patch.refuse(key, value, NoticeReason::Invalid);
    }
}

/// `1` / `true` or `0` / `false`.
fn parse_flag(v: &str) -> Option<bool> {
    match v {
        "1" | "true" => Some(true),
        "0" | "false" => Some(false),
        _ => None,
    }
}

/// A non-negative integer; negative numbers become 0 and numbers too large for `usize` become
/// `usize::MAX` (the correction then reports the clamp); anything else is `None`.
fn parse_count(v: &str) -> Option<usize> {
    let digits = v.strip_prefix('+').unwrap_or(v);
    if let Some(rest) = digits.strip_prefix('-') {
        return (!rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit())).then_some(0);
    }
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(digits.parse::<usize>().unwrap_or(usize::MAX))
}

/// The `key = value` pairs of a state: the layer, the parameters that layer uses, and the page
/// options that differ from their defaults. Used for the URL and for messages to a host page.
pub fn to_pairs(state: &AppState) -> Vec<(&'static str, String)> {
    let spec = state.spec.effective();
    let mut pairs = vec![("layer", spec.layer.name().to_string())];
    for &param in spec.layer.params() {
        let value = match param {
            Param::Padding => spec.padding.to_string(),
            Param::Bias => (spec.bias as u8).to_string(),
            Param::Mode => spec.upsample_mode.name().to_string(),
            // Written only where it means something (PyTorch refuses it with `nearest`).
            Param::AlignCorners if spec.upsample_mode != UpsampleMode::Bilinear => continue,
            // Written when it is not PyTorch's default, zeros.
            Param::PaddingMode if spec.padding_mode == PaddingMode::Zeros => continue,
            Param::PaddingMode => spec.padding_mode.name().to_string(),
            _ => spec.get(param).to_string(),
        };
        pairs.push((param.name(), value));
    }
    if spec.layer == LayerKind::Depthwise {
        // groups is implied (= in_channels) but is part of the layer's definition.
        pairs.push(("groups", spec.groups.to_string()));
    }
    pairs.push(("lang", state.lang.code().to_string()));
    if state.theme != Theme::Auto {
        pairs.push(("theme", state.theme.code().to_string()));
    }
    if state.view != View::Volume {
        pairs.push(("view", state.view.code().to_string()));
    }
    if state.lab != Lab::Off {
        pairs.push(("lab", state.lab.code().to_string()));
    }
    if state.lab == Lab::Stack {
        pairs.push(("stack", state.stack.clone()));
        if let Some([l, y, x]) = state.stack_cell {
            pairs.push(("stack_cell", format!("{},{y},{x}", l + 1)));
        }
    }
    if state.embed {
        pairs.push(("embed", "1".to_string()));
    }
    if state.input != InputMode::Grid {
        pairs.push(("input", state.input.code().to_string()));
    }
    if let Some(o) = &state.parent_origin {
        pairs.push(("parent_origin", o.clone()));
    }
    pairs
}

/// `scheme://host[:port]` with scheme http or https and a host of letters, digits, dots and
/// dashes (or a bracketed IPv6 address); anything else is not an origin.
pub fn valid_origin(v: &str) -> Option<String> {
    if v.len() > 300 {
        return None;
    }
    let rest = v
        .strip_prefix("https://")
        .or_else(|| v.strip_prefix("http://"))?;
    let (host_ok, port) = if let Some(inner) = rest.strip_prefix('[') {
        let (h, after) = inner.split_once(']')?;
        let port = if after.is_empty() {
            None
        } else {
            Some(after.strip_prefix(':')?)
        };
        (
            !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit() || b == b':'),
            port,
        )
    } else {
        let (h, port) = match rest.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (rest, None),
        };
        let ok = !h.is_empty()
            && h.len() <= 253
            && h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
        (ok, port)
    };
    let port_ok = port.is_none_or(|p| {
        !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u16>().is_ok()
    });
    (host_ok && port_ok).then(|| v.to_string())
}

/// The query string of a state, without the leading `?`.
pub fn to_query(state: &AppState) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in to_pairs(state) {
        out.append_pair(k, &v);
    }
    out.finish()
}

/// Whether `key` is one the page understands (used to validate host messages).
pub fn is_known_key(key: &str) -> bool {
    #[cfg(feature = "test-hooks")]
    if key == TEST_PANIC_KEY {
        return true;
    }
    Param::from_name(key).is_some() || OTHER_KEYS.contains(&key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use conv_core::{Budget, KernelPreset};

    fn parse(q: &str) -> AppState {
        parse_query(q, &AppState::default())
    }

    #[test]
    fn the_stack_views_cell_round_trips_counted_from_layer_1() {
        let s = parse_query(
            "lab=stack&stack=context_module&stack_cell=5,10,20",
            &AppState::default(),
        );
        assert!(s.notices.is_empty(), "{:?}", s.notices);
        assert_eq!(s.stack_cell, Some([4, 10, 20]));
        let q = to_query(&s);
        assert_eq!(
            parse_query(&q, &AppState::default()).stack_cell,
            Some([4, 10, 20])
        );
        // Written with the stack view only.
        let off = AppState {
            lab: Lab::Off,
            ..s.clone()
        };
        assert!(!to_query(&off).contains("stack_cell"));
        // Another stack starts with no cell; one that is no cell is refused with a notice.
        let other = parse_query("stack=vgg16", &s);
        assert_eq!(other.stack_cell, None);
        for bad in ["0,1,1", "1,2", "1,2,3,4", "a,b,c", "-1,2,3"] {
            let t = parse_query(&format!("lab=stack&stack_cell={bad}"), &AppState::default());
            assert_eq!(t.stack_cell, None, "{bad}");
            assert_eq!(t.notices.len(), 1, "{bad}");
        }
    }

    #[test]
    fn upsampling_mode_and_corners_round_trip() {
        let s = parse("layer=upsample&mode=bilinear&align_corners=1");
        assert_eq!(s.spec.upsample_mode, UpsampleMode::Bilinear);
        assert!(s.spec.align_corners);
        assert!(s.notices.is_empty(), "{:?}", s.notices);
        let q = to_query(&s);
        assert!(
            q.contains("mode=bilinear") && q.contains("align_corners=1"),
            "{q}"
        );
        assert_eq!(parse(&q).spec, s.spec);
        // Nearest: the mode is written, align_corners (meaningless there) is not.
        let nearest = parse("layer=upsample");
        let q = to_query(&nearest);
        assert!(
            q.contains("mode=nearest") && !q.contains("align_corners"),
            "{q}"
        );
        // Another layer has neither.
        assert!(!to_query(&parse("layer=standard")).contains("mode="));
    }

    #[test]
    fn padding_mode_round_trips_and_is_corrected() {
        let s = parse("layer=dilated&padding=2&padding_mode=reflect");
        assert_eq!(s.spec.padding_mode, PaddingMode::Reflect);
        assert!(s.notices.is_empty(), "{:?}", s.notices);
        let q = to_query(&s);
        assert!(q.contains("padding_mode=reflect"), "{q}");
        assert_eq!(parse(&q).spec, s.spec);
        // Zeros, the default, is not written; a layer without the choice ignores it.
        assert!(!to_query(&parse("layer=standard&padding=1")).contains("padding_mode"));
        let t = parse("layer=transposed&padding_mode=circular");
        assert_eq!(t.spec.effective().padding_mode, PaddingMode::Zeros);
        assert!(!to_query(&t).contains("padding_mode"));
        // An unknown mode is refused; a reflect padding as large as the map is lowered.
        let s = parse("layer=standard&padding_mode=mirror");
        assert!(s
            .notices
            .iter()
            .any(|n| n.param == "padding_mode" && n.reason == NoticeReason::Invalid));
        let s =
            parse("layer=standard&height=3&width=3&kernel_size=3&padding=3&padding_mode=reflect");
        assert_eq!(s.spec.padding, PaddingSpec::Explicit(2));
        assert!(s.notices.iter().any(|n| n.param == "padding"
            && n.reason
                == NoticeReason::Corrected(conv_core::CorrectionReason::PaddingTooLargeForMode {
                    mode: PaddingMode::Reflect,
                    max: 2
                })));
    }

    #[test]
    fn bad_upsampling_values_are_refused_or_corrected() {
        let s = parse("layer=upsample&mode=cubic");
        assert_eq!(s.spec.upsample_mode, UpsampleMode::Nearest);
        assert!(s
            .notices
            .iter()
            .any(|n| n.param == "mode" && n.reason == NoticeReason::Invalid));
        let s = parse("layer=upsample&align_corners=yes");
        assert!(s.notices.iter().any(|n| n.param == "align_corners"));
        // PyTorch refuses align_corners with nearest: corrected to 0, with its reason.
        let s = parse("layer=upsample&mode=nearest&align_corners=1");
        assert!(!s.spec.align_corners);
        assert!(s.notices.iter().any(|n| n.param == "align_corners"
            && n.reason
                == NoticeReason::Corrected(
                    conv_core::CorrectionReason::AlignCornersNeedsBilinear
                )));
    }

    #[test]
    fn the_view_is_a_url_parameter_with_volume_the_default() {
        assert_eq!(parse("").view, View::Volume);
        let s = parse("view=channels");
        assert_eq!(s.view, View::Channels);
        assert!(s.notices.is_empty());
        assert!(to_query(&s).contains("view=channels"));
        assert!(!to_query(&parse("view=volume")).contains("view="));
        let bad = parse("view=cube");
        assert_eq!((bad.view, bad.notices.len()), (View::Volume, 1));
    }

    #[test]
    fn round_trip_for_every_layer() {
        for kind in LayerKind::ALL {
            let mut state = AppState::default().reduce(crate::state::Action::SetLayer(kind));
            state.lang = Lang::Zh;
            state.theme = Theme::Dark;
            state.embed = true;
            let q = to_query(&state);
            let back = parse(&q);
            assert_eq!(back.spec.effective(), state.spec.effective(), "{q}");
            assert_eq!(
                (back.lang, back.theme, back.embed),
                (Lang::Zh, Theme::Dark, true)
            );
            assert!(back.notices.is_empty(), "{q}: {:?}", back.notices);
        }
    }

    #[test]
    fn torch_names_are_read() {
        let s = parse("layer=grouped&in_channels=4&out_channels=8&groups=2&kernel_size=3&padding=1&height=5&width=5");
        assert_eq!(s.spec.layer, LayerKind::Grouped);
        assert_eq!(
            (s.spec.in_channels, s.spec.out_channels, s.spec.groups),
            (4, 8, 2)
        );
        assert_eq!(s.spec.padding, PaddingSpec::Explicit(1));
        assert!(s.notices.is_empty());
        let s = parse("?layer=standard&padding=same&kernel_size=5");
        assert_eq!(s.spec.padding, PaddingSpec::Same);
        assert_eq!(
            s.spec.costs(&Budget::PLAYGROUND).unwrap().output_shape[1],
            6
        );
    }

    #[test]
    fn hostile_values_are_corrected_with_notices() {
        let cases = [
            ("height=-5", "height"),
            ("height=99999999999999999999999999", "height"),
            ("kernel_size=abc", "kernel_size"),
            ("stride=NaN", "stride"),
            ("layer=<script>alert(1)</script>", "layer"),
            ("groups=3&layer=grouped", "groups"),
            ("lang=xx", "lang"),
            ("bias=maybe", "bias"),
            ("evil=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E", "evil"),
            ("layer=transposed&output_padding=9", "output_padding"),
            (
                "layer=dilated&kernel_size=11&dilation=6&height=4",
                "dilation",
            ),
            (
                "layer=depthwise&in_channels=3&out_channels=4",
                "out_channels",
            ),
            ("padding=%E2%88%9E", "padding"),
        ];
        for (q, param) in cases {
            let s = parse(q);
            assert!(s.spec.shapes(&Budget::PLAYGROUND).is_ok(), "{q}");
            assert!(
                s.notices.iter().any(|n| n.param == param),
                "{q}: {:?}",
                s.notices
            );
        }
        let s = parse("height=-5");
        assert_eq!(s.spec.height, 1);
        assert_eq!(s.notices[0].from, "-5");
        assert_eq!(s.notices[0].to, "1");
    }

    #[test]
    fn parent_origin_is_kept_only_when_it_is_an_origin() {
        let s = parse("parent_origin=https%3A%2F%2Ftutorial.example%3A8443");
        assert_eq!(
            s.parent_origin.as_deref(),
            Some("https://tutorial.example:8443")
        );
        assert!(to_query(&s).contains("parent_origin=https%3A%2F%2Ftutorial.example%3A8443"));
        for bad in [
            "javascript:alert(1)",
            "https://a.b/path",
            "*",
            "https://",
            "http://x y",
            "https://a:99999",
        ] {
            let q = format!(
                "parent_origin={}",
                form_urlencoded::byte_serialize(bad.as_bytes()).collect::<String>()
            );
            let s = parse(&q);
            assert_eq!(s.parent_origin, None, "{bad}");
            assert!(
                s.notices.iter().any(|n| n.param == "parent_origin"),
                "{bad}"
            );
        }
        assert_eq!(
            valid_origin("http://127.0.0.1:8080").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            valid_origin("http://[::1]:8080").as_deref(),
            Some("http://[::1]:8080")
        );
    }

    #[test]
    fn messages_cannot_change_the_parent_origin() {
        let s = parse("parent_origin=https%3A%2F%2Fa.example");
        let s = s.reduce(crate::state::Action::ApplyMessage(parse_pairs(&[
            ("parent_origin".into(), "https://evil.example".into()),
            ("layer".into(), "grouped".into()),
            ("groups".into(), "3".into()),
        ])));
        assert_eq!(s.parent_origin.as_deref(), Some("https://a.example"));
        assert_eq!(s.spec.layer, LayerKind::Grouped);
        assert!(s.notices.iter().any(|n| n.param == "groups"));
    }

    #[test]
    fn one_notice_per_key_from_the_value_given_to_the_value_used() {
        // The kernel is not a number (3 is kept), then shrinks to fit a height of 2.
        let s = parse("kernel_size=abc&height=2");
        assert_eq!(s.spec.kernel_size, 2);
        let lines: Vec<_> = s
            .notices
            .iter()
            .filter(|n| n.param == "kernel_size")
            .collect();
        assert_eq!(lines.len(), 1, "{:?}", s.notices);
        assert_eq!(
            (
                lines[0].from.as_str(),
                lines[0].to.as_str(),
                lines[0].reason
            ),
            ("abc", "2", NoticeReason::NotANumber)
        );
        let s = parse("layer=grouped&in_channels=6&out_channels=8&groups=4&kernel_size=99");
        let keys: Vec<_> = s.notices.iter().map(|n| n.param.as_str()).collect();
        assert_eq!(keys, ["kernel_size", "groups"]);
        assert_eq!(
            (s.notices[0].from.as_str(), s.notices[0].to.as_str()),
            ("99", "6")
        );
    }

    #[test]
    fn duplicated_keys_keep_the_first() {
        let s = parse("height=5&height=9");
        assert_eq!(s.spec.height, 5);
    }

    #[test]
    fn queries_are_clean() {
        let state = AppState::default();
        assert_eq!(
            to_query(&state),
            "layer=standard&height=6&width=6&in_channels=3&out_channels=16&kernel_size=3&stride=1&padding=0&bias=1&lang=en"
        );
        assert_eq!(state.kernel, KernelPreset::Random);
        assert!(is_known_key("groups") && is_known_key("embed") && !is_known_key("__proto__"));
    }

    /// Without the `test-hooks` feature (the shipped page) the tests' panic trigger is an unknown
    /// parameter like any other: refused with a notice, the rest of the URL applied.
    #[cfg(not(feature = "test-hooks"))]
    #[test]
    fn the_test_panic_trigger_is_unknown_in_the_shipped_page() {
        let s = parse("layer=dilated&test_panic=1");
        assert_eq!(s.spec.layer, LayerKind::Dilated);
        let unknown: Vec<_> = s
            .notices
            .iter()
            .map(|n| (n.param.as_str(), n.reason))
            .collect();
        assert_eq!(unknown, [("test_panic", NoticeReason::UnknownKey)]);
        assert!(!is_known_key("test_panic"));
    }
}
