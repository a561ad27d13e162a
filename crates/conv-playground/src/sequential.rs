//! A stack as PyTorch code and back: [`to_code`] writes `nn.Sequential(...)` of the modules a
//! stack holds (the single-layer snippets' modules, `snippets::torch_modules`), and [`parse`]
//! reads such code as people paste it: `Conv2d`, `ConvTranspose2d`, `Upsample` (with the
//! convolution after it), `PixelShuffle` (with the convolution before it), `MaxPool2d`,
//! `AvgPool2d`, `AdaptiveAvgPool2d(1)`, `Flatten`, `Linear`, `ReLU` and `BatchNorm2d`, with
//! positional and keyword arguments as PyTorch takes them. Anything else is an error naming the
//! line and the token; nothing is built from a text with an error. Pure: tested natively.

use conv_core::stack::{Block, Stack, Tensor};
use conv_core::{Budget, LayerKind, LayerSpec, PaddingMode, PaddingSpec, UpsampleMode};

use crate::i18n::{fill, tr_figure, Lang};

/// Why a text is not a stack, at `line` (1-based) and `token` (as written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub token: String,
    pub reason: Reason,
}

/// What is wrong, typed so that the page can word it in either language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Not `nn.Sequential(...)` of modules.
    Expected(&'static str),
    /// A module the stack view does not have.
    UnknownModule,
    /// An argument the module does not take, or given twice.
    UnknownArgument,
    /// A value of the wrong kind, or one the stack view does not support.
    BadValue(&'static str),
    /// The channels or features a module declares differ from what reaches it.
    Mismatch { declared: usize, actual: usize },
    /// The layer does not fit what reaches it (conv-core's message).
    Layer(String),
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}, `{}`: ", self.line, self.token)?;
        match &self.reason {
            Reason::Expected(what) => write!(f, "expected {what}"),
            Reason::UnknownModule => f.write_str("not a module of the stack view"),
            Reason::UnknownArgument => f.write_str("not an argument of this module"),
            Reason::BadValue(what) => write!(f, "{what}"),
            Reason::Mismatch { declared, actual } => {
                write!(f, "declares {declared}, the layer before gives {actual}")
            }
            Reason::Layer(e) => f.write_str(e),
        }
    }
}

impl ParseError {
    /// The error as the page shows it in `lang` (the names of what was expected stay code).
    pub fn text(&self, lang: Lang) -> String {
        let at = fill(
            tr_figure(lang, "paste.at"),
            &[
                ("line", self.line.to_string()),
                ("token", self.token.clone()),
            ],
        );
        let why = match &self.reason {
            Reason::Expected(what) => fill(
                tr_figure(lang, "paste.expected"),
                &[("what", what.to_string())],
            ),
            Reason::UnknownModule => tr_figure(lang, "paste.unknown-module").into(),
            Reason::UnknownArgument => tr_figure(lang, "paste.unknown-argument").into(),
            Reason::BadValue(what) => what.to_string(),
            Reason::Mismatch { declared, actual } => fill(
                tr_figure(lang, "paste.mismatch"),
                &[
                    ("declared", declared.to_string()),
                    ("actual", actual.to_string()),
                ],
            ),
            Reason::Layer(e) => e.clone(),
        };
        at + &why
    }
}

/// The stack as `nn.Sequential` code (comments left out), or `None` if it does not flow.
pub fn to_code(stack: &Stack, budget: &Budget) -> Option<String> {
    let flow = stack.flow(budget).ok()?;
    let mut lines = Vec::new();
    for (block, (spec, input, _)) in stack.blocks.iter().zip(flow) {
        match (block, spec) {
            (Block::Layer(_), Some(s)) => {
                for m in crate::snippets::torch_modules(&s.effective()) {
                    let code = m.split("  #").next().unwrap_or_default();
                    lines.push(code.to_string());
                }
            }
            (Block::MaxPool { .. } | Block::AvgPool { .. }, _) => lines.push(pool(block)),
            (Block::GlobalAvgPool, _) => lines.push("nn.AdaptiveAvgPool2d(1)".into()),
            (Block::Flatten, _) => lines.push("nn.Flatten()".into()),
            (Block::Linear { out_features, bias }, _) => {
                let b = if *bias { "" } else { ", bias=False" };
                lines.push(format!("nn.Linear({}, {out_features}{b})", input.len()));
            }
            (Block::Relu, _) => lines.push("nn.ReLU()".into()),
            (Block::BatchNorm, _) => {
                let c = match input {
                    Tensor::Map([c, ..]) => c,
                    Tensor::Vector(n) => n,
                };
                lines.push(format!("nn.BatchNorm2d({c})"));
            }
            (Block::Layer(_), None) => return None,
        }
    }
    let body: Vec<String> = lines.iter().map(|l| format!("    {l},")).collect();
    Some(format!(
        "from torch import nn\n\nmodel = nn.Sequential(\n{}\n)\n",
        body.join("\n")
    ))
}

