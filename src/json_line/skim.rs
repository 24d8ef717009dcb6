//! The top-level `timestamp` of a line without validating it: a walk over the root object's
//! members that skips every value by its brackets and string quotes alone. For a range read,
//! which must validate only the lines it returns, this is most of the work per line.

use super::text::{find_string_special, parse_number};

pub fn skim_timestamp(t: &[u8]) -> Option<f64> {
    let mut i = skip_ws(t, 0);
    if t.get(i) != Some(&b'{') {
        return None;
    }
    i += 1;
    let mut ts = None;
    loop {
        i = skip_ws(t, i);
        if t.get(i) != Some(&b'"') {
            return ts; // `}` of an empty object, or invalid text
        }
        let key_start = i + 1;
        let key_end = find_string_special(t, key_start);
        match t.get(key_end)? {
            b'"' => {}
            // An escaped key may spell `timestamp`: rare enough to leave to the full scanner.
            b'\\' => return super::scan(t)?.timestamp,
            _ => return None,
        }
        i = skip_ws(t, key_end + 1);
        if t.get(i) != Some(&b':') {
            return None;
        }
        i = skip_ws(t, i + 1);
        if &t[key_start..key_end] == b"timestamp" {
            // As `JSON.parse`, the last member of a repeated key wins, even if not a number.
            ts = match t.get(i)? {
                b'-' | b'0'..=b'9' => {
                    let end = number_end(t, i);
                    Some(parse_number(&t[i..end]))
                }
                _ => None,
            };
        }
        i = skip_value(t, i)?;
        i = skip_ws(t, i);
        if t.get(i) != Some(&b',') {
            return ts;
        }
        i += 1;
    }
}

#[inline(always)]
fn skip_ws(t: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = t.get(i) {
        i += 1;
    }
    i
}

fn number_end(t: &[u8], mut i: usize) -> usize {
    while let Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') = t.get(i) {
        i += 1;
    }
    i
}

/// Past the string whose content starts at `i`.
#[inline(always)]
fn skip_string(t: &[u8], mut i: usize) -> Option<usize> {
    loop {
        i = find_string_special(t, i);
        match t.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => i += 2,
            _ => i += 1, // a raw control byte: invalid, but the end is still the closing quote
        }
    }
}

/// Past the value starting at `i`.
fn skip_value(t: &[u8], mut i: usize) -> Option<usize> {
    match t.get(i)? {
        b'"' => skip_string(t, i + 1),
        b'{' | b'[' => {
            let mut depth = 0usize;
            loop {
                match t.get(i)? {
                    b'"' => {
                        i = skip_string(t, i + 1)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        _ => {
            while let Some(&c) = t.get(i) {
                if c == b',' || c == b'}' || c <= b' ' {
                    break;
                }
                i += 1;
            }
            Some(i)
        }
    }
}
