//! Why a value from outside was corrected or refused, and the notice line a reader sees for it.
//!
//! Reasons are stored typed in the state ([`NoticeReason`]) and worded only when shown, in the
//! page's language at that moment: switching the language re-words the notices on screen.

use conv_core::{CorrectionReason, Param};

use crate::i18n::{group_digits, tr, trf, Lang};
use crate::types::Notice;
pub use crate::types::{FileRefusal, NoticeReason};

/// The pieces of one notice line, worded in one language. The component shows them in this
/// order, `key`, `from` and `to` as code; [`NoticeLine::text`] is the same line as plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeLine {
    /// Before the key: the name of the parameter's control with an opening bracket
    /// (`Kernel size (`), or nothing for a key without a control.
    pub before_key: String,
    /// The key as given (`kernel_size`).
    pub key: String,
    /// After the key: the closing bracket, if any, and the colon.
    pub after_key: &'static str,
    /// The value given.
    pub from: String,
    /// The value used (`—` when none).
    pub to: String,
    /// The reason in brackets, with its leading space in English.
    pub reason: String,
}

impl NoticeLine {
    /// The line as the reader sees it.
    pub fn text(&self) -> String {
        format!(
            "{}{}{}{} → {}{}",
            self.before_key, self.key, self.after_key, self.from, self.to, self.reason
        )
    }
}

/// The line of `notice` in `lang`.
pub fn notice_line(lang: Lang, notice: &Notice) -> NoticeLine {
    let (before_key, after_key) = match (key_name(lang, &notice.param), lang) {
        (Some(name), Lang::En) => (format!("{name} ("), "): "),
        (Some(name), Lang::Zh) => (format!("{name}（"), "）："),
        (None, Lang::En) => (String::new(), ": "),
        (None, Lang::Zh) => (String::new(), "："),
    };
    let reason = reason_text(lang, &notice.reason);
    NoticeLine {
        before_key,
        key: notice.param.clone(),
        after_key,
        from: notice.from.clone(),
        to: notice.to.clone(),
        reason: match lang {
            Lang::En => format!(" ({reason})"),
            Lang::Zh => format!("（{reason}）"),
        },
    }
}

/// The line of `notice` in `lang`, as plain text.
pub fn notice_text(lang: Lang, notice: &Notice) -> String {
    notice_line(lang, notice).text()
}

/// The name of the control or option behind a URL key, if it has one.
fn key_name(lang: Lang, key: &str) -> Option<&'static str> {
    if let Some(param) = Param::from_name(key) {
        return Some(param_name(lang, param));
    }
    let name_key = match key {
        "layer" => "layer",
        "lang" => "language",
        "theme" => "theme",
        "input" => "input.mode",
        "embed" => "embed",
        "file" => "notice.file",
        _ => return None,
    };
    Some(tr(lang, name_key))
}

/// The name on a parameter's control (`Kernel size`, `卷积核大小`).
fn param_name(lang: Lang, param: Param) -> &'static str {
    let key = format!("param.{}", param.name());
    tr(lang, &key)
}

/// A parameter named inside a sentence: `input channels`, `输入通道数`.
fn param_in_sentence(lang: Lang, param: Param) -> String {
    let name = param_name(lang, param);
    match lang {
        Lang::En => {
            // The English names are ASCII: an ASCII lower case links no Unicode case tables
            // into the page.
            let mut out = name.to_string();
            if let Some(first) = out.get_mut(..1) {
                first.make_ascii_lowercase();
            }
            out
        }
        Lang::Zh => name.to_string(),
    }
}