/// A pooling layer as its module.
fn pool(block: &Block) -> String {
    let Some((max, kernel, stride, padding)) = block.as_pool() else {
        return String::new();
    };
    let class = if max { "MaxPool2d" } else { "AvgPool2d" };
    let mut a = kernel.to_string();
    if stride != kernel {
        a += &format!(", stride={stride}");
    }
    if padding != 0 {
        a += &format!(", padding={padding}");
    }
    format!("nn.{class}({a})")
}

/// A token of the text, with its line.
#[derive(Debug, Clone, PartialEq)]
struct Token {
    line: usize,
    kind: Kind,
    text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Name,
    Number,
    Str,
    Punct,
}

/// The tokens of `text`: names (dotted), numbers, strings and `( ) [ ] , =`; comments, and the
/// lines that import, are skipped.
fn tokens(text: &str) -> Result<Vec<Token>, ParseError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let code = raw.split('#').next().unwrap_or_default();
        let trimmed = code.trim_start();
        if trimmed.starts_with("import ") || trimmed.starts_with("from ") {
            continue;
        }
        let chars: Vec<char> = code.chars().collect();
        let mut at = 0;
        while at < chars.len() {
            let c = chars[at];
            let start = at;
            let kind = if c.is_whitespace() {
                at += 1;
                continue;
            } else if c.is_ascii_alphabetic() || c == '_' {
                while at < chars.len()
                    && (chars[at].is_ascii_alphanumeric() || "_.".contains(chars[at]))
                {
                    at += 1;
                }
                Kind::Name
            } else if c.is_ascii_digit()
                || (c == '-' && chars.get(at + 1).is_some_and(|d| d.is_ascii_digit()))
            {
                at += 1;
                while at < chars.len()
                    && (chars[at].is_ascii_alphanumeric() || ".-+".contains(chars[at]))
                {
                    at += 1;
                }
                Kind::Number
            } else if c == '"' || c == '\'' {
                at += 1;
                while at < chars.len() && chars[at] != c {
                    at += 1;
                }
                if at == chars.len() {
                    return Err(ParseError {
                        line,
                        token: chars[start..].iter().collect(),
                        reason: Reason::Expected("a closing quote"),
                    });
                }
                at += 1;
                Kind::Str
            } else if "()[],=".contains(c) {
                at += 1;
                Kind::Punct
            } else {
                return Err(ParseError {
                    line,
                    token: c.to_string(),
                    reason: Reason::Expected("Python code of nn modules"),
                });
            };
            out.push(Token {
                line,
                kind,
                text: chars[start..at].iter().collect(),
            });
        }
    }
    Ok(out)
}

/// A value of an argument.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Int(i64),
    Float,
    Str(String),
    Bool(bool),
    None,
    Tuple(Vec<Value>),
}

/// One module call: its class name (without `nn.` / `torch.nn.`), where it is, its arguments.
#[derive(Debug, Clone)]
struct Call {
    name: Token,
    positional: Vec<(Token, Value)>,
    keywords: Vec<(Token, Value)>,
}

/// A reader of tokens.
struct Reader {
    tokens: Vec<Token>,
    at: usize,
}

impl Reader {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn error(&self, reason: Reason) -> ParseError {
        match self.tokens.get(self.at).or(self.tokens.last()) {
            Some(t) => ParseError {
                line: t.line,
                token: t.text.clone(),
                reason,
            },
            None => ParseError {
                line: 1,
                token: String::new(),
                reason,
            },
        }
    }

    fn next(&mut self, what: &'static str) -> Result<Token, ParseError> {
        let t = self
            .peek()
            .cloned()
            .ok_or_else(|| self.error(Reason::Expected(what)))?;
        self.at += 1;
        Ok(t)
    }

