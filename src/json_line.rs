//! One NDJSON line as V8 sees it: `String.prototype.trim`, then `JSON.parse`.
//!
//! PLACEHOLDER API (being implemented): signatures are the contract.

use std::ops::Range;

/// What a well-formed line holds that the storage engine needs without a full parse.
#[derive(Debug, Clone, PartialEq)]
pub struct LineScan {
    /// The top-level `"timestamp"` member when it is a JSON number (the last one when the key
    /// repeats, as `JSON.parse` keeps the last); `None` when absent, not a number, or the line
    /// is not an object.
    pub timestamp: Option<f64>,
    /// Byte range, within the scanned text, of the value of the top-level `"taskId"` member
    /// (the last one when repeated); `None` when absent or the line is not an object.
    pub task_id: Option<Range<usize>>,
    /// True only when `JSON.stringify(JSON.parse(text))` equals `text` byte for byte.
    /// May be false for some canonical texts (conservative), never true for others.
    pub canonical: bool,
}

/// `String.prototype.trim` on UTF-8 bytes: strips the ECMAScript WhiteSpace and
/// LineTerminator code points from both ends.
pub fn trim_js(line: &[u8]) -> &[u8] {
    let mut s = line;
    while let [first, rest @ ..] = s {
        if matches!(first, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
            s = rest;
        } else {
            break;
        }
    }
    while let [rest @ .., last] = s {
        if matches!(last, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
            s = rest;
        } else {
            break;
        }
    }
    s
}

/// Scans one already-trimmed text: `None` exactly when `JSON.parse` would throw on it
/// (after Node's lossy UTF-8 decoding of the file).
pub fn scan(text: &[u8]) -> Option<LineScan> {
    if text.is_empty() {
        return None;
    }
    Some(LineScan { timestamp: None, task_id: None, canonical: true })
}

/// Appends `JSON.stringify(JSON.parse(text))` to `out`. `text` must have passed [`scan`].
pub fn canonicalize(text: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(text);
}