/// The i18n key of a reason and its placeholders.
fn reason_key(lang: Lang, reason: &NoticeReason) -> (&'static str, Vec<(&'static str, String)>) {
    let n = |v: usize| v.to_string();
    match *reason {
        NoticeReason::NotANumber => ("notice.not-a-number", vec![]),
        NoticeReason::Invalid => ("notice.invalid", vec![]),
        NoticeReason::UnknownKey => ("notice.unknown", vec![]),
        NoticeReason::File(refusal) => match refusal {
            FileRefusal::TooLarge { max_mb } => {
                ("notice.file-too-large", vec![("mb", max_mb.to_string())])
            }
            FileRefusal::Empty => ("notice.file-empty", vec![]),
            FileRefusal::NotAnImage => ("notice.file-not-image", vec![]),
            FileRefusal::Unreadable => ("notice.file-unreadable", vec![]),
        },
        NoticeReason::Corrected(c) => match c {
            CorrectionReason::OutOfRange { min, max } => (
                "notice.out-of-range",
                vec![("min", n(min)), ("max", n(max))],
            ),
            CorrectionReason::NotMultipleOf { param, of } => (
                "notice.multiple-of",
                vec![("param", param_in_sentence(lang, param)), ("of", n(of))],
            ),
            CorrectionReason::GroupsMustDivide {
                in_channels,
                out_channels,
            } => (
                "notice.groups-divide",
                vec![("in", n(in_channels)), ("out", n(out_channels))],
            ),
            CorrectionReason::TransposedPaddingInteger => ("notice.transposed-padding", vec![]),
            CorrectionReason::KernelLargerThanInput { padded } => {
                ("notice.kernel-fits", vec![("padded", n(padded))])
            }
            CorrectionReason::EmptyOutput => ("notice.empty-output", vec![]),
            CorrectionReason::OutputPaddingTooLarge { stride, dilation } => (
                "notice.output-padding",
                vec![("stride", n(stride)), ("dilation", n(dilation))],
            ),
            CorrectionReason::TooManyValues { limit } => (
                "notice.too-many-values",
                vec![("limit", group_digits(limit))],
            ),
            CorrectionReason::TooManyMacs { limit } => {
                ("notice.too-many-macs", vec![("limit", group_digits(limit))])
            }
            CorrectionReason::ResetToPreset => ("notice.reset", vec![]),
            CorrectionReason::AlignCornersNeedsBilinear => ("notice.align-corners", vec![]),
            CorrectionReason::PaddingTooLargeForMode { mode, max } => (
                "notice.padding-mode",
                vec![
                    (
                        "mode",
                        tr(lang, &format!("padmode.{}", mode.name())).to_string(),
                    ),
                    ("max", n(max)),
                ],
            ),
            // A reason added to conv-core later: still a correction, worded generally.
            _ => ("notice.invalid", vec![]),
        },
    }
}