    fn punct(&mut self, p: &'static str) -> Result<(), ParseError> {
        match self.peek() {
            Some(t) if t.kind == Kind::Punct && t.text == p => {
                self.at += 1;
                Ok(())
            }
            _ => Err(self.error(Reason::Expected(p))),
        }
    }

    fn is_punct(&self, p: &str) -> bool {
        self.peek()
            .is_some_and(|t| t.kind == Kind::Punct && t.text == p)
    }

    /// `name(args)`.
    fn call(&mut self) -> Result<Call, ParseError> {
        let name = self.next("a module")?;
        if name.kind != Kind::Name {
            self.at -= 1;
            return Err(self.error(Reason::Expected("a module such as nn.Conv2d(…)")));
        }
        self.punct("(")?;
        let mut call = Call {
            name,
            positional: Vec::new(),
            keywords: Vec::new(),
        };
        while !self.is_punct(")") {
            let keyword = match (self.tokens.get(self.at), self.tokens.get(self.at + 1)) {
                (Some(k), Some(eq)) if k.kind == Kind::Name && eq.text == "=" => {
                    self.at += 2;
                    Some(k.clone())
                }
                _ => None,
            };
            let start = self.peek().cloned();
            let value = self.value()?;
            match keyword {
                Some(k) => call.keywords.push((k, value)),
                None if !call.keywords.is_empty() => {
                    return Err(ParseError {
                        reason: Reason::Expected("keyword arguments after the first keyword"),
                        ..self.error(Reason::Expected(""))
                    })
                }
                None => call
                    .positional
                    .push((start.unwrap_or_else(|| call.name.clone()), value)),
            }
            if !self.is_punct(")") {
                self.punct(",")?;
            }
        }
        self.punct(")")?;
        Ok(call)
    }

    fn value(&mut self) -> Result<Value, ParseError> {
        let t = self.next("a value")?;
        Ok(match t.kind {
            Kind::Number => match t.text.parse::<i64>() {
                Ok(n) => Value::Int(n),
                Err(_) if t.text.parse::<f64>().is_ok() => Value::Float,
                Err(_) => {
                    self.at -= 1;
                    return Err(self.error(Reason::BadValue("not a number")));
                }
            },
            Kind::Str => Value::Str(t.text[1..t.text.len() - 1].to_string()),
            Kind::Name if t.text == "True" || t.text == "False" => Value::Bool(t.text == "True"),
            Kind::Name if t.text == "None" => Value::None,
            Kind::Punct if t.text == "(" || t.text == "[" => {
                let close = if t.text == "(" { ")" } else { "]" };
                let mut items = Vec::new();
                while !self.is_punct(close) {
                    items.push(self.value()?);
                    if !self.is_punct(close) {
                        self.punct(",")?;
                    }
                }
                self.punct(close)?;
                Value::Tuple(items)
            }
            _ => {
                self.at -= 1;
                return Err(self.error(Reason::Expected("a number, a string, True, False or None")));
            }
        })
    }
}

/// A module's arguments by name, from its signature (`names` in PyTorch's order).
struct Args<'a> {
    call: &'a Call,
    values: Vec<(&'static str, Token, Value)>,
}

