//! `JSON.stringify(JSON.parse(text))`: the text is parsed into a flat tree (no recursion, so no
//! depth limit and no recursive drop), objects are put in V8's property order, then printed.

use super::text::{self, array_index};
use std::cell::RefCell;

#[derive(Clone, Copy)]
enum Node {
    /// `null`, `true`, `false`, or a number: a range of the input.
    Token(usize, usize),
    /// A string value or key: the raw content of the literal, between the quotes. `plain` when
    /// it has no escapes and is valid UTF-8, so that it denotes exactly its bytes.
    Str {
        start: usize,
        end: usize,
        plain: bool,
    },
    /// A key that is not plain, decoded: a range of `Tree::keys` (WTF-8).
    Key(usize, usize),
    /// An array: a range of `Tree::children`.
    Array(usize, usize),
    /// An object: a range of `Tree::children` holding key, value, key, value...
    Object(usize, usize),
}

/// Buffers reused across calls.
#[derive(Default)]
struct Tree {
    nodes: Vec<Node>,
    children: Vec<usize>,
    keys: Vec<u8>,
    /// Open containers while parsing: whether an object, and where its items start in `pending`.
    open: Vec<(bool, usize)>,
    /// Items of the open containers.
    pending: Vec<usize>,
    hashes: Vec<u64>,
    scratch: Vec<u8>,
}

thread_local! {
    static TREE: RefCell<Tree> = RefCell::default();
}

pub fn canonicalize(t: &[u8], out: &mut Vec<u8>) {
    TREE.with(|tree| match tree.try_borrow_mut() {
        Ok(mut tree) => tree.canonicalize(t, out),
        Err(_) => Tree::default().canonicalize(t, out),
    })
}

fn skip_ws(t: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = t.get(i) {
        i += 1;
    }
    i
}

/// End of the string literal whose content starts at `i` (the position after its closing
/// quote), and whether it holds escapes.
fn string_end(t: &[u8], mut i: usize) -> Option<(usize, bool)> {
    let mut escaped = false;
    loop {
        i = text::find_string_special(t, i);
        match t.get(i)? {
            b'"' => return Some((i + 1, escaped)),
            b'\\' => {
                escaped = true;
                i += if t.get(i + 1)? == &b'u' { 6 } else { 2 };
            }
            _ => return None,
        }
    }
}

/// The bytes of the key `node` denotes (WTF-8).
fn key_bytes<'a>(t: &'a [u8], keys: &'a [u8], node: Node) -> &'a [u8] {
    match node {
        Node::Str { start, end, .. } => &t[start..end],
        Node::Key(a, b) => &keys[a..b],
        _ => &[],
    }
}

/// A hash of a key, only to find repeats quickly.
fn hash_key(k: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let (a, b) = if k.len() >= 8 {
        let load = |i: usize| u64::from_le_bytes(k[i..i + 8].try_into().unwrap());
        (load(0), load(k.len() - 8))
    } else {
        (k.iter().fold(0u64, |h, &c| h << 8 | c as u64), 0)
    };
    ((a.wrapping_mul(K) ^ b).rotate_left(29) ^ k.len() as u64).wrapping_mul(K)
}

impl Tree {
    fn canonicalize(&mut self, t: &[u8], out: &mut Vec<u8>) {
        self.nodes.clear();
        self.children.clear();
        self.keys.clear();
        self.open.clear();
        self.pending.clear();
        let utf8 = std::str::from_utf8(t).is_ok();
        if let Some(root) = self.parse(t, utf8) {
            self.print(t, root, out);
        }
    }