/// A reason in `lang`.
pub fn reason_text(lang: Lang, reason: &NoticeReason) -> String {
    let (key, args) = reason_key(lang, reason);
    trf(lang, key, &args)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::strings;
    use crate::state::{Action, AppState};
    use crate::url::parse_query;

    const ISSUE: &str =
        "?layer=grouped&in_channels=6&out_channels=8&groups=4&kernel_size=99&lang=zh";

    fn every_reason() -> Vec<NoticeReason> {
        let mut all = vec![
            NoticeReason::NotANumber,
            NoticeReason::Invalid,
            NoticeReason::UnknownKey,
        ];
        all.extend(
            [
                FileRefusal::TooLarge { max_mb: 25 },
                FileRefusal::Empty,
                FileRefusal::NotAnImage,
                FileRefusal::Unreadable,
            ]
            .map(NoticeReason::File),
        );
        all.extend(
            [
                CorrectionReason::OutOfRange { min: 1, max: 11 },
                CorrectionReason::NotMultipleOf {
                    param: Param::InChannels,
                    of: 3,
                },
                CorrectionReason::GroupsMustDivide {
                    in_channels: 6,
                    out_channels: 8,
                },
                CorrectionReason::TransposedPaddingInteger,
                CorrectionReason::KernelLargerThanInput { padded: 6 },
                CorrectionReason::EmptyOutput,
                CorrectionReason::OutputPaddingTooLarge {
                    stride: 2,
                    dilation: 1,
                },
                CorrectionReason::TooManyValues { limit: 1 << 24 },
                CorrectionReason::TooManyMacs { limit: 1 << 32 },
                CorrectionReason::ResetToPreset,
                CorrectionReason::AlignCornersNeedsBilinear,
                CorrectionReason::PaddingTooLargeForMode {
                    mode: conv_core::PaddingMode::Reflect,
                    max: 2,
                },
            ]
            .map(NoticeReason::Corrected),
        );
        all
    }

    #[test]
    fn the_issue_example_reads_in_chinese_one_line_per_parameter() {
        let state = parse_query(ISSUE, &AppState::default());
        assert_eq!(state.lang, Lang::Zh);
        let lines: Vec<String> = state
            .notices
            .iter()
            .map(|n| notice_text(state.lang, n))
            .collect();
        assert_eq!(
            lines,
            [
                "卷积核大小（kernel_size）：99 → 6（卷积核覆盖范围不能超过填充后的输入尺寸 (6)）",
                "分组数（groups）：4 → 2（必须同时整除输入通道数 (6) 和输出通道数 (8)）",
            ]
        );
        for n in &state.notices {
            let reason = reason_text(Lang::Zh, &n.reason);
            assert!(
                !reason.chars().any(|c| c.is_ascii_alphabetic()),
                "English in {reason:?}"
            );
        }
    }

    #[test]
    fn switching_the_language_rewords_the_notices_on_screen() {
        let zh = parse_query(ISSUE, &AppState::default());
        let en = zh.reduce(Action::SetLang(Lang::En));
        assert_eq!(en.notices, zh.notices, "the same notices stay");
        let lines: Vec<String> = en.notices.iter().map(|n| notice_text(en.lang, n)).collect();
        assert_eq!(
            lines,
            [
                "Kernel size (kernel_size): 99 → 6 (the kernel extent cannot exceed the padded input size (6))",
                "Groups (groups): 4 → 2 (must divide both input channels (6) and output channels (8))",
            ]
        );
        let back = en.reduce(Action::SetLang(Lang::Zh));
        assert_eq!(
            notice_text(back.lang, &back.notices[1]),
            "分组数（groups）：4 → 2（必须同时整除输入通道数 (6) 和输出通道数 (8)）"
        );
    }

    #[test]
    fn every_reason_is_worded_in_both_languages() {
        for reason in every_reason() {
            let (key, args) = reason_key(Lang::En, &reason);
            assert!(strings().iter().any(|(k, _, _)| *k == key), "missing {key}");
            for lang in [Lang::En, Lang::Zh] {
                let text = reason_text(lang, &reason);
                assert!(!text.contains('{'), "{key} in {lang:?}: {text}");
                for (_, value) in &args {
                    if lang == Lang::En {
                        assert!(text.contains(value.as_str()), "{key}: {text}");
                    }
                }
                if lang == Lang::Zh {
                    let english: Vec<&str> = text
                        .split(|c: char| !c.is_ascii_alphabetic())
                        .filter(|w| w.len() > 1 && *w != "MB")
                        .collect();
                    assert!(english.is_empty(), "{key}: {text}");
                }
            }
        }
    }

    #[test]
    fn page_options_and_files_are_named() {
        for lang in [Lang::En, Lang::Zh] {
            for key in [
                "layer",
                "lang",
                "theme",
                "input",
                "embed",
                "file",
                "kernel_size",
            ] {
                let name = key_name(lang, key);
                assert!(name.is_some_and(|n| n != "?"), "{key}: {name:?}");
            }
            assert_eq!(key_name(lang, "parent_origin"), None);
        }
    }

    #[test]
    fn keys_without_a_control_show_the_key_alone() {
        let state = parse_query("evil=1&lang=zh&kernel_size=abc", &AppState::default());
        let lines: Vec<String> = state
            .notices
            .iter()
            .map(|n| notice_text(Lang::Zh, n))
            .collect();
        assert_eq!(
            lines,
            [
                "evil：1 → —（未知参数，已忽略）",
                "卷积核大小（kernel_size）：abc → 3（不是数字）",
            ]
        );
        let file = AppState::default().reduce(Action::RejectFile {
            name: "noise.png".into(),
            reason: FileRefusal::NotAnImage,
        });
        assert_eq!(
            notice_text(Lang::En, &file.notices[0]),
            "File (file): noise.png → — (not an image this browser can decode)"
        );
        assert_eq!(
            notice_text(Lang::Zh, &file.notices[0]),
            "文件（file）：noise.png → —（不是此浏览器能解码的图片）"
        );
    }
}