impl<'a> Args<'a> {
    fn bind(call: &'a Call, names: &[&'static str]) -> Result<Args<'a>, ParseError> {
        let err = |t: &Token, reason| ParseError {
            line: t.line,
            token: t.text.clone(),
            reason,
        };
        if call.positional.len() > names.len() {
            let (t, _) = &call.positional[names.len()];
            return Err(err(t, Reason::UnknownArgument));
        }
        let mut values: Vec<(&'static str, Token, Value)> = call
            .positional
            .iter()
            .zip(names)
            .map(|((t, v), n)| (*n, t.clone(), v.clone()))
            .collect();
        for (k, v) in &call.keywords {
            let Some(name) = names.iter().find(|n| **n == k.text) else {
                return Err(err(k, Reason::UnknownArgument));
            };
            if values.iter().any(|(n, ..)| n == name) {
                return Err(err(k, Reason::UnknownArgument));
            }
            values.push((name, k.clone(), v.clone()));
        }
        Ok(Args { call, values })
    }

    fn get(&self, name: &str) -> Option<&(&'static str, Token, Value)> {
        self.values.iter().find(|(n, ..)| *n == name)
    }

    fn bad(&self, name: &str, what: &'static str) -> ParseError {
        let t = self.get(name).map_or(&self.call.name, |(_, t, _)| t);
        ParseError {
            line: t.line,
            token: t.text.clone(),
            reason: Reason::BadValue(what),
        }
    }

    /// A whole number ≥ 0 (an equal pair counts as one); `default` if not given.
    fn count(&self, name: &str, default: Option<usize>) -> Result<usize, ParseError> {
        let one = |v: &Value| match v {
            Value::Int(n) if *n >= 0 => Some(*n as usize),
            _ => None,
        };
        match self.get(name).map(|(_, _, v)| v) {
            None | Some(Value::None) => default.ok_or_else(|| self.bad(name, "a value is needed")),
            Some(Value::Tuple(items)) => match items.as_slice() {
                [a, b] if one(a).is_some() && one(a) == one(b) => Ok(one(a).unwrap_or(0)),
                _ => Err(self.bad(name, "only square kernels, strides and paddings")),
            },
            Some(v) => one(v).ok_or_else(|| self.bad(name, "a whole number")),
        }
    }

    fn flag(&self, name: &str, default: bool) -> Result<bool, ParseError> {
        match self.get(name).map(|(_, _, v)| v) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(self.bad(name, "True or False")),
        }
    }

    fn text(&self, name: &str, default: &str) -> Result<String, ParseError> {
        match self.get(name).map(|(_, _, v)| v) {
            None | Some(Value::None) => Ok(default.to_string()),
            Some(Value::Str(s)) => Ok(s.clone()),
            Some(_) => Err(self.bad(name, "a string")),
        }
    }
}

const CONV2D: [&str; 11] = [
    "in_channels",
    "out_channels",
    "kernel_size",
    "stride",
    "padding",
    "dilation",
    "groups",
    "bias",
    "padding_mode",
    "device",
    "dtype",
];
const CONV_TRANSPOSE2D: [&str; 11] = [
    "in_channels",
    "out_channels",
    "kernel_size",
    "stride",
    "padding",
    "output_padding",
    "groups",
    "bias",
    "dilation",
    "padding_mode",
    "device",
];

/// The class of a call, without `torch.` / `nn.`.
fn class(call: &Call) -> &str {
    let t = call.name.text.as_str();
    t.strip_prefix("torch.")
        .unwrap_or(t)
        .strip_prefix("nn.")
        .unwrap_or(t)
}

/// A layer read from the text, with the channels or features it declares and where.
struct Read {
    block: Block,
    declared: Option<usize>,
    at: Token,
}

/// A `Conv2d` as a playground layer (its kind from its groups, dilation and kernel).
fn conv2d(a: &Args) -> Result<(LayerSpec, usize), ParseError> {
    let (ci, co) = (
        a.count("in_channels", None)?,
        a.count("out_channels", None)?,
    );
    let k = a.count("kernel_size", None)?;
    let (s, d, g) = (
        a.count("stride", Some(1))?,
        a.count("dilation", Some(1))?,
        a.count("groups", Some(1))?,
    );
    let padding = match a.get("padding").map(|(_, _, v)| v) {
        Some(Value::Str(m)) if m == "same" => PaddingSpec::Same,
        Some(Value::Str(m)) if m == "valid" => PaddingSpec::Valid,
        Some(Value::Str(_)) => return Err(a.bad("padding", "a number, 'same' or 'valid'")),
        _ => PaddingSpec::Explicit(a.count("padding", Some(0))?),
    };
    let padding_mode = PaddingMode::from_name(&a.text("padding_mode", "zeros")?)
        .ok_or_else(|| a.bad("padding_mode", "zeros, reflect, replicate or circular"))?;
    if g == 0 || ci % g != 0 || co % g != 0 {
        return Err(a.bad("groups", "groups must divide both channel counts"));
    }
    let kind = match (g, d) {
        (1, 1) if k == 1 && s == 1 && padding == PaddingSpec::Explicit(0) => LayerKind::Pointwise,
        (1, 1) => LayerKind::Standard,
        (1, _) => LayerKind::Dilated,
        (g, 1) if g == ci && co % ci == 0 => LayerKind::Depthwise,
        (_, 1) => LayerKind::Grouped,
        _ => return Err(a.bad("dilation", "grouped convolutions without dilation only")),
    };
    let spec = LayerSpec {
        layer: kind,
        in_channels: ci,
        out_channels: co,
        kernel_size: k,
        stride: s,
        padding,
        dilation: d,
        groups: g,
        bias: a.flag("bias", true)?,
        padding_mode,
        ..LayerSpec::preset(kind)
    };
    Ok((spec, ci))
}

