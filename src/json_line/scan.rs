//! Validation of a line with `JSON.parse`'s grammar, extracting what [`LineScan`] reports,
//! in one pass without recursion and (after warm-up) without allocation.

use super::text::{
    self, array_index, find_string_special_or_high, hex4, is_high, is_low, low_escape_at,
};
use super::LineScan;
use std::cell::RefCell;
use std::ops::Range;

/// An open container. For objects, the key bookkeeping that decides canonical key order.
struct Frame {
    is_object: bool,
    /// Start, in `Scratch::keys`, of this object's non-index keys.
    keys_start: usize,
    /// One bit per hash of each of those keys, so that most keys need no comparison.
    seen_hashes: u64,
    /// Largest array-index key seen so far, plus one (0: none).
    next_index: u64,
    /// A non-index key was seen, so a later index key would be out of V8's order.
    seen_named: bool,
}

/// Buffers reused across lines so that scanning does not allocate.
#[derive(Default)]
struct Scratch {
    frames: Vec<Frame>,
    /// Hash and raw content range of the non-index keys of the open objects, while still
    /// canonical.
    keys: Vec<(u64, usize, usize)>,
    decoded: Vec<u8>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::default();
}

pub fn scan(text: &[u8]) -> Option<LineScan> {
    SCRATCH.with(|s| match s.try_borrow_mut() {
        Ok(mut s) => Scanner::new(text, &mut s).run(),
        Err(_) => Scanner::new(text, &mut Scratch::default()).run(),
    })
}

#[derive(Clone, Copy, PartialEq)]
enum Member {
    Other,
    Timestamp,
    TaskId,
}

impl Frame {
    const ARRAY: Frame = Frame {
        is_object: false,
        keys_start: 0,
        seen_hashes: 0,
        next_index: 0,
        seen_named: false,
    };
}

struct Scanner<'t, 's> {
    t: &'t [u8],
    pos: usize,
    /// Starts true: invalid UTF-8 (which can only be valid JSON inside strings) clears it as
    /// the strings are scanned, since it becomes U+FFFD, which `JSON.stringify` writes as 3
    /// other bytes.
    canonical: bool,
    s: &'s mut Scratch,
}

impl<'t, 's> Scanner<'t, 's> {
    fn new(t: &'t [u8], s: &'s mut Scratch) -> Self {
        s.frames.clear();
        s.keys.clear();
        Scanner {
            t,
            pos: 0,
            canonical: true,
            s,
        }
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.t.get(self.pos).copied()
    }

