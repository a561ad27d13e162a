//! [`AppState`] to and from the query string (the public embedding API of DESIGN.md). Anything
//! that arrives is validated: unknown keys are ignored, bad values corrected to the nearest valid
//! one, and every change is reported as a [`Notice`].

use conv_core::{LayerKind, LayerSpec, PaddingMode, Param};

use crate::i18n::Lang;
use crate::notice::NoticeReason;
use crate::state::{AppState, InputMode, Notice, Theme};

/// Keys that are understood besides the layer parameters.
const OTHER_KEYS: [&str; 7] = [
    "layer",
    "lang",
    "theme",
    "embed",
    "input",
    "parent_origin",
    "test_panic",
];

/// Parse a query string (with or without the leading `?`) on top of `base`.
pub fn parse_query(query: &str, base: &AppState) -> AppState {
    let query = query.strip_prefix('?').unwrap_or(query);
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    apply_pairs(&pairs, base)
}

/// Apply `key = value` pairs (from a URL or a message) to `base`. The first occurrence of a key
/// wins, as `URLSearchParams.get` has it. The result always holds a valid spec.
pub fn apply_pairs(pairs: &[(String, String)], base: &AppState) -> AppState {
    let mut state = base.clone();
    state.notices.clear();
    let mut notices = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    let mut raw: Vec<(&'static str, String)> = Vec::new();
    let note =
        |notices: &mut Vec<Notice>, key: &str, value: &str, to: &str, reason: NoticeReason| {
            notices.push(Notice::new(key, value, to, reason));
        };
    // The layer first: the other values apply to it.
    if let Some((_, v)) = pairs.iter().find(|(k, _)| k == "layer") {
        match LayerKind::from_name(v.trim()) {
            Some(kind) => {
                if kind != state.spec.layer {
                    state.spec = LayerSpec::preset(kind);
                }
            }
            None => note(
                &mut notices,
                "layer",
                v,
                state.spec.layer.name(),
                NoticeReason::Invalid,
            ),
        }
    }
    for (key, value) in pairs {
        if seen.contains(&key.as_str()) {
            continue;
        }
        seen.push(key.as_str());
        let v = value.trim();
        if let Some(param) = Param::from_name(key) {
            if param == Param::Padding {
                match v {
                    "same" => state.spec.padding = PaddingMode::Same,
                    "valid" => state.spec.padding = PaddingMode::Valid,
                    _ => match parse_count(v) {
                        Some(n) => {
                            state.spec.padding = PaddingMode::Explicit(n);
                            raw.push((param.name(), v.to_string()));
                        }
                        None => note(
                            &mut notices,
                            key,
                            value,
                            &state.spec.padding.to_string(),
                            NoticeReason::NotANumber,
                        ),
                    },
                }
                continue;
            }
            if param == Param::Bias {
                match v {
                    "1" | "true" => state.spec.bias = true,
                    "0" | "false" => state.spec.bias = false,
                    _ => note(
                        &mut notices,
                        key,
                        value,
                        if state.spec.bias { "1" } else { "0" },
                        NoticeReason::Invalid,
                    ),
                }
                continue;
            }
            let Some(n) = parse_count(v) else {
                let current = state.spec.get(param).to_string();
                note(&mut notices, key, value, &current, NoticeReason::NotANumber);
                continue;
            };
            raw.push((param.name(), v.to_string()));
            state.spec.set(param, n);
            continue;
        }
        match key.as_str() {
            // The end-to-end tests' trigger of the panic boundary (see `app::start`).
            "layer" | "test_panic" => {}
            "parent_origin" => match valid_origin(v) {
                Some(o) => state.parent_origin = Some(o),
                None => note(&mut notices, key, value, "—", NoticeReason::Invalid),
            },
            "lang" => match Lang::from_code(v) {
                Some(l) => state.lang = l,
                None => note(
                    &mut notices,
                    key,
                    value,
                    state.lang.code(),
                    NoticeReason::Invalid,
                ),
            },
            "theme" => match v {
                "light" => state.theme = Theme::Light,
                "dark" => state.theme = Theme::Dark,
                "auto" => state.theme = Theme::Auto,
                _ => note(
                    &mut notices,
                    key,
                    value,
                    state.theme.code(),
                    NoticeReason::Invalid,
                ),
            },
            "embed" => match v {
                "1" | "true" => state.embed = true,
                "0" | "false" => state.embed = false,
                _ => note(
                    &mut notices,
                    key,
                    value,
                    if state.embed { "1" } else { "0" },
                    NoticeReason::Invalid,
                ),
            },
            "input" => match v {
                "grid" => state.input = InputMode::Grid,
                "image" => state.input = InputMode::Image,
                _ => note(
                    &mut notices,
                    key,
                    value,
                    state.input.code(),
                    NoticeReason::Invalid,
                ),
            },
            _ => note(&mut notices, key, value, "—", NoticeReason::UnknownKey),
        }
    }
    // One line per key: a value already refused above (not a number, ...) keeps its line and
    // its reason, with the value finally used.
    let (spec, corrections) = state.spec.corrected(&state.input.limits());
    for c in corrections {
        if let Some(n) = notices.iter_mut().find(|n| n.param == c.param) {
            n.to = c.to;
            continue;
        }
        let from = raw
            .iter()
            .find(|(p, _)| *p == c.param)
            .map(|(_, v)| v.clone())
            .unwrap_or(c.from);
        notices.push(Notice::new(
            c.param,
            &from,
            &c.to,
            NoticeReason::Corrected(c.reason),
        ));
    }
    state.spec = spec;
    state.tour = None;
    state.notices = notices;
    state
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
        assert_eq!(s.spec.padding, PaddingMode::Explicit(1));
        assert!(s.notices.is_empty());
        let s = parse("?layer=standard&padding=same&kernel_size=5");
        assert_eq!(s.spec.padding, PaddingMode::Same);
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
        let s = s.reduce(crate::state::Action::ApplyPairs(vec![
            ("parent_origin".into(), "https://evil.example".into()),
            ("layer".into(), "grouped".into()),
            ("groups".into(), "3".into()),
        ]));
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
}