/// The modules of `nn.Sequential(...)` as layers.
fn layers(calls: &[Call]) -> Result<Vec<Read>, ParseError> {
    let mut out: Vec<Read> = Vec::new();
    let mut i = 0;
    while i < calls.len() {
        let call = &calls[i];
        let at = call.name.clone();
        let named = |names: &[&'static str]| Args::bind(call, names);
        let (block, declared) = match class(call) {
            "Conv2d" => {
                let (spec, ci) = conv2d(&named(&CONV2D)?)?;
                (Block::Layer(spec), Some(ci))
            }
            "ConvTranspose2d" => conv_transpose2d(&named(&CONV_TRANSPOSE2D)?)?,
            "Upsample" => {
                // With the convolution after it: the playground's upsampling layer.
                i += 1;
                upsample(call, calls.get(i))?
            }
            "PixelShuffle" => pixel_shuffle(call, &mut out)?,
            "MaxPool2d" | "AvgPool2d" => (pooling(call)?, None),
            "AdaptiveAvgPool2d" => {
                let a = named(&["output_size"])?;
                if a.count("output_size", None)? != 1 {
                    return Err(a.bad("output_size", "AdaptiveAvgPool2d(1) only"));
                }
                (Block::GlobalAvgPool, None)
            }
            "Flatten" => {
                named(&["start_dim", "end_dim"])?;
                (Block::Flatten, None)
            }
            "Linear" => {
                let a = named(&["in_features", "out_features", "bias", "device", "dtype"])?;
                let block = Block::Linear {
                    out_features: a.count("out_features", None)?,
                    bias: a.flag("bias", true)?,
                };
                (block, Some(a.count("in_features", None)?))
            }
            "ReLU" => {
                named(&["inplace"])?;
                (Block::Relu, None)
            }
            "BatchNorm2d" => {
                let a = named(&[
                    "num_features",
                    "eps",
                    "momentum",
                    "affine",
                    "track_running_stats",
                    "device",
                    "dtype",
                ])?;
                (Block::BatchNorm, Some(a.count("num_features", None)?))
            }
            _ => {
                return Err(ParseError {
                    line: at.line,
                    token: at.text.clone(),
                    reason: Reason::UnknownModule,
                })
            }
        };
        out.push(Read {
            block,
            declared,
            at,
        });
        merge_separable(&mut out);
        i += 1;
    }
    Ok(out)
}

/// A layer read from one call, and the channels or features it declares.
type Module = (Block, Option<usize>);

/// `ConvTranspose2d` (groups 1).
fn conv_transpose2d(a: &Args) -> Result<Module, ParseError> {
    if a.count("groups", Some(1))? != 1 {
        return Err(a.bad("groups", "transposed convolutions with groups = 1 only"));
    }
    let ci = a.count("in_channels", None)?;
    let spec = LayerSpec {
        in_channels: ci,
        out_channels: a.count("out_channels", None)?,
        kernel_size: a.count("kernel_size", None)?,
        stride: a.count("stride", Some(1))?,
        padding: PaddingSpec::Explicit(a.count("padding", Some(0))?),
        output_padding: a.count("output_padding", Some(0))?,
        dilation: a.count("dilation", Some(1))?,
        bias: a.flag("bias", true)?,
        ..LayerSpec::preset(LayerKind::Transposed)
    };
    Ok((Block::Layer(spec), Some(ci)))
}

/// `Upsample` and the `Conv2d` after it (`next`), as one layer.
fn upsample(call: &Call, next: Option<&Call>) -> Result<Module, ParseError> {
    let at = &call.name;
    let a = Args::bind(
        call,
        &[
            "size",
            "scale_factor",
            "mode",
            "align_corners",
            "recompute_scale_factor",
        ],
    )?;
    let f = a.count("scale_factor", None)?;
    let mode = UpsampleMode::from_name(&a.text("mode", "nearest")?)
        .ok_or_else(|| a.bad("mode", "nearest or bilinear"))?;
    let align = match a.get("align_corners").map(|(_, _, v)| v) {
        None | Some(Value::None) => false,
        _ => a.flag("align_corners", false)?,
    };
    let next = next.filter(|c| class(c) == "Conv2d").ok_or(ParseError {
        line: at.line,
        token: at.text.clone(),
        reason: Reason::Expected("an nn.Conv2d right after nn.Upsample"),
    })?;
    let (conv, ci) = conv2d(&Args::bind(next, &CONV2D)?)?;
    if conv.stride != 1 || conv.groups != 1 || conv.dilation != 1 {
        return Err(ParseError {
            line: next.name.line,
            token: next.name.text.clone(),
            reason: Reason::BadValue("after nn.Upsample: stride 1, groups 1, dilation 1"),
        });
    }
    let spec = LayerSpec {
        layer: LayerKind::Upsample,
        scale_factor: f,
        upsample_mode: mode,
        align_corners: align,
        ..conv
    };
    Ok((Block::Layer(spec), Some(ci)))
}

/// `PixelShuffle` with the `Conv2d` before it (the last layer read), as one layer.
fn pixel_shuffle(call: &Call, out: &mut Vec<Read>) -> Result<Module, ParseError> {
    let at = &call.name;
    let named = |names: &[&'static str]| Args::bind(call, names);
    let r = named(&["upscale_factor"])?.count("upscale_factor", None)?;
    // With the convolution before it: the playground's sub-pixel layer.
    let before = out.pop().and_then(|read| match read.block {
        Block::Layer(s)
            if matches!(s.layer, LayerKind::Standard | LayerKind::Pointwise)
                && s.stride == 1
                && r > 0
                && s.out_channels % (r * r) == 0 =>
        {
            Some((s, read.declared))
        }
        _ => None,
    });
    let Some((conv, declared)) = before else {
        return Err(ParseError {
            line: at.line,
            token: at.text.clone(),
            reason: Reason::Expected(
                "an nn.Conv2d to C·r² channels at stride 1 right before nn.PixelShuffle",
            ),
        });
    };
    let spec = LayerSpec {
        layer: LayerKind::Subpixel,
        out_channels: conv.out_channels / (r * r),
        upscale_factor: r,
        ..conv
    };
    Ok((Block::Layer(spec), declared))
}

/// `MaxPool2d` or `AvgPool2d`.
fn pooling(call: &Call) -> Result<Block, ParseError> {
    let named = |names: &[&'static str]| Args::bind(call, names);
    let max = class(call) == "MaxPool2d";
    let names: &[&'static str] = if max {
        &[
            "kernel_size",
            "stride",
            "padding",
            "dilation",
            "return_indices",
            "ceil_mode",
        ]
    } else {
        &[
            "kernel_size",
            "stride",
            "padding",
            "ceil_mode",
            "count_include_pad",
            "divisor_override",
        ]
    };
    let a = named(names)?;
    let kernel = a.count("kernel_size", None)?;
    let stride = a.count("stride", Some(kernel))?;
    let padding = a.count("padding", Some(0))?;
    if a.flag("ceil_mode", false)? || (max && a.count("dilation", Some(1))? != 1) {
        return Err(a.bad("ceil_mode", "pooling without ceil_mode or dilation"));
    }
    Ok(Block::pool(max, kernel, stride, padding))
}

/// A depthwise convolution right before a 1×1 one with the same bias setting is the
/// playground's depthwise separable layer: the last two reads become one.
fn merge_separable(out: &mut Vec<Read>) {
    let [.., a, b] = out.as_slice() else {
        return;
    };
    let (Block::Layer(dw), Block::Layer(pw)) = (&a.block, &b.block) else {
        return;
    };
    let fits = dw.layer == LayerKind::Depthwise
        && pw.layer == LayerKind::Pointwise
        && pw.in_channels == dw.out_channels
        && pw.bias == dw.bias;
    if !fits {
        return;
    }
    let spec = LayerSpec {
        layer: LayerKind::Separable,
        out_channels: pw.out_channels,
        depth_multiplier: dw.out_channels / dw.in_channels.max(1),
        groups: 1,
        ..dw.clone()
    };
    let declared = a.declared;
    let at = a.at.clone();
    out.truncate(out.len() - 2);
    out.push(Read {
        block: Block::Layer(spec),
        declared,
        at,
    });
}

/// The stack that `text` (an `nn.Sequential(...)`, perhaps assigned and after its imports)
/// describes, on an input of `hw` pixels with the channels its first layer declares.
///
/// **Errors** with the line and token of the first thing that is not a stack: a syntax error,
/// a module or argument the stack view does not have, a declared channel or feature count that
/// differs from what reaches it, or a layer that does not fit its input (conv-core's message).
pub fn parse(text: &str, hw: [usize; 2], budget: &Budget) -> Result<Stack, ParseError> {
    let mut r = Reader {
        tokens: tokens(text)?,
        at: 0,
    };
    // `model = nn.Sequential(...)`: the assignment is optional.
    if r.tokens.len() > 1 && r.tokens[1].text == "=" {
        r.at = 2;
    }
    let outer = r.peek().cloned();
    if !outer
        .as_ref()
        .is_some_and(|t| t.kind == Kind::Name && t.text.ends_with("Sequential"))
    {
        return Err(r.error(Reason::Expected("nn.Sequential(…)")));
    }
    r.at += 1;
    r.punct("(")?;
    let mut calls = Vec::new();
    while !r.is_punct(")") {
        calls.push(r.call()?);
        if !r.is_punct(")") {
            r.punct(",")?;
        }
    }
    r.punct(")")?;
    if let Some(t) = r.peek() {
        return Err(ParseError {
            line: t.line,
            token: t.text.clone(),
            reason: Reason::Expected("nothing after nn.Sequential(…)"),
        });
    }
    let read = layers(&calls)?;
    let first = read
        .first()
        .ok_or_else(|| r.error(Reason::Expected("at least one module")))?;
    let channels = read.iter().find_map(|l| l.declared).unwrap_or(1);
    let _ = first;
    let stack = Stack {
        input: [channels, hw[0], hw[1]],
        blocks: read.iter().map(|l| l.block.clone()).collect(),
    };
    let flow = stack.flow(budget).map_err(|e| {
        let at = &read[e.layer.min(read.len() - 1)].at;
        ParseError {
            line: at.line,
            token: at.text.clone(),
            reason: Reason::Layer(e.error.to_string()),
        }
    })?;
    for (l, (_, input, _)) in read.iter().zip(&flow) {
        let actual = match (input, &l.block) {
            (Tensor::Map([c, ..]), _) => *c,
            (Tensor::Vector(n), _) => *n,
        };
        if let Some(declared) = l.declared.filter(|&d| d != actual) {
            return Err(ParseError {
                line: l.at.line,
                token: l.at.text.clone(),
                reason: Reason::Mismatch { declared, actual },
            });
        }
    }
    Ok(stack)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BIG: Budget = Budget {
        max_elements: 1 << 40,
        max_macs: 1 << 50,
    };

    fn totals(s: &Stack) -> Vec<(Tensor, u128, u128)> {
        s.rows(&BIG)
            .unwrap()
            .iter()
            .map(|r| (r.output, r.params, r.macs))
            .collect()
    }

    #[test]
    fn every_preset_round_trips_through_its_code() {
        for name in conv_core::stack::PRESETS {
            let s = Stack::preset(name).unwrap();
            let code = to_code(&s, &BIG).unwrap();
            let back = parse(&code, [s.input[1], s.input[2]], &BIG)
                .unwrap_or_else(|e| panic!("{name}: {e}\n{code}"));
            assert_eq!(to_code(&back, &BIG).unwrap(), code, "{name}");
            let sum = |t: Vec<(Tensor, u128, u128)>| {
                (
                    t.last().unwrap().0,
                    t.iter().map(|r| r.1).sum::<u128>(),
                    t.iter().map(|r| r.2).sum::<u128>(),
                )
            };
            assert_eq!(sum(totals(&back)), sum(totals(&s)), "{name}");
        }
    }

    #[test]
    fn positional_and_keyword_arguments_as_pytorch_takes_them() {
        let text = "import torch\nfrom torch import nn\n\nmodel = torch.nn.Sequential(\n    nn.Conv2d(3, 16, (3, 3), 2, padding=1, bias=False),  # stem\n    nn.BatchNorm2d(16, eps=1e-5),\n    nn.ReLU(inplace=True),\n    nn.Conv2d(16, 16, 3, padding=1, groups=16),\n    nn.Conv2d(16, 32, kernel_size=1),\n    nn.MaxPool2d(2),\n    nn.Upsample(scale_factor=2, mode=\"bilinear\", align_corners=False),\n    nn.Conv2d(32, 8, 3, padding=1),\n    nn.Conv2d(8, 12, 3, padding=1),\n    nn.PixelShuffle(2),\n    nn.AdaptiveAvgPool2d((1, 1)),\n    nn.Flatten(),\n    nn.Linear(3, 10),\n)\n";
        let s = parse(text, [32, 32], &BIG).unwrap();
        let kinds: Vec<String> = s
            .blocks
            .iter()
            .map(|b| match b {
                Block::Layer(l) => l.layer.name().to_string(),
                other => format!("{other:?}")
                    .split([' ', '{'])
                    .next()
                    .unwrap_or_default()
                    .to_string(),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "standard",
                "BatchNorm",
                "Relu",
                "separable",
                "MaxPool",
                "upsample",
                "subpixel",
                "GlobalAvgPool",
                "Flatten",
                "Linear"
            ]
        );
        assert_eq!(s.input, [3, 32, 32]);
        let rows = s.rows(&BIG).unwrap();
        assert_eq!(rows[0].output, Tensor::Map([16, 16, 16]));
        assert_eq!(rows[6].output, Tensor::Map([3, 32, 32]));
        // With a ReLU between them, depthwise and pointwise stay two layers.
        let apart = parse(
            "nn.Sequential(nn.Conv2d(4, 4, 3, groups=4), nn.ReLU(), nn.Conv2d(4, 8, 1))",
            [8, 8],
            &BIG,
        )
        .unwrap();
        assert_eq!(apart.blocks.len(), 3);
        assert_eq!(rows.last().unwrap().output, Tensor::Vector(10));
        let Block::Layer(up) = &s.blocks[5] else {
            panic!()
        };
        assert_eq!(
            (up.scale_factor, up.upsample_mode),
            (2, UpsampleMode::Bilinear)
        );
    }

    #[test]
    fn errors_name_the_line_and_the_token() {
        let cases: [(&str, usize, &str); 8] = [
            (
                "nn.Sequential(\n  nn.Conv2d(3, 8, 3),\n  nn.GELU(),\n)",
                3,
                "nn.GELU",
            ),
            (
                "nn.Sequential(\n  nn.Conv2d(3, 8, 3, strides=2),\n)",
                2,
                "strides",
            ),
            (
                "nn.Sequential(\n  nn.Conv2d(3, 8, 3),\n  nn.Conv2d(4, 8, 3),\n)",
                3,
                "nn.Conv2d",
            ),
            ("nn.Sequential(\n  nn.Conv2d(3, 8, (3, 5)),\n)", 2, "("),
            (
                "nn.Sequential(\n  nn.Conv2d(3, 8, 3)\n  nn.ReLU(),\n)",
                3,
                "nn.ReLU",
            ),
            (
                "nn.Sequential(\n  nn.Upsample(scale_factor=2),\n  nn.ReLU(),\n)",
                2,
                "nn.Upsample",
            ),
            (
                "nn.Sequential(\n  nn.Conv2d(3, 8, 3),\n  nn.Linear(8, 4),\n)",
                3,
                "nn.Linear",
            ),
            ("layer = nn.Conv2d(3, 8, 3)", 1, "nn.Conv2d"),
        ];
        for (text, line, token) in cases {
            let e = parse(text, [8, 8], &BIG).unwrap_err();
            assert_eq!(e.line, line, "{text}: {e}");
            assert!(
                e.token.starts_with(token.split(',').next().unwrap()),
                "{text}: {e}"
            );
        }
        // A kernel larger than the map: conv-core's reason, at that layer.
        let e = parse("nn.Sequential(nn.Conv2d(1, 1, 5))", [3, 3], &BIG).unwrap_err();
        assert!(matches!(e.reason, Reason::Layer(_)), "{e}");
        // Unclosed strings and stray characters are errors too, never panics.
        for text in [
            "nn.Sequential(nn.Upsample(mode='bilinear))",
            "nn.Sequential(nn.ReLU() @)",
            "",
            "(((",
            "nn.Sequential(nn.Conv2d(-1, 2, 3))",
        ] {
            assert!(parse(text, [8, 8], &BIG).is_err(), "{text}");
        }
    }
}
