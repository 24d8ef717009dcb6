//! The "values-only" form of a readAll chunk, which V8 turns into objects faster than it parses
//! the plain JSON array: most events share a few key lists ("shapes"), and for those only the
//! values cross, flattened into one array; the JS side (lib/chunk-decoder.js) builds each event
//! with one generated object literal per shape. Parsing keys is most of `JSON.parse`'s work.
//!
//! Form: `{"v":[...],"s":[shape,...]}`. `s` holds the shapes first used in this chunk, numbered
//! on from those of earlier chunks of the same read (from 1). A shape is a JSON array of its
//! entries in key order: a key (a JSON string) for a value taken as is, or `[key, shape]` for a
//! nested object whose values are flattened in place. `v` is, per event, either the shape's
//! number followed by its values in order, or `0` followed by the event as plain JSON.
//!
//! Exactness: the object literal must give what `JSON.parse` gives. A shape is used only when
//! each of its objects has distinct keys (a repeated key in JSON keeps the first position and
//! the last value), no key that could be an array index (those are ordered first) or anything
//! but plain characters (`\` escapes have several spellings of one key), and no `__proto__`
//! (which in a literal sets the prototype). Everything else goes as plain JSON, as do shapes
//! seen too rarely to repay building a constructor.

use std::collections::HashMap;

/// Objects with more keys, or events with more values, go as plain JSON.
const MAX_KEYS: usize = 32;
const MAX_VALUES: usize = 64;
/// Objects nested deeper than this are values, not flattened.
const MAX_DEPTH: usize = 3;
/// A shape gets a constructor once this many events of the read have it. Each constructor
/// costs about as much as plain JSON saves on a hundred events (compiled, then run cold until
/// V8 optimizes it): measured, 4096 shapes of ~24 events each read 30% slower than plain JSON,
/// hence also the cap on constructors per read.
const MIN_REPEATS: u32 = 32;
const MAX_DEFINED: u32 = 64;
/// Shapes of one read remembered (counted) at most.
const MAX_TRACKED: usize = 1 << 16;

struct Shape {
    /// Its JSON, as sent in `s`.
    sig: Vec<u8>,
    /// Its number once sent; 0 before.
    id: u32,
    /// `id` as written in `v`.
    id_text: Vec<u8>,
    seen: u32,
    usable: bool,
}

/// One event of the chunk being encoded.
struct Event {
    text: (usize, usize),
    /// Index in `shapes` and range in `values`, when it has a shape.
    shape: Option<(usize, usize, usize)>,
}

/// Encodes the chunks of one read; shapes carry over from chunk to chunk.
#[derive(Default)]
pub struct ValuesOnly {
    index: HashMap<Vec<u8>, usize>,
    shapes: Vec<Shape>,
    defs: Vec<Vec<u8>>,
    defined: u32,
    /// The last shape looked up, to skip hashing runs of one shape.
    last: Option<usize>,
}

impl ValuesOnly {
    /// Encodes a JSON array whose elements are valid JSON texts (what `JsonArray` builds).
    /// Anything else comes back unchanged: the decoder takes a plain array as it is.
    pub fn encode(&mut self, chunk: &[u8]) -> Vec<u8> {
        self.try_encode(chunk).unwrap_or_else(|| chunk.to_vec())
    }

    fn try_encode(&mut self, chunk: &[u8]) -> Option<Vec<u8>> {
        let body = chunk.strip_prefix(b"[")?.strip_suffix(b"]")?;
        let mut events = Vec::new();
        let mut values = Vec::new();
        let mut sig = Vec::new();
        let mut i = 0;
        while i < body.len() {
            sig.clear();
            let from = values.len();
            // Walked first: for the usual event the walk also finds its end.
            let (end, shape) = match walk_object(body, i, 0, &mut sig, &mut values) {
                Some(e) if matches!(body.get(e), None | Some(b',')) => {
                    let shape = (values.len() - from <= MAX_VALUES)
                        .then(|| self.shape_of(&sig))
                        .flatten();
                    (e, shape)
                }
                _ => (skip_value(body, i)?, None),
            };
            if shape.is_none() {
                values.truncate(from);
            }
            events.push(Event {
                text: (i, end),
                shape: shape.map(|s| (s, from, values.len())),
            });
            i = match body.get(end) {
                None => end,
                Some(b',') => end + 1,
                Some(_) => return None,
            };
        }
        // Values first: the shapes they introduce are only known once they are written.
        let mut out = Vec::with_capacity(body.len() / 2 + 64);
        out.extend_from_slice(b"{\"v\":[");
        for (n, e) in events.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            match e.shape.filter(|&(s, _, _)| self.has_id(s)) {
                Some((s, a, b)) => {
                    out.extend_from_slice(&self.shapes[s].id_text);
                    for &(x, y) in &values[a..b] {
                        out.push(b',');
                        out.extend_from_slice(&body[x..y]);
                    }
                }
                None => {
                    out.extend_from_slice(b"0,");
                    out.extend_from_slice(&body[e.text.0..e.text.1]);
                }
            }
        }
        out.extend_from_slice(b"],\"s\":[");
        for (n, d) in self.defs.drain(..).enumerate() {
            if n > 0 {
                out.push(b',');
            }
            out.extend_from_slice(&d);
        }
        out.extend_from_slice(b"]}");
        Some(out)
    }

    /// Counts one event of signature `sig`; the shape's index when it can be used.
    fn shape_of(&mut self, sig: &[u8]) -> Option<usize> {
        let found = match self.last {
            Some(s) if self.shapes[s].sig == sig => Some(s),
            _ => self.index.get(sig).copied(),
        };
        let s = match found {
            Some(s) => s,
            None if self.index.len() < MAX_TRACKED => {
                let s = self.shapes.len();
                self.shapes.push(Shape {
                    sig: sig.to_vec(),
                    id: 0,
                    id_text: Vec::new(),
                    seen: 0,
                    usable: usable(sig),
                });
                self.index.insert(sig.to_vec(), s);
                s
            }
            None => return None,
        };
        self.last = Some(s);
        let shape = &mut self.shapes[s];
        shape.seen += 1;
        shape.usable.then_some(s)
    }

    /// Whether the shape has a number, sending its definition with this chunk the first time;
    /// not while it is too rare to be worth a constructor.
    fn has_id(&mut self, s: usize) -> bool {
        let shape = &mut self.shapes[s];
        if shape.id == 0 {
            if shape.seen < MIN_REPEATS || self.defined >= MAX_DEFINED {
                return false;
            }
            self.defined += 1;
            shape.id = self.defined;
            shape.id_text = shape.id.to_string().into_bytes();
            self.defs.push(shape.sig.clone());
        }
        true
    }
}

