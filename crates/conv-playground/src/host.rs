//! Talking to a host page that embeds the playground in an `<iframe>`: `ready` once, `state`
//! after every change, `resize` with the content height, and `set` from the host. Every incoming
//! message is checked: the origin (when `parent_origin` is given), the shape, the key names and
//! the value types; anything malformed is ignored without an error.

use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// The page's parent window when it is framed.
pub fn parent() -> Option<web_sys::Window> {
    let w = web_sys::window()?;
    let parent = w.parent().ok().flatten()?;
    (!Object::is(&parent, &w)).then_some(parent)
}

/// Post `message` to the host: to `parent_origin` when given, else to any origin (the messages
/// carry only what the URL already shows).
pub fn post(message: &JsValue, parent_origin: Option<&str>) {
    if let Some(p) = parent() {
        let _ = p.post_message(message, parent_origin.unwrap_or("*"));
    }
}

fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o.into()
}

pub fn ready_message() -> JsValue {
    object(&[("type", "conv-playground:ready".into())])
}

pub fn resize_message(height: f64) -> JsValue {
    object(&[
        ("type", "conv-playground:resize".into()),
        ("height", height.into()),
    ])
}

/// `{type: "conv-playground:state", state: {layer: "grouped", groups: 2, …}}`; numbers as numbers.
/// Every number the URL holds is a whole number (`url::to_pairs`), read as one: a decimal parser
/// would add its tables to the page for nothing.
pub fn state_message(pairs: &[(&'static str, String)]) -> JsValue {
    let state = Object::new();
    for (k, v) in pairs {
        let value = match v.parse::<u64>() {
            Ok(n) if *k != "lang" => JsValue::from_f64(n as f64),
            _ => JsValue::from_str(v),
        };
        let _ = Reflect::set(&state, &JsValue::from_str(k), &value);
    }
    object(&[
        ("type", "conv-playground:state".into()),
        ("state", state.into()),
    ])
}

/// Most keys and characters taken from one message.
const MAX_KEYS: u32 = 64;
const MAX_VALUE: usize = 200;

/// The `key = value` pairs of a valid `conv-playground:set` message; `None` for anything else.
/// Unknown keys and values that are not strings, finite numbers or booleans are dropped.
pub fn parse_set(data: &JsValue) -> Option<Vec<(String, String)>> {
    if !data.is_object() || Array::is_array(data) {
        return None;
    }
    let kind = Reflect::get(data, &"type".into()).ok()?.as_string()?;
    if kind != "conv-playground:set" {
        return None;
    }
    let state = Reflect::get(data, &"state".into()).ok()?;
    if !state.is_object() || Array::is_array(&state) {
        return None;
    }
    let keys = Object::keys(state.unchecked_ref::<Object>());
    let mut pairs = Vec::new();
    for i in 0..keys.length().min(MAX_KEYS) {
        let Some(key) = keys.get(i).as_string() else {
            continue;
        };
        if !crate::url::is_known_key(&key) || key == "parent_origin" {
            continue;
        }
        let Ok(value) = Reflect::get(&state, &JsValue::from_str(&key)) else {
            continue;
        };
        let text = if let Some(s) = value.as_string() {
            s.chars().take(MAX_VALUE).collect()
        } else if let Some(n) = value.as_f64() {
            if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e15 {
                format!("{}", n as i64)
            } else {
                // Not a whole number: refused by the parser, and shown in its notice.
                crate::fixed::trimmed(n, 6)
            }
        } else if let Some(b) = value.as_bool() {
            if b {
                "1".into()
            } else {
                "0".into()
            }
        } else {
            continue;
        };
        pairs.push((key, text));
    }
    Some(pairs)
}

use js_sys::Array;

/// Whether a message event may be listened to: from the parent window, and from
/// `parent_origin` when one is set.
pub fn accept(event: &web_sys::MessageEvent, parent_origin: Option<&str>) -> bool {
    if let Some(origin) = parent_origin {
        if event.origin() != origin {
            return false;
        }
    }
    match (event.source(), parent()) {
        (Some(source), Some(p)) => Object::is(&source, &p),
        _ => false,
    }
}
