//! Byte-level pieces shared by the scanner and the canonicalizer.
//!
//! Decoded JS strings are held as WTF-8: UTF-8 where lone surrogates are encoded as the 3-byte
//! sequence of their code unit (ED A0..BF xx). With surrogate pairs always combined, two WTF-8
//! byte strings are equal exactly when the UTF-16 strings V8 holds are equal.

/// Length of the ECMAScript WhiteSpace/LineTerminator code point at the start of `s`, or 0.
pub fn js_space_prefix(s: &[u8]) -> usize {
    match s {
        [b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ', ..] => 1,
        [0xc2, 0xa0, ..] => 2,
        [a, b, c, ..] if is_js_space3(*a, *b, *c) => 3,
        _ => 0,
    }
}

/// Length of the ECMAScript WhiteSpace/LineTerminator code point at the end of `s`, or 0.
///
/// Matching a suffix is sound because every multi-byte space starts with a lead byte, and lossy
/// decoding always ends an invalid subpart before a lead byte.
pub fn js_space_suffix(s: &[u8]) -> usize {
    match s {
        [.., b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' '] => 1,
        [.., 0xc2, 0xa0] => 2,
        [.., a, b, c] if is_js_space3(*a, *b, *c) => 3,
        _ => 0,
    }
}

/// The 3-byte UTF-8 encodings of U+1680, U+2000..=U+200A, U+2028, U+2029, U+202F, U+205F,
/// U+3000 and U+FEFF.
fn is_js_space3(a: u8, b: u8, c: u8) -> bool {
    match (a, b) {
        (0xe1, 0x9a) => c == 0x80,
        (0xe2, 0x80) => matches!(c, 0x80..=0x8a | 0xa8 | 0xa9 | 0xaf),
        (0xe2, 0x81) => c == 0x9f,
        (0xe3, 0x80) => c == 0x80,
        (0xef, 0xbb) => c == 0xbf,
        _ => false,
    }
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// Index of the first `"`, `\` or control byte (< 0x20) at or after `i`, or `s.len()`.
///
/// Eight bytes at a time: each test below flags the lowest matching byte exactly (borrows only
/// create false flags above a true one), so the lowest flag of their union is exact too.
#[inline]
pub fn find_string_special(s: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = s.get(i..i + 8) {
        let x = u64::from_le_bytes(chunk.try_into().unwrap());
        let q = x ^ (LO * b'"' as u64);
        let b = x ^ (LO * b'\\' as u64);
        let m = (q.wrapping_sub(LO) & !q)
            | (b.wrapping_sub(LO) & !b)
            | (x.wrapping_sub(LO * 0x20) & !x);
        let m = m & HI;
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&c) = s.get(i) {
        if c == b'"' || c == b'\\' || c < 0x20 {
            return i;
        }
        i += 1;
    }
    s.len()
}

/// As [`find_string_special`], but also stops at the first non-ASCII byte (>= 0x80).
///
/// Without `& !x`, the control-byte test also flags bytes >= 0xa0, which are non-ASCII, and
/// still flags the lowest byte below 0x20 exactly.
#[inline(always)]
pub fn find_string_special_or_high(s: &[u8], mut i: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        while i + 16 <= s.len() {
            // SAFETY: SSE2 is part of x86_64; the 16 bytes read are in `s`, as just checked.
            let m = unsafe {
                let v = _mm_loadu_si128(s.as_ptr().add(i).cast());
                let q = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
                let b = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
                // As signed bytes, the control bytes and the non-ASCII ones are those below 0x20.
                let c = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));
                _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(q, b), c))
            };
            if m != 0 {
                return i + m.trailing_zeros() as usize;
            }
            i += 16;
        }
    }
    while let Some(chunk) = s.get(i..i + 8) {
        let x = u64::from_le_bytes(chunk.try_into().unwrap());
        let q = x ^ (LO * b'"' as u64);
        let b = x ^ (LO * b'\\' as u64);
        let m =
            (q.wrapping_sub(LO) & !q) | (b.wrapping_sub(LO) & !b) | x.wrapping_sub(LO * 0x20) | x;
        let m = m & HI;
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&c) = s.get(i) {
        if c == b'"' || c == b'\\' || !(0x20..0x80).contains(&c) {
            return i;
        }
        i += 1;
    }
    s.len()
}

/// The code unit of the 4 hex digits at `s[i..i + 4]`, if they are hex digits.
#[inline]
pub fn hex4(s: &[u8], i: usize) -> Option<u16> {
    let d = s.get(i..i + 4)?;
    let mut v: u16 = 0;
    for &c in d {
        let n = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => return None,
        };
        v = (v << 4) | n as u16;
    }
    Some(v)
}

pub fn is_high(u: u16) -> bool {
    (0xd800..0xdc00).contains(&u)
}

pub fn is_low(u: u16) -> bool {
    (0xdc00..0xe000).contains(&u)
}

/// The low surrogate escaped as `\uXXXX` at `s[i..]`, if any.
#[inline]
pub fn low_escape_at(s: &[u8], i: usize) -> Option<u16> {
    if s.get(i..i + 2)? != b"\\u" {
        return None;
    }
    hex4(s, i + 2).filter(|&u| is_low(u))
}