/// Walks the object at `s[i..]`, appending its signature (its shape's JSON) to `sig` and the
/// ranges of its values to `values`; returns where it ends. `None` for anything but an object
/// written without whitespace between its members, or one with too many keys.
fn walk_object(
    s: &[u8],
    mut i: usize,
    depth: usize,
    sig: &mut Vec<u8>,
    values: &mut Vec<(usize, usize)>,
) -> Option<usize> {
    if s.get(i) != Some(&b'{') {
        return None;
    }
    i += 1;
    sig.push(b'[');
    if s.get(i) == Some(&b'}') {
        sig.push(b']');
        return Some(i + 1);
    }
    for n in 0.. {
        if n == MAX_KEYS {
            return None;
        }
        if n > 0 {
            sig.push(b',');
        }
        let key_end = skip_string(s, i)?;
        let key = &s[i..key_end];
        if s.get(key_end) != Some(&b':') {
            return None;
        }
        let at = key_end + 1;
        let mark = (sig.len(), values.len());
        let mut nested = None;
        if depth + 1 < MAX_DEPTH && s.get(at) == Some(&b'{') {
            sig.extend_from_slice(b"[");
            sig.extend_from_slice(key);
            sig.push(b',');
            nested = walk_object(s, at, depth + 1, sig, values);
            if nested.is_some() {
                sig.push(b']');
            } else {
                sig.truncate(mark.0);
                values.truncate(mark.1);
            }
        }
        let end = match nested {
            Some(end) => end,
            None => {
                let end = skip_value(s, at)?;
                sig.extend_from_slice(key);
                values.push((at, end));
                end
            }
        };
        match s.get(end) {
            Some(b',') => i = end + 1,
            Some(b'}') => {
                sig.push(b']');
                return Some(end + 1);
            }
            _ => return None,
        }
    }
    None
}

/// Whether every object of the shape `sig` can be built by an object literal exactly as
/// `JSON.parse` builds it (see the module comment).
fn usable(sig: &[u8]) -> bool {
    use serde_json::Value;
    fn key_ok(k: &str) -> bool {
        k != "__proto__" && !k.as_bytes().first().is_some_and(u8::is_ascii_digit)
    }
    fn check(entries: &[Value]) -> bool {
        let mut keys = std::collections::HashSet::new();
        entries.iter().all(|e| match e {
            Value::String(k) => key_ok(k) && keys.insert(k),
            Value::Array(pair) => match pair.as_slice() {
                [Value::String(k), Value::Array(inner)] => {
                    key_ok(k) && keys.insert(k) && check(inner)
                }
                _ => false,
            },
            _ => false,
        })
    }
    // The signature holds keys as written; a `\` there means an escape.
    !sig.contains(&b'\\')
        && matches!(serde_json::from_slice(sig), Ok(Value::Array(entries)) if check(&entries))
}

/// The end of the JSON string starting at `s[i]`.
fn skip_string(s: &[u8], i: usize) -> Option<usize> {
    if s.get(i) != Some(&b'"') {
        return None;
    }
    let mut j = i + 1;
    loop {
        j += memchr::memchr2(b'"', b'\\', s.get(j..)?)?;
        if s[j] == b'"' {
            return Some(j + 1);
        }
        j += 2;
    }
}

/// The end of the valid JSON value starting at `s[i]`.
fn skip_value(s: &[u8], i: usize) -> Option<usize> {
    match *s.get(i)? {
        b'"' => skip_string(s, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                match *s.get(j)? {
                    b'"' => {
                        j = skip_string(s, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
        }
        _ => {
            let rest = s.get(i..)?;
            let n = rest
                .iter()
                .position(|b| matches!(b, b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r'))
                .unwrap_or(rest.len());
            Some(i + n)
        }
    }
}

#[cfg(test)]
mod tests;
