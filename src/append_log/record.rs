//! One record on disk: `{"seq":N,"ts":T,"data":D}` + `\n`, exactly the bytes of the seed's
//! `JSON.stringify({ seq, ts, data }) + "\n"` (no `"data"` member when `data` was undefined).

use crate::json_line;

const SEQ_KEY: &[u8] = b"{\"seq\":";
const TS_KEY: &[u8] = b",\"ts\":";
const DATA_KEY: &[u8] = b",\"data\":";

/// `JSON.stringify` of a finite or non-finite number, for the `ts` member.
pub fn format_ts(ts: f64) -> String {
    if !ts.is_finite() {
        return "null".to_string();
    }
    // Date.now() is an integer; Rust prints integral f64 without a fraction only via i64.
    if ts.fract() == 0.0 && ts.abs() < 9.007_199_254_740_992e15 {
        return format!("{}", ts as i64);
    }
    format!("{ts}")
}

/// Appends one record. `data` is the entry's `JSON.stringify` text, or empty for an entry that
/// stringifies to `undefined`, whose record (as the seed's) has no `data` member.
pub fn compose(out: &mut Vec<u8>, seq: u64, ts: &str, data: &[u8]) {
    out.extend_from_slice(SEQ_KEY);
    push_u64(out, seq);
    out.extend_from_slice(TS_KEY);
    out.extend_from_slice(ts.as_bytes());
    if !data.is_empty() {
        out.extend_from_slice(DATA_KEY);
        out.extend_from_slice(data);
    }
    out.extend_from_slice(b"}\n");
}

fn push_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// The elements of a JSON array text as `JSON.stringify` writes it (no whitespace), without
/// parsing them: splits at the commas outside strings, objects and arrays. `None` when the
/// text is not an array.
pub fn split_array(text: &[u8]) -> Option<Vec<&[u8]>> {
    let inner = text.strip_prefix(b"[")?.strip_suffix(b"]")?;
    let mut out = Vec::new();
    if inner.is_empty() {
        return Some(out);
    }
    let (mut depth, mut start, mut i) = (0usize, 0usize, 0usize);
    while i < inner.len() {
        match inner[i] {
            b'"' => loop {
                // Most strings here are short keys, where a plain loop beats memchr's setup.
                i += 1;
                match inner.get(i)? {
                    b'"' => break,
                    b'\\' => i += 1,
                    _ => {}
                }
            },
            b'[' | b'{' => depth += 1,
            b']' | b'}' => depth = depth.checked_sub(1)?,
            b',' if depth == 0 => {
                out.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push(&inner[start..]);
    (depth == 0).then_some(out)
}

/// The seq of one trimmed, non-blank line, or why it is not a record. The seq is read from the
/// fixed prefix every writer of this format produces; the rest must be JSON that V8 parses.
pub fn parse(line: &[u8]) -> Result<u64, &'static str> {
    let rest = line
        .strip_prefix(SEQ_KEY)
        .ok_or("does not start with {\"seq\":")?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let (num, rest) = rest.split_at(digits);
    if num.is_empty() || (num.len() > 1 && num[0] == b'0') || num.len() > 16 {
        return Err("seq is not a positive integer");
    }
    if !rest.starts_with(TS_KEY) {
        return Err("seq is not followed by \"ts\"");
    }
    if json_line::scan(line).is_none() {
        return Err("not valid JSON");
    }
    let seq = num.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
    if seq == 0 {
        return Err("seq is not a positive integer");
    }
    Ok(seq)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composes_the_seed_bytes() {
        let mut out = Vec::new();
        compose(&mut out, 12, &format_ts(1700000000123.0), b"{\"a\":1}");
        compose(&mut out, 13, "5", b"");
        assert_eq!(
            out,
            b"{\"seq\":12,\"ts\":1700000000123,\"data\":{\"a\":1}}\n{\"seq\":13,\"ts\":5}\n"
        );
    }

    #[test]
    fn formats_ts_like_json_stringify() {
        assert_eq!(format_ts(0.0), "0");
        assert_eq!(format_ts(1.5), "1.5");
        assert_eq!(format_ts(f64::NAN), "null");
    }

    #[test]
    fn splits_a_stringified_array() {
        let text = br#"[1,"a,\"]",{"k":[1,{"x":","}]},[],null,"\\",{}]"#;
        let parts: Vec<&[u8]> = split_array(text).unwrap();
        let expect: [&[u8]; 7] = [
            b"1",
            br#""a,\"]""#,
            br#"{"k":[1,{"x":","}]}"#,
            b"[]",
            b"null",
            br#""\\""#,
            b"{}",
        ];
        assert_eq!(parts, expect);
        assert_eq!(split_array(b"[]").unwrap(), Vec::<&[u8]>::new());
        assert!(split_array(b"[\"x]").is_none());
        assert!(split_array(b"{}").is_none());
    }

    #[test]
    fn parses_the_seq_prefix() {
        assert_eq!(parse(b"{\"seq\":42,\"ts\":1,\"data\":null}"), Ok(42));
        assert_eq!(parse(b"{\"seq\":1,\"ts\":1}"), Ok(1));
        assert!(parse(b"{\"ts\":1,\"seq\":1}").is_err());
        assert!(parse(b"{\"seq\":01,\"ts\":1}").is_err());
        assert!(parse(b"{\"seq\":0,\"ts\":1}").is_err());
        assert!(parse(b"{\"seq\":-1,\"ts\":1}").is_err());
        assert!(parse(b"{\"seq\":1.5,\"ts\":1}").is_err());
    }
}
