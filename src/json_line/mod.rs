//! One NDJSON line as V8 sees it: `String.prototype.trim`, then `JSON.parse`.
//!
//! The reference is Node 20 reading a file with `readFile(path, 'utf-8')` (invalid UTF-8 becomes
//! U+FFFD, one per maximal invalid subpart, exactly as `String::from_utf8_lossy` does), splitting
//! on `'\n'`, then `JSON.parse(line.trim())` and `JSON.stringify` of the result.
//!
//! Everything works on the raw bytes of the line: lossy decoding cannot change where tokens are,
//! because an invalid subpart never swallows an ASCII byte, and outside strings any non-ASCII
//! byte is a syntax error anyway. Invalid bytes inside strings are therefore valid, and only
//! matter for key equality and for the re-encoded output.
//!
//! Nesting: V8's `JSON.parse` is iterative and accepts any depth memory allows, so [`scan`] and
//! [`canonicalize`] use explicit stacks and accept any depth too. V8's `JSON.stringify` however
//! recurses and throws a RangeError beyond roughly 4000 levels (Node 20, default stack); for such
//! texts [`canonicalize`] still produces the text `JSON.stringify` would give with an unbounded
//! stack, and [`LineScan::canonical`] is computed as if the stack were unbounded.

mod canon;
mod scan;
mod skim;
mod text;

/// The straightforward scanner the optimized one replaced, kept as a test oracle.
#[cfg(test)]
mod scan_ref;
#[cfg(test)]
mod tests;

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
    loop {
        let n = text::js_space_prefix(s);
        if n == 0 {
            break;
        }
        s = &s[n..];
    }
    loop {
        let n = text::js_space_suffix(s);
        if n == 0 {
            break;
        }
        s = &s[..s.len() - n];
    }
    s
}

/// Scans one already-trimmed text: `None` exactly when `JSON.parse` would throw on it
/// (after Node's lossy UTF-8 decoding of the file).
pub fn scan(text: &[u8]) -> Option<LineScan> {
    scan::scan(text)
}

/// `scan(text)?.timestamp` for any text `scan` accepts, many times faster: the root object's
/// members are walked without validating anything. On other texts the result means nothing
/// (callers validate with [`scan`] what they keep), but it never panics.
pub fn skim_timestamp(text: &[u8]) -> Option<f64> {
    skim::skim_timestamp(text)
}

/// Appends `JSON.stringify(JSON.parse(text))` to `out`. `text` must have passed [`scan`]; on a
/// text that did not, this appends nothing useful but does not panic.
pub fn canonicalize(text: &[u8], out: &mut Vec<u8>) {
    canon::canonicalize(text, out)
}
