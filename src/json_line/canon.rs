//! `JSON.stringify(JSON.parse(text))`: the text is parsed into a flat tree (no recursion, so no
//! depth limit and no recursive drop), objects are put in V8's property order, then printed.

use super::text::{self, array_index};

#[derive(Clone, Copy)]
enum Node {
    /// `null`, `true`, `false`, or a number: a range of the input.
    Token(usize, usize),
    /// A string value: the raw content of the literal, between the quotes.
    Str(usize, usize),
    /// A decoded object key: a range of `Tree::keys` (WTF-8).
    Key(usize, usize),
    /// An array: a range of `Tree::children`.
    Array(usize, usize),
    /// An object: a range of `Tree::children` holding key, value, key, value...
    Object(usize, usize),
}

#[derive(Default)]
struct Tree {
    nodes: Vec<Node>,
    children: Vec<usize>,
    keys: Vec<u8>,
}

pub fn canonicalize(t: &[u8], out: &mut Vec<u8>) {
    let mut tree = Tree::default();
    if let Some(root) = tree.parse(t) {
        tree.print(t, root, out);
    }
}

fn skip_ws(t: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = t.get(i) {
        i += 1;
    }
    i
}

/// End of the string literal whose content starts at `i` (the position after its closing quote).
fn string_end(t: &[u8], mut i: usize) -> Option<usize> {
    loop {
        i = text::find_string_special(t, i);
        match t.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => i += if t.get(i + 1)? == &b'u' { 6 } else { 2 },
            _ => return None,
        }
    }
}

impl Tree {
    fn push(&mut self, node: Node) -> usize {
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    /// Builds the tree of a text that passed `scan`; returns the root. Trusts the grammar was
    /// checked, but stays in bounds whatever the input.
    fn parse(&mut self, t: &[u8]) -> Option<usize> {
        // Open containers: whether an object, and where its items start in `pending`.
        let mut open: Vec<(bool, usize)> = Vec::new();
        let mut pending: Vec<usize> = Vec::new();
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
                        open.push((is_object, pending.len()));
                        if is_object {
                            i = self.key(t, i, &mut pending)?;
                        }
                        None
                    }
                }
                b'"' => {
                    let end = string_end(t, i + 1)?;
                    let node = self.push(Node::Str(i + 1, end - 1));
                    i = end;
                    Some(node)
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
                let Some(&(is_object, start)) = open.last() else {
                    return Some(value);
                };
                pending.push(value);
                match *t.get(i)? {
                    b',' => {
                        i = skip_ws(t, i + 1);
                        if is_object {
                            i = self.key(t, i, &mut pending)?;
                        }
                    }
                    b']' | b'}' => {
                        i += 1;
                        open.pop();
                        let container = if is_object {
                            self.close_object(&pending[start..])
                        } else {
                            let first = self.children.len();
                            self.children.extend_from_slice(&pending[start..]);
                            Node::Array(first, self.children.len())
                        };
                        pending.truncate(start);
                        node = Some(self.push(container));
                    }
                    _ => return None,
                }
            }
        }
    }

    /// Decodes the key at `i` (its opening quote) into a `Key` node pushed on `pending`; returns
    /// the position of its value.
    fn key(&mut self, t: &[u8], i: usize, pending: &mut Vec<usize>) -> Option<usize> {
        let end = string_end(t, i + 1)?;
        let first = self.keys.len();
        text::decode_string(&t[i + 1..end - 1], &mut self.keys);
        pending.push(self.push(Node::Key(first, self.keys.len())));
        let colon = skip_ws(t, end);
        (t.get(colon) == Some(&b':')).then(|| skip_ws(t, colon + 1))
    }

    /// The object of `members` (key, value, key, value...) as `JSON.parse` builds it: a repeated
    /// key keeps the place of its first occurrence and the value of its last; array-index keys
    /// come first in ascending order, then the others in order of first occurrence.
    fn close_object(&mut self, members: &[usize]) -> Node {
        let key = |node: usize| match self.nodes[node] {
            Node::Key(a, b) => &self.keys[a..b],
            _ => &[],
        };
        let n = members.len() / 2;
        let mut by_key: Vec<usize> = (0..n).collect();
        by_key.sort_by(|&a, &b| key(members[2 * a]).cmp(key(members[2 * b])).then(a.cmp(&b)));
        let mut placed: Vec<(u64, usize, usize)> = Vec::with_capacity(n);
        for group in by_key.chunk_by(|&a, &b| key(members[2 * a]) == key(members[2 * b])) {
            let (first, last) = (group[0], group[group.len() - 1]);
            let k = members[2 * first];
            let rank = match array_index(key(k)) {
                Some(index) => u64::from(index),
                None => (1 << 32) + first as u64,
            };
            placed.push((rank, k, members[2 * last + 1]));
        }
        placed.sort_unstable_by_key(|p| p.0);
        let start = self.children.len();
        for (_, k, v) in placed {
            self.children.extend_from_slice(&[k, v]);
        }
        Node::Object(start, self.children.len())
    }

    fn print(&self, t: &[u8], root: usize, out: &mut Vec<u8>) {
        // Open containers: the next child to print, the first and end of the children, and
        // the closing bracket.
        let mut open: Vec<(usize, usize, usize, u8)> = Vec::new();
        let mut scratch = Vec::new();
        let mut next = Some(root);
        loop {
            if let Some(node) = next.take() {
                match self.nodes[node] {
                    Node::Token(a, b) => print_token(&t[a..b], out),
                    Node::Str(a, b) => {
                        let raw = &t[a..b];
                        if memchr::memchr(b'\\', raw).is_none() && std::str::from_utf8(raw).is_ok()
                        {
                            out.push(b'"');
                            out.extend_from_slice(raw);
                            out.push(b'"');
                        } else {
                            scratch.clear();
                            text::decode_string(raw, &mut scratch);
                            text::write_escaped(&scratch, out);
                        }
                    }
                    Node::Key(a, b) => text::write_escaped(&self.keys[a..b], out),
                    Node::Array(a, b) => {
                        out.push(b'[');
                        open.push((a, a, b, b']'));
                    }
                    Node::Object(a, b) => {
                        out.push(b'{');
                        open.push((a, a, b, b'}'));
                    }
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
                if let Node::Key(a, b) = self.nodes[self.children[child]] {
                    text::write_escaped(&self.keys[a..b], out);
                }
                out.push(b':');
                top.0 += 2;
                next = Some(self.children[child + 1]);
            } else {
                top.0 += 1;
                next = Some(self.children[child]);
            }
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
