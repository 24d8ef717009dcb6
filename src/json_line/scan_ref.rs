//! The first version of [`super::scan`]: simpler, slower, and checked against Node by the
//! differential test when it was the one in use. The optimized scanner must agree with it.

use super::text::{self, array_index, find_string_special, hex4, is_high, is_low, low_escape_at};
use super::LineScan;
use std::cell::RefCell;
use std::ops::Range;

/// An open container. For objects, the key bookkeeping that decides canonical key order.
struct Frame {
    is_object: bool,
    /// Start, in `Scratch::keys`, of this object's non-index keys.
    keys_start: usize,
    /// One bit per hash of each of those keys, so that most keys need no comparison.
    seen_hashes: u128,
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

struct Scanner<'t, 's> {
    t: &'t [u8],
    pos: usize,
    canonical: bool,
    /// The root-object member whose value is being parsed, and where that value starts.
    member: Member,
    member_start: usize,
    s: &'s mut Scratch,
}

impl<'t, 's> Scanner<'t, 's> {
    fn new(t: &'t [u8], s: &'s mut Scratch) -> Self {
        s.frames.clear();
        s.keys.clear();
        // Invalid UTF-8 is only valid JSON inside strings, where it becomes U+FFFD, which
        // `JSON.stringify` writes as 3 other bytes.
        let canonical = std::str::from_utf8(t).is_ok();
        Scanner {
            t,
            pos: 0,
            canonical,
            member: Member::Other,
            member_start: 0,
            s,
        }
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.t.get(self.pos).copied()
    }

    #[inline]
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.canonical = false;
            self.pos += 1;
        }
    }

    fn run(mut self) -> Option<LineScan> {
        let mut ts: Option<Range<usize>> = None;
        let mut task: Option<Range<usize>> = None;

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
                        self.s.frames.push(Frame {
                            is_object: true,
                            keys_start: self.s.keys.len(),
                            seen_hashes: 0,
                            next_index: 0,
                            seen_named: false,
                        });
                        self.key()?;
                        continue 'value;
                    }
                }
                b'[' => {
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                    } else {
                        self.s.frames.push(Frame {
                            is_object: false,
                            keys_start: 0,
                            seen_hashes: 0,
                            next_index: 0,
                            seen_named: false,
                        });
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
            // A value just ended at `pos`; its container, if any, is the top frame.
            loop {
                if self.s.frames.len() == 1 && self.s.frames[0].is_object {
                    match self.member {
                        Member::Timestamp => ts = Some(self.member_start..self.pos),
                        Member::TaskId => task = Some(self.member_start..self.pos),
                        Member::Other => {}
                    }
                }
                self.skip_ws();
                let Some(frame) = self.s.frames.last() else {
                    break 'value;
                };
                let is_object = frame.is_object;
                match (self.peek()?, is_object) {
                    (b',', _) => {
                        self.pos += 1;
                        self.skip_ws();
                        if is_object {
                            self.key()?;
                        }
                        continue 'value;
                    }
                    (b']', false) => {
                        self.pos += 1;
                        self.s.frames.pop();
                    }
                    (b'}', true) => {
                        self.pos += 1;
                        let frame = self.s.frames.pop().unwrap();
                        self.s.keys.truncate(frame.keys_start);
                    }
                    _ => return None,
                }
            }
        }
        if self.pos != self.t.len() {
            return None;
        }
        let timestamp = ts
            .filter(|r| matches!(self.t[r.start], b'-' | b'0'..=b'9'))
            .map(|r| text::parse_number(&self.t[r]));
        Some(LineScan {
            timestamp,
            task_id: task,
            canonical: self.canonical,
        })
    }

    /// Parses `"key" :` and the whitespace after it, with `pos` at the opening quote; in the
    /// root object, notes which member's value comes next.
    fn key(&mut self) -> Option<()> {
        if self.peek() != Some(b'"') {
            return None;
        }
        self.pos += 1;
        let start = self.pos;
        let escaped = self.string()?;
        let raw = start..self.pos - 1;
        self.skip_ws();
        if self.peek() != Some(b':') {
            return None;
        }
        self.pos += 1;
        self.skip_ws();

        let depth = self.s.frames.len();
        let frame = self.s.frames.last_mut().unwrap();
        if self.canonical {
            // Canonical keys are written in V8's order, and each once: array indices first,
            // ascending, then the others (checked for repeats when the object closes).
            match array_index(&self.t[raw.clone()]) {
                Some(i) if !frame.seen_named && u64::from(i) >= frame.next_index => {
                    frame.next_index = u64::from(i) + 1;
                }
                Some(_) => self.canonical = false,
                None => {
                    // Canonical keys are equal exactly when their raw texts are.
                    frame.seen_named = true;
                    let key = &self.t[raw.clone()];
                    let hash = hash_key(self.t, raw.start, raw.end);
                    let bit = 1u128 << (hash >> 57);
                    if frame.seen_hashes & bit != 0
                        && self.s.keys[frame.keys_start..]
                            .iter()
                            .any(|&(h, a, b)| h == hash && &self.t[a..b] == key)
                    {
                        self.canonical = false;
                    }
                    frame.seen_hashes |= bit;
                    self.s.keys.push((hash, raw.start, raw.end));
                }
            }
        }
        if depth != 1 {
            return Some(());
        }
        let name: &[u8] = if escaped {
            self.s.decoded.clear();
            text::decode_string(&self.t[raw], &mut self.s.decoded);
            &self.s.decoded
        } else {
            &self.t[raw]
        };
        self.member = match name {
            b"timestamp" => Member::Timestamp,
            b"taskId" => Member::TaskId,
            _ => Member::Other,
        };
        self.member_start = self.pos;
        Some(())
    }

    /// Parses the rest of a string literal, `pos` being just after the opening quote; leaves
    /// `pos` after the closing quote. Tells whether the literal holds escapes.
    #[inline]
    fn string(&mut self) -> Option<bool> {
        let t = self.t;
        let mut escaped = false;
        loop {
            let i = find_string_special(t, self.pos);
            match t.get(i)? {
                b'"' => {
                    self.pos = i + 1;
                    return Some(escaped);
                }
                b'\\' => {
                    escaped = true;
                    self.pos = self.escape(i)?;
                }
                _ => return None, // a raw control character
            }
        }
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
#[inline]
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
