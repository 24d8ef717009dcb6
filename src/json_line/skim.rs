//! The top-level `timestamp` of a line without validating it: a walk over the root object's
//! members that skips every value by its brackets and string quotes alone.
//!
//! The walk goes backwards, from the closing brace: `JSON.parse` keeps the last of repeated
//! keys, so the first `timestamp` key met from the end is the answer, and event lines (whose
//! `timestamp` comes late) are mostly left unread. In valid JSON a quote is escaped exactly when
//! an odd number of backslashes precedes it, so strings are as easy to cross backwards.

use super::text::parse_number;

pub fn skim_timestamp(t: &[u8]) -> Option<f64> {
    let open = skip_ws(t, 0);
    if t.get(open) != Some(&b'{') {
        return None;
    }
    let mut i = rskip_ws(t, t.len());
    if i <= open + 1 || t[i - 1] != b'}' {
        return None;
    }
    i -= 1;
    // `t[..i]` ends with the last member not yet crossed, and whitespace.
    loop {
        let value_end = rskip_ws(t, i);
        if value_end <= open + 1 {
            return None; // an empty object
        }
        let value_start = rskip_value(t, value_end)?;
        let colon = rskip_ws(t, value_start);
        if colon == 0 || t[colon - 1] != b':' {
            return None;
        }
        let key_end = rskip_ws(t, colon - 1);
        if key_end == 0 || t[key_end - 1] != b'"' {
            return None;
        }
        let key_quote = string_start(t, key_end - 1)?;
        let key = &t[key_quote + 1..key_end - 1];
        if memchr::memchr(b'\\', key).is_some() {
            // An escaped key may spell `timestamp`: rare enough to leave to the full scanner.
            return super::scan(t)?.timestamp;
        }
        if key == b"timestamp" {
            return match t[value_start] {
                b'-' | b'0'..=b'9' => Some(parse_number(&t[value_start..value_end])),
                _ => None,
            };
        }
        let before = rskip_ws(t, key_quote);
        if before == 0 || t[before - 1] != b',' {
            return None; // the opening brace: no `timestamp` member
        }
        i = before - 1;
    }
}

#[inline(always)]
fn skip_ws(t: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = t.get(i) {
        i += 1;
    }
    i
}

/// Where the whitespace that ends `t[..i]` starts.
#[inline(always)]
fn rskip_ws(t: &[u8], mut i: usize) -> usize {
    while i > 0 && matches!(t[i - 1], b' ' | b'\t' | b'\n' | b'\r') {
        i -= 1;
    }
    i
}

/// The opening quote of the string whose closing quote is at `close`.
#[inline(always)]
fn string_start(t: &[u8], mut close: usize) -> Option<usize> {
    loop {
        let q = memchr::memrchr(b'"', &t[..close])?;
        let backslashes = t[..q].iter().rev().take_while(|&&c| c == b'\\').count();
        if backslashes % 2 == 0 {
            return Some(q);
        }
        close = q;
    }
}

/// Where the value that ends `t[..end]` starts (`end > 0`).
fn rskip_value(t: &[u8], end: usize) -> Option<usize> {
    match t[end - 1] {
        b'"' => string_start(t, end - 1),
        b'}' | b']' => {
            let mut depth = 0usize;
            let mut i = end;
            loop {
                i = i.checked_sub(1)?;
                match t[i] {
                    b'"' => i = string_start(t, i)?,
                    b'}' | b']' => depth += 1,
                    b'{' | b'[' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i);
                        }
                    }
                    _ => {}
                }
            }
        }
        _ => {
            let mut i = end;
            while i > 0
                && !matches!(
                    t[i - 1],
                    b':' | b',' | b'{' | b'[' | b' ' | b'\t' | b'\n' | b'\r'
                )
            {
                i -= 1;
            }
            Some(i)
        }
    }
}