    fn push(&mut self, node: Node) -> usize {
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    /// A node for the string literal whose content starts at `i`, and the position after it.
    fn string(&mut self, t: &[u8], i: usize, utf8: bool) -> Option<(Node, usize)> {
        let (end, escaped) = string_end(t, i)?;
        let plain = !escaped && (utf8 || std::str::from_utf8(&t[i..end - 1]).is_ok());
        Some((
            Node::Str {
                start: i,
                end: end - 1,
                plain,
            },
            end,
        ))
    }

    /// Builds the tree of a text that passed `scan`; returns the root. Trusts the grammar was
    /// checked, but stays in bounds whatever the input.
    fn parse(&mut self, t: &[u8], utf8: bool) -> Option<usize> {
        let mut i = skip_ws(t, 0);
        loop {
            // A value starts at `i`.
            let mut node = match *t.get(i)? {
                b'{' | b'[' => {
                    let is_object = t[i] == b'{';
                    i = skip_ws(t, i + 1);
                    if t.get(i) == Some(if is_object { &b'}' } else { &b']' }) {
                        i += 1;
                        Some(self.push(if is_object {
                            Node::Object(0, 0)
                        } else {
                            Node::Array(0, 0)
                        }))
                    } else {
                        self.open.push((is_object, self.pending.len()));
                        if is_object {
                            i = self.key(t, i, utf8)?;
                        }
                        None
                    }
                }
                b'"' => {
                    let (node, end) = self.string(t, i + 1, utf8)?;
                    i = end;
                    Some(self.push(node))
                }
                _ => {
                    let end = i + t[i..]
                        .iter()
                        .position(
                            |c| !matches!(c, b'-' | b'+' | b'.' | b'0'..=b'9' | b'a'..=b'z' | b'E'),
                        )
                        .unwrap_or(t.len() - i);
                    if end == i {
                        return None;
                    }
                    let node = self.push(Node::Token(i, end));
                    i = end;
                    Some(node)
                }
            };
            // Values end here; closing brackets end more of them.
            while let Some(value) = node.take() {
                i = skip_ws(t, i);
                let Some(&(is_object, start)) = self.open.last() else {
                    return Some(value);
                };
                self.pending.push(value);
                match *t.get(i)? {
                    b',' => {
                        i = skip_ws(t, i + 1);
                        if is_object {
                            i = self.key(t, i, utf8)?;
                        }
                    }
                    b']' | b'}' => {
                        i += 1;
                        self.open.pop();
                        let first = self.children.len();
                        let container = if is_object {
                            self.close_object(t, start);
                            Node::Object(first, self.children.len())
                        } else {
                            self.children.extend_from_slice(&self.pending[start..]);
                            Node::Array(first, self.children.len())
                        };
                        self.pending.truncate(start);
                        node = Some(self.push(container));
                    }
                    _ => return None,
                }
            }
        }
    }

    /// Pushes a node for the key whose opening quote is at `i` on `pending`; returns the
    /// position of its value.
    fn key(&mut self, t: &[u8], i: usize, utf8: bool) -> Option<usize> {
        if t.get(i) != Some(&b'"') {
            return None;
        }
        let (mut node, end) = self.string(t, i + 1, utf8)?;
        if let Node::Str {
            start,
            end,
            plain: false,
        } = node
        {
            let first = self.keys.len();
            text::decode_string(&t[start..end], &mut self.keys);
            node = Node::Key(first, self.keys.len());
        }
        let node = self.push(node);
        self.pending.push(node);
        let colon = skip_ws(t, end);
        (t.get(colon) == Some(&b':')).then(|| skip_ws(t, colon + 1))
    }

    /// Appends to `children` the object whose members (key, value, key, value...) are
    /// `pending[start..]`, as `JSON.parse` builds it: a repeated key keeps the place of its first
    /// occurrence and the value of its last; array-index keys come first in ascending order,
    /// then the others in order of first occurrence.
    fn close_object(&mut self, t: &[u8], start: usize) {
        let members = &self.pending[start..];
        let key = |m: usize| key_bytes(t, &self.keys, self.nodes[members[2 * m]]);
        let n = members.len() / 2;

        // Usually no key is an index or repeated, and the members stay as written.
        self.hashes.clear();
        let mut seen = 0u128;
        let in_order = (0..n).all(|m| {
            let k = key(m);
            let hash = hash_key(k);
            let bit = 1u128 << (hash >> 57);
            let fresh = seen & bit == 0 || !self.hashes.contains(&hash);
            seen |= bit;
            self.hashes.push(hash);
            fresh && array_index(k).is_none()
        });
        if in_order {
            self.children.extend_from_slice(members);
            return;
        }

        let mut by_key: Vec<usize> = (0..n).collect();
        by_key.sort_by(|&a, &b| key(a).cmp(key(b)).then(a.cmp(&b)));
        let mut placed: Vec<(u64, usize, usize)> = Vec::with_capacity(n);
        for group in by_key.chunk_by(|&a, &b| key(a) == key(b)) {
            let (first, last) = (group[0], group[group.len() - 1]);
            let rank = match array_index(key(first)) {
                Some(index) => u64::from(index),
                None => (1 << 32) + first as u64,
            };
            placed.push((rank, members[2 * first], members[2 * last + 1]));
        }
        placed.sort_unstable_by_key(|p| p.0);
        for (_, k, v) in placed {
            self.children.extend_from_slice(&[k, v]);
        }
    }

    fn print(&mut self, t: &[u8], root: usize, out: &mut Vec<u8>) {
        // Open containers: the next child to print, the first and end of the children, and
        // the closing bracket.
        let mut open: Vec<(usize, usize, usize, u8)> = Vec::new();
        let mut next = Some(root);
        loop {
            if let Some(node) = next.take() {
                match self.nodes[node] {
                    Node::Token(a, b) => print_token(&t[a..b], out),
                    Node::Array(a, b) => {
                        out.push(b'[');
                        open.push((a, a, b, b']'));
                    }
                    Node::Object(a, b) => {
                        out.push(b'{');
                        open.push((a, a, b, b'}'));
                    }
                    string => self.print_string(t, string, out),
                }
            }
            let Some(top) = open.last_mut() else { return };
            let (child, first, end, closer) = *top;
            if child == end {
                out.push(closer);
                open.pop();
                continue;
            }
            if child != first {
                out.push(b',');
            }
            if closer == b'}' {
                top.0 += 2;
                self.print_string(t, self.nodes[self.children[child]], out);
                out.push(b':');
                next = Some(self.children[child + 1]);
            } else {
                top.0 += 1;
                next = Some(self.children[child]);
            }
        }
    }

    fn print_string(&mut self, t: &[u8], node: Node, out: &mut Vec<u8>) {
        match node {
            Node::Str {
                start,
                end,
                plain: true,
            } => {
                out.push(b'"');
                out.extend_from_slice(&t[start..end]);
                out.push(b'"');
            }
            Node::Str {
                start,
                end,
                plain: false,
            } => {
                self.scratch.clear();
                text::decode_string(&t[start..end], &mut self.scratch);
                text::write_escaped(&self.scratch, out);
            }
            Node::Key(a, b) => text::write_escaped(&self.keys[a..b], out),
            _ => {}
        }
    }
}

/// Prints `null`, `true`, `false` or a number token as `JSON.stringify` does.
fn print_token(token: &[u8], out: &mut Vec<u8>) {
    let plain_integer = token.len() <= 15 && token.iter().all(|&c| c == b'-' || c.is_ascii_digit());
    if matches!(token[0], b'n' | b't' | b'f') || (plain_integer && token != b"-0") {
        // Integers of up to 15 characters are exact doubles and print as written.
        out.extend_from_slice(token);
    } else {
        text::write_number(text::parse_number(token), out);
    }
}