    #[inline(always)]
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.canonical = false;
            self.pos += 1;
        }
    }

    fn run(mut self) -> Option<LineScan> {
        let t = self.t;
        let mut ts: Option<Range<usize>> = None;
        let mut task: Option<Range<usize>> = None;
        // The root-object member whose value is being parsed, and where that value starts.
        let mut member = Member::Other;
        let mut member_start = 0;
        // The innermost open container is kept here rather than on `frames`, which holds
        // only its ancestors: most work touches the innermost one alone.
        let mut depth = 0usize;
        let mut top = Frame::ARRAY;

        self.skip_ws();
        'value: loop {
            // A value starts at `pos`.
            match self.peek()? {
                b'{' => {
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b'}') {
                        self.pos += 1;
                    } else {
                        let frame = Frame {
                            is_object: true,
                            keys_start: self.s.keys.len(),
                            seen_hashes: 0,
                            next_index: 0,
                            seen_named: false,
                        };
                        if depth > 0 {
                            self.s.frames.push(std::mem::replace(&mut top, frame));
                        } else {
                            top = frame;
                        }
                        depth += 1;
                        let m = self.key(&mut top, depth == 1)?;
                        if depth == 1 {
                            member = m;
                            member_start = self.pos;
                        }
                        continue 'value;
                    }
                }
                b'[' => {
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                    } else {
                        if depth > 0 {
                            self.s
                                .frames
                                .push(std::mem::replace(&mut top, Frame::ARRAY));
                        } else {
                            top = Frame::ARRAY;
                        }
                        depth += 1;
                        continue 'value;
                    }
                }
                b'"' => {
                    self.pos += 1;
                    self.string()?;
                }
                b'-' | b'0'..=b'9' => self.number()?,
                b't' => self.literal(b"true")?,
                b'f' => self.literal(b"false")?,
                b'n' => self.literal(b"null")?,
                _ => return None,
            }
            // A value just ended at `pos`; its container, if any, is `top`.
            loop {
                if depth == 0 {
                    self.skip_ws();
                    break 'value;
                }
                if depth == 1 && top.is_object {
                    match member {
                        Member::Timestamp => ts = Some(member_start..self.pos),
                        Member::TaskId => task = Some(member_start..self.pos),
                        Member::Other => {}
                    }
                }
                let c = match t.get(self.pos) {
                    Some(&c) if c > b' ' => c,
                    _ => {
                        self.skip_ws();
                        self.peek()?
                    }
                };
                match c {
                    b',' => {
                        self.pos += 1;
                        self.skip_ws();
                        if top.is_object {
                            let m = self.key(&mut top, depth == 1)?;
                            if depth == 1 {
                                member = m;
                                member_start = self.pos;
                            }
                        }
                        continue 'value;
                    }
                    b']' if !top.is_object => {}
                    b'}' if top.is_object => self.s.keys.truncate(top.keys_start),
                    _ => return None,
                }
                self.pos += 1;
                depth -= 1;
                if depth > 0 {
                    top = self.s.frames.pop().unwrap();
                }
            }
        }
        if self.pos != t.len() {
            return None;
        }
        let timestamp = ts
            .filter(|r| matches!(t[r.start], b'-' | b'0'..=b'9'))
            .map(|r| text::parse_number(&t[r]));
        Some(LineScan {
            timestamp,
            task_id: task,
            canonical: self.canonical,
        })
    }

    /// Parses `"key" :` and the whitespace after it, with `pos` at the opening quote, for the
    /// object `frame`; in the root object (`root`), tells which member's value comes next.
    #[inline(always)]
    fn key(&mut self, frame: &mut Frame, root: bool) -> Option<Member> {
        let t = self.t;
        if self.peek() != Some(b'"') {
            return None;
        }
        self.pos += 1;
        let start = self.pos;
        let escaped = self.string()?;
        let end = self.pos - 1;
        if self.peek() == Some(b':') {
            self.pos += 1;
        } else {
            self.skip_ws();
            if self.peek() != Some(b':') {
                return None;
            }
            self.pos += 1;
        }
        self.skip_ws();

        if self.canonical {
            self.note_key(frame, start, end);
        }
        if !root {
            return Some(Member::Other);
        }
        let name: &[u8] = if escaped {
            self.s.decoded.clear();
            text::decode_string(&t[start..end], &mut self.s.decoded);
            &self.s.decoded
        } else {
            &t[start..end]
        };
        Some(match name {
            b"timestamp" => Member::Timestamp,
            b"taskId" => Member::TaskId,
            _ => Member::Other,
        })
    }

    /// Notes the key `t[start..end]` of a so far canonical text in `frame`, clearing
    /// `canonical` when V8 would write the keys in another order or fewer of them.
    #[inline(always)]
    fn note_key(&mut self, frame: &mut Frame, start: usize, end: usize) {
        let t = self.t;
        let key = &t[start..end];
        // Canonical keys are written in V8's order, and each once: array indices first,
        // ascending, then the others.
        if let Some(b'0'..=b'9') = key.first() {
            if let Some(i) = array_index(key) {
                if !frame.seen_named && u64::from(i) >= frame.next_index {
                    frame.next_index = u64::from(i) + 1;
                } else {
                    self.canonical = false;
                }
                return;
            }
        }
        // Canonical keys are equal exactly when their raw texts are.
        frame.seen_named = true;
        let hash = hash_key(t, start, end);
        let bit = 1u64 << (hash >> 58);
        if frame.seen_hashes & bit != 0
            && self.s.keys[frame.keys_start..]
                .iter()
                .any(|&(h, a, b)| h == hash && &t[a..b] == key)
        {
            self.canonical = false;
        }
        frame.seen_hashes |= bit;
        self.s.keys.push((hash, start, end));
    }

    /// Parses the rest of a string literal, `pos` being just after the opening quote; leaves
    /// `pos` after the closing quote. Tells whether the literal holds escapes.
    #[inline(always)]
    fn string(&mut self) -> Option<bool> {
        let t = self.t;
        let mut escaped = false;
        let mut i = self.pos;
        loop {
            i = find_string_special_or_high(t, i);
            match *t.get(i)? {
                b'"' => {
                    self.pos = i + 1;
                    return Some(escaped);
                }
                b'\\' => {
                    escaped = true;
                    i = self.escape(i)?;
                }
                0x80.. => i = self.non_ascii(i),
                _ => return None, // a raw control character
            }
        }
    }

    /// Skips the run of non-ASCII bytes at `i`, clearing `canonical` if it is not UTF-8;
    /// returns where the run ends. A UTF-8 sequence holds no ASCII byte, so the text is UTF-8
    /// exactly when each such run is.
    #[cold]
    #[inline(never)]
    fn non_ascii(&mut self, i: usize) -> usize {
        let t = self.t;
        let end = t[i..]
            .iter()
            .position(|&c| c < 0x80)
            .map_or(t.len(), |n| i + n);
        if self.canonical && std::str::from_utf8(&t[i..end]).is_err() {
            self.canonical = false;
        }
        end
    }

    /// Checks the escape at `t[i] == '\\'`; returns the position after it.
    fn escape(&mut self, i: usize) -> Option<usize> {
        let t = self.t;
        match t.get(i + 1)? {
            b'"' | b'\\' | b'b' | b'f' | b'n' | b'r' | b't' => Some(i + 2),
            b'/' => {
                self.canonical = false;
                Some(i + 2)
            }
            b'u' => {
                let u = hex4(t, i + 2)?;
                if self.canonical {
                    // `JSON.stringify` writes `\u` escapes, in lowercase, only for the control
                    // characters without a short escape and for lone surrogates. A low
                    // surrogate after a high one was already found non-canonical.
                    let lowercase = !t[i + 2..i + 6].iter().any(u8::is_ascii_uppercase);
                    let needed = match u {
                        0x08 | 0x09 | 0x0a | 0x0c | 0x0d => false,
                        0..0x20 => true,
                        _ if is_high(u) => low_escape_at(t, i + 6).is_none(),
                        _ => is_low(u),
                    };
                    self.canonical = lowercase && needed;
                }
                Some(i + 6)
            }
            _ => None,
        }
    }

    fn number(&mut self) -> Option<()> {
        let t = self.t;
        let start = self.pos;
        let mut i = start;
        let negative = t[i] == b'-';
        if negative {
            i += 1;
        }
        let digits = |mut i: usize| {
            while t.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            i
        };
        match t.get(i)? {
            b'0' => i += 1,
            b'1'..=b'9' => i = digits(i + 1),
            _ => return None,
        }
        let int_digits = i - start - negative as usize;
        let mut plain_integer = true;
        if t.get(i) == Some(&b'.') {
            plain_integer = false;
            let end = digits(i + 1);
            if end == i + 1 {
                return None;
            }
            i = end;
        }
        if let Some(b'e' | b'E') = t.get(i) {
            plain_integer = false;
            i += 1;
            if let Some(b'+' | b'-') = t.get(i) {
                i += 1;
            }
            let end = digits(i);
            if end == i {
                return None;
            }
            i = end;
        }
        self.pos = i;
        if self.canonical {
            // Integers of up to 15 digits are exact doubles, printed back as written (but -0
            // prints as 0); anything else is compared with its printed form.
            self.canonical = if plain_integer && int_digits <= 15 {
                !(negative && t[start + 1] == b'0')
            } else {
                text::number_is_canonical(&t[start..i])
            };
        }
        Some(())
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        if self.t.get(self.pos..self.pos + word.len())? != word {
            return None;
        }
        self.pos += word.len();
        Some(())
    }
}

/// A hash of the key `t[start..end]` from at most two word loads (only to skip most key
/// comparisons, so it need not be strong).
#[inline(always)]
fn hash_key(t: &[u8], start: usize, end: usize) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let load = |i: usize| u64::from_le_bytes(t[i..i + 8].try_into().unwrap());
    let len = end - start;
    let (a, b) = if len >= 8 {
        (load(start), load(end - 8))
    } else if start + 8 <= t.len() {
        // Bytes after a short key are in the text; mask them off.
        (
            load(start) & u64::MAX.checked_shr(64 - 8 * len as u32).unwrap_or(0),
            0,
        )
    } else {
        // As the masked load would read them.
        let a = t[start..end]
            .iter()
            .rev()
            .fold(0u64, |h, &c| h << 8 | c as u64);
        (a, 0)
    };
    ((a.wrapping_mul(K) ^ b).rotate_left(29) ^ len as u64).wrapping_mul(K)
}