/// Appends `s` with each maximal invalid UTF-8 subpart replaced by U+FFFD, as Node decodes files.
pub fn push_lossy(s: &[u8], out: &mut Vec<u8>) {
    for chunk in s.utf8_chunks() {
        out.extend_from_slice(chunk.valid().as_bytes());
        if !chunk.invalid().is_empty() {
            out.extend_from_slice("\u{fffd}".as_bytes());
        }
    }
}

/// Appends the WTF-8 encoding of code point `c` (which may be a lone surrogate).
pub fn push_code_point(c: u32, out: &mut Vec<u8>) {
    if c < 0x80 {
        out.push(c as u8);
    } else if c < 0x800 {
        out.extend_from_slice(&[0xc0 | (c >> 6) as u8, 0x80 | (c & 0x3f) as u8]);
    } else if c < 0x10000 {
        out.extend_from_slice(&[
            0xe0 | (c >> 12) as u8,
            0x80 | ((c >> 6) & 0x3f) as u8,
            0x80 | (c & 0x3f) as u8,
        ]);
    } else {
        out.extend_from_slice(&[
            0xf0 | (c >> 18) as u8,
            0x80 | ((c >> 12) & 0x3f) as u8,
            0x80 | ((c >> 6) & 0x3f) as u8,
            0x80 | (c & 0x3f) as u8,
        ]);
    }
}

/// Appends the WTF-8 string that the raw content of a valid JSON string literal (between the
/// quotes) denotes, after lossy UTF-8 decoding.
pub fn decode_string(raw: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < raw.len() {
        let j = memchr::memchr(b'\\', &raw[i..]).map_or(raw.len(), |k| i + k);
        push_lossy(&raw[i..j], out);
        if j + 1 >= raw.len() {
            break;
        }
        i = j + 2;
        let c = match raw[j + 1] {
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let Some(u) = hex4(raw, j + 2) else { break };
                i = j + 6;
                let mut cp = u as u32;
                if is_high(u) {
                    if let Some(lo) = low_escape_at(raw, i) {
                        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo as u32 - 0xdc00);
                        i += 6;
                    }
                }
                push_code_point(cp, out);
                continue;
            }
            other => other, // `"`, `\`, `/`
        };
        out.push(c);
    }
}

/// Appends `s` (WTF-8) as a JSON string literal, escaped as V8's well-formed `JSON.stringify`.
pub fn write_escaped(s: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    let mut start = 0;
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        let lone_surrogate = c == 0xed && s.get(i + 1).is_some_and(|&b| b >= 0xa0);
        if c >= 0x20 && c != b'"' && c != b'\\' && !lone_surrogate {
            i += 1;
            continue;
        }
        out.extend_from_slice(&s[start..i]);
        match c {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0xed => {
                let u = 0xd000 | ((s[i + 1] as u32 & 0x3f) << 6) | (s[i + 2] as u32 & 0x3f);
                push_u_escape(u, out);
                i += 2;
            }
            _ => push_u_escape(c as u32, out),
        }
        i += 1;
        start = i;
    }
    out.extend_from_slice(&s[start..]);
    out.push(b'"');
}

fn push_u_escape(u: u32, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.extend_from_slice(b"\\u");
    for shift in [12, 8, 4, 0] {
        out.push(HEX[(u >> shift) as usize & 0xf]);
    }
}

/// The value of a JSON number token (already validated), correctly rounded as V8 does.
pub fn parse_number(token: &[u8]) -> f64 {
    // Integers of up to 15 digits (timestamps) are exact doubles: no rounding to get right.
    let (negative, digits) = match token {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, token),
    };
    if !digits.is_empty() && digits.len() <= 15 && digits.iter().all(u8::is_ascii_digit) {
        let v = digits
            .iter()
            .fold(0u64, |v, &d| v * 10 + u64::from(d - b'0')) as f64;
        return if negative { -v } else { v };
    }
    // A validated number token is ASCII, and JSON number syntax is a subset of Rust's.
    std::str::from_utf8(token)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(f64::NAN)
}

/// Appends `JSON.stringify` of a number: `Number.prototype.toString`, but non-finite is `null`.
pub fn write_number(v: f64, out: &mut Vec<u8>) {
    if v == 0.0 {
        out.push(b'0'); // also -0
    } else if !v.is_finite() {
        out.extend_from_slice(b"null");
    } else {
        out.extend_from_slice(ryu_js::Buffer::new().format_finite(v).as_bytes());
    }
}

/// Whether `JSON.stringify` prints the number `token` denotes as `token` itself.
pub fn number_is_canonical(token: &[u8]) -> bool {
    let v = parse_number(token);
    if v == 0.0 {
        token == b"0"
    } else {
        v.is_finite() && ryu_js::Buffer::new().format_finite(v).as_bytes() == token
    }
}

/// The array index a property key denotes (canonical decimal, at most 2^32 - 2), which V8
/// orders before all other keys.
pub fn array_index(key: &[u8]) -> Option<u32> {
    match key {
        [b'0'] => Some(0),
        [b'1'..=b'9', rest @ ..] if rest.len() <= 9 && rest.iter().all(u8::is_ascii_digit) => {
            let v = key.iter().fold(0u64, |v, &d| v * 10 + (d - b'0') as u64);
            (v <= 4_294_967_294).then_some(v as u32)
        }
        _ => None,
    }
}
