//! Differential test of `json_line` against Node itself: many generated lines are written to a
//! file, Node reads it with `readFileSync(path, 'utf8')`, splits on '\n' and applies
//! `trim` + `JSON.parse` + `JSON.stringify`; the Rust side must agree line by line.
//!
//! Seed: `JSON_LINE_SEED` (default fixed); line count: `JSON_LINE_CASES` (default 30000); the
//! Node binary: `JSON_LINE_NODE` (default `node` on PATH; `npm test` runs it for each tested Node).

use native_ledger::json_line::{canonicalize, scan, trim_js};
use std::io::Write;
use std::process::Command;

const NODE_SCRIPT: &str = r#"
const fs = require('fs');
const lines = fs.readFileSync(process.argv[2], 'utf8').split('\n');
const out = [];
for (const line of lines) {
  let o;
  try { o = JSON.parse(line.trim()); } catch { out.push('ERR'); continue; }
  let s;
  try { s = JSON.stringify(o); } catch (e) {
    out.push(e instanceof RangeError ? 'DEEP' : 'STRINGIFY-ERR ' + e); continue;
  }
  const isObj = o !== null && typeof o === 'object' && !Array.isArray(o);
  let ts = '-';
  if (isObj && typeof o.timestamp === 'number') ts = Object.is(o.timestamp, -0) ? '-0' : String(o.timestamp);
  const task = isObj && o.taskId !== undefined ? JSON.stringify(o.taskId) : '-';
  out.push('OK\t' + s + '\t' + ts + '\t' + task);
}
fs.writeFileSync(process.argv[3], out.join('\n'));
"#;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // SplitMix64
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        items[self.below(items.len())]
    }
}

const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "1",
    "-1",
    "0.1",
    "1e21",
    "1E21",
    "1e+21",
    "1e-7",
    "1.5e-7",
    "1e20",
    "123456789012345678901",
    "4294967295",
    "4294967296",
    "9007199254740993",
    "1e400",
    "-1e400",
    "5e-324",
    "2e-324",
    "1e-400",
    "1.7976931348623157e308",
    "1.7976931348623159e308",
    "0.0",
    "100e-2",
    "12.50",
    "0e0",
    "-0.0e+0",
    "1712345678901",
    "3.14159",
    "2.5E3",
    "0.000001",
    "0.0000001",
    "123456789012345680000",
    "01",
    "1.",
    ".5",
    "+1",
    "-",
    "1e",
    "1e+",
    "--1",
    "1.e5",
    "0x1",
    "-01",
    "Infinity",
    "NaN",
];

const STRING_PIECES: &[&[u8]] = &[
    b"abc",
    b"task-42",
    b" ",
    b"\\\"",
    b"\\\\",
    b"\\/",
    b"\\b",
    b"\\f",
    b"\\n",
    b"\\r",
    b"\\t",
    b"\\u0000",
    b"\\u001f",
    b"\\u001F",
    b"\\u0041",
    b"\\u00e9",
    b"\\u00E9",
    b"\\u007f",
    b"\\u2028",
    b"\\ud800",
    b"\\uD800",
    b"\\udbff",
    b"\\udc00",
    b"\\udfff",
    b"\\ud83d\\ude00",
    b"\\ud83d",
    b"\\ude00",
    b"\\uffff",
    b"\\ufeff",
    "\u{2028}".as_bytes(),
    "\u{2029}".as_bytes(),
    "é".as_bytes(),
    "\u{1f600}".as_bytes(),
    "\u{7f}".as_bytes(),
    "\u{a0}".as_bytes(),
    "\u{feff}".as_bytes(),
    "\u{fffd}".as_bytes(),
    "日本".as_bytes(),
    b"\xff",
    b"\xfe",
    b"\xc0\x80",
    b"\xc2",
    b"\xed\xa0\x80",
    b"\xed\xbf\xbf",
    b"\xf0\x9f\x98",
    b"\xe2\x80",
    b"\xf4\x90\x80\x80",
    b"\x80",
    b"\t",
    b"\x01",
    b"\x1f",
    b"\\x",
    b"\\u12",
    b"\\U0041",
    b"\r",
];

const KEYS: &[&str] = &[
    "\"timestamp\"",
    "\"time\\u0073tamp\"",
    "\"\\u0074imestamp\"",
    "\"taskId\"",
    "\"task\\u0049d\"",
    "\"a\"",
    "\"\\u0061\"",
    "\"b\"",
    "\"0\"",
    "\"1\"",
    "\"2\"",
    "\"\\u0031\"",
    "\"01\"",
    "\"10\"",
    "\"-1\"",
    "\"1.5\"",
    "\"4294967294\"",
    "\"4294967295\"",
    "\"4294967296\"",
    "\"__proto__\"",
    "\"constructor\"",
    "\"\"",
    "\"\\ud800\"",
    "\"\\ud83d\\ude00\"",
    "\"\u{1f600}\"",
    "\"\u{fffd}\"",
    "\"\\ufffd\"",
    "\"\u{2028}\"",
];

const WS: &[&str] = &["", "", "", "", " ", "\t", "\r", "  ", " \t "];
const BAD_WS: &[&str] = &[
    "\u{a0}", "\u{feff}", "\u{b}", "\u{c}", "\u{2028}", "\u{3000}",
];
const AROUND: &[&str] = &[
    " ", "\t", "\r", "\u{b}", "\u{c}", "\u{a0}", "\u{feff}", "\u{1680}", "\u{2000}", "\u{200a}",
    "\u{2028}", "\u{2029}", "\u{202f}", "\u{205f}", "\u{3000}", "\u{85}", "\u{180e}", "\u{200b}",
];

struct Gen {
    rng: Rng,
    /// Percent chance of each slip (an invalid piece) where one can occur.
    slip: usize,
}

impl Gen {
    fn ws(&mut self, out: &mut Vec<u8>) {
        let w = if self.rng.chance(self.slip) {
            self.rng.pick(BAD_WS)
        } else {
            self.rng.pick(WS)
        };
        out.extend_from_slice(w.as_bytes());
    }

    fn string(&mut self, out: &mut Vec<u8>) {
        out.push(b'"');
        for _ in 0..self.rng.below(5) {
            let piece = self.rng.pick(STRING_PIECES);
            let invalid = piece.starts_with(b"\\x")
                || piece.starts_with(b"\\u12")
                || piece.starts_with(b"\\U");
            let control = piece.iter().any(|&c| c < 0x20);
            if (invalid || control) && !self.rng.chance(self.slip) {
                continue;
            }
            out.extend_from_slice(piece);
        }
        out.push(b'"');
    }

    fn number(&mut self, out: &mut Vec<u8>) {
        let n = if self.rng.chance(60) {
            let mut s = String::new();
            if self.rng.chance(30) {
                s.push('-');
            }
            let digits = 1 + self.rng.below(20);
            for i in 0..digits {
                let d = self.rng.below(10);
                s.push(char::from(
                    b'0' + if i == 0 && digits > 1 { 1 + d % 9 } else { d } as u8,
                ));
            }
            if self.rng.chance(30) {
                s.push('.');
                for _ in 0..1 + self.rng.below(18) {
                    s.push(char::from(b'0' + self.rng.below(10) as u8));
                }
            }
            if self.rng.chance(30) {
                s.push(if self.rng.chance(50) { 'e' } else { 'E' });
                s.push_str(self.rng.pick(&["", "+", "-"]));
                s.push_str(&self.rng.below(400).to_string());
            }
            s
        } else {
            loop {
                let n = self.rng.pick(NUMBERS);
                let valid = !matches!(
                    n,
                    "01" | "1."
                        | ".5"
                        | "+1"
                        | "-"
                        | "1e"
                        | "1e+"
                        | "--1"
                        | "1.e5"
                        | "0x1"
                        | "-01"
                        | "Infinity"
                        | "NaN"
                );
                if valid || self.rng.chance(self.slip) {
                    break n.to_string();
                }
            }
        };
        out.extend_from_slice(n.as_bytes());
    }

    fn value(&mut self, depth: usize, out: &mut Vec<u8>) {
        let kind = if depth >= 4 {
            self.rng.below(4)
        } else {
            self.rng.below(7)
        };
        match kind {
            0 => out.extend_from_slice(self.rng.pick(&["null", "true", "false"]).as_bytes()),
            1 => self.number(out),
            2 | 3 => self.string(out),
            4 => {
                out.push(b'[');
                let n = self.rng.below(5);
                for i in 0..n {
                    if i > 0 {
                        out.push(b',');
                    }
                    self.ws(out);
                    self.value(depth + 1, out);
                    self.ws(out);
                }
                if n == 0 {
                    self.ws(out);
                }
                out.push(b']');
            }
            _ => self.object(depth, out),
        }
    }

    fn object(&mut self, depth: usize, out: &mut Vec<u8>) {
        out.push(b'{');
        let n = self.rng.below(7);
        for i in 0..n {
            if i > 0 {
                out.push(b',');
            }
            self.ws(out);
            if self.rng.chance(60) {
                out.extend_from_slice(self.rng.pick(KEYS).as_bytes());
            } else {
                self.string(out);
            }
            self.ws(out);
            out.push(b':');
            self.ws(out);
            self.value(depth + 1, out);
            self.ws(out);
        }
        if n == 0 {
            self.ws(out);
        }
        out.push(b'}');
    }

    fn line(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        for _ in 0..self.rng.below(3) {
            if self.rng.chance(30) {
                out.extend_from_slice(self.rng.pick(AROUND).as_bytes());
            }
        }
        if self.rng.chance(70) {
            self.object(0, &mut out);
        } else {
            self.value(0, &mut out);
        }
        for _ in 0..self.rng.below(3) {
            if self.rng.chance(30) {
                out.extend_from_slice(self.rng.pick(AROUND).as_bytes());
            }
        }
        if self.rng.chance(self.slip) {
            // A random edit: cut, insert or replace one byte.
            let i = self.rng.below(out.len() + 1);
            let b: &[u8] = self.rng.pick(&[
                &b","[..],
                b"]",
                b"}",
                b"\"",
                b"\\",
                b"0",
                b"-",
                b":",
                b"\xff",
                b" ",
                b"{",
                b"[",
                b".",
            ]);
            match self.rng.below(3) {
                0 if i < out.len() => {
                    out.remove(i);
                }
                1 => out.splice(i..i, b.iter().copied()).for_each(drop),
                _ => out
                    .splice(i..(i + 1).min(out.len()), b.iter().copied())
                    .for_each(drop),
            }
        }
        out.retain(|&c| c != b'\n');
        out
    }
}

fn edge_cases() -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = [
        &b""[..],
        b"   ",
        b"\xef\xbb\xbf{\"timestamp\":1}",
        b"{\"timestamp\":1,\"timestamp\":\"x\"}",
        b"{\"timestamp\":\"x\",\"timestamp\":-0}",
        b"{\"taskId\":{\"b\":1,\"a\":[1,2,{\"c\":null}]},\"taskId\":[\"\\ud800\"]}",
        b"{\"a\":1,\"b\":2,\"a\":3}",
        b"{\"b\":1,\"2\":2,\"1\":3,\"4294967294\":4,\"4294967295\":5,\"01\":6,\"-1\":7,\"0\":8}",
        b"\"\\ud800\\udc00\\ud800\\ud800\\udc00\\udc00\"",
        b"[1e21,1e-7,-0,1e400,5e-324,0.1,4294967296,123456789012345678901234]",
        b"{\"\xff\":1,\"\xfe\":2}",
        b"\"\xed\xa0\x80\xed\xb0\x80\"",
        b"\"\xf0\x80\x80\x80\xf8\x88\x80\x80\x80\"",
        b"[\xff]",
        b"\xff",
        b"1\xff",
        b"\xc2\xa0[1]\xc2\xa0",
        b"\r[1]\r",
        b"[1,\xc2\xa02]",
        b"{\"__proto__\":{\"x\":1},\"a\":1}",
    ]
    .iter()
    .map(|s| s.to_vec())
    .collect();
    for depth in [100, 1000, 3000, 100_000] {
        v.push(format!("{}{}", "[".repeat(depth), "]".repeat(depth)).into_bytes());
        v.push(format!("{}0{}", "{\"a\":".repeat(depth), "}".repeat(depth)).into_bytes());
    }
    v
}

/// V8's canonical form of one line, by a fresh Node process that parses nothing else first.
fn alone(node: &str, dir: &std::path::Path, line: &[u8]) -> String {
    let (input, output) = (dir.join("alone.ndjson"), dir.join("alone.txt"));
    std::fs::write(&input, line).unwrap();
    let status = Command::new(node)
        .arg(dir.join("oracle.js"))
        .arg(&input)
        .arg(&output)
        .status()
        .unwrap();
    assert!(status.success());
    let result = std::fs::read_to_string(&output).unwrap();
    result.splitn(3, '\t').nth(1).unwrap_or("").to_string()
}

#[test]
fn agrees_with_node_line_by_line() {
    let node = std::env::var("JSON_LINE_NODE").unwrap_or_else(|_| "node".into());
    let Ok(version) = Command::new(&node).arg("--version").output() else {
        println!("note: `{node}` not found; skipping the differential test against V8");
        return;
    };
    println!(
        "oracle: {node} {}",
        String::from_utf8_lossy(&version.stdout).trim()
    );
    let seed: u64 = std::env::var("JSON_LINE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_1e55);
    let cases: usize = std::env::var("JSON_LINE_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30_000);
    let mut gen = Gen {
        rng: Rng(seed),
        slip: 0,
    };
    // The first line is plain, so the file does not start with a BOM.
    let mut lines = vec![b"{}".to_vec()];
    lines.extend(edge_cases());
    for i in 0..cases {
        gen.slip = [0, 2, 10][i % 3];
        lines.push(gen.line());
    }

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (input, output, script) = (
        dir.join("in.ndjson"),
        dir.join("out.txt"),
        dir.join("oracle.js"),
    );
    std::fs::write(&script, NODE_SCRIPT).unwrap();
    let mut file = std::fs::File::create(&input).unwrap();
    file.write_all(&lines.join(&b'\n')).unwrap();
    drop(file);
    let status = Command::new(&node)
        .arg(&script)
        .arg(&input)
        .arg(&output)
        .status()
        .unwrap();
    assert!(status.success());
    let results = std::fs::read_to_string(&output).unwrap();
    let results: Vec<&str> = results.split('\n').collect();
    assert_eq!(results.len(), lines.len());

    let (mut valid, mut canonical, mut mismatches, mut v8_state_bug) = (0, 0, Vec::new(), 0);
    for (line, expected) in lines.iter().zip(&results) {
        let text = trim_js(line);
        let got = scan(text);
        let shown = String::from_utf8_lossy(line);
        if *expected == "ERR" {
            if got.is_some() {
                mismatches.push(format!("accepted what V8 rejects: {shown:?}"));
            }
            continue;
        }
        let Some(got) = got else {
            mismatches.push(format!("rejected what V8 accepts: {shown:?}"));
            continue;
        };
        valid += 1;
        if *expected == "DEEP" {
            continue; // V8's JSON.stringify ran out of stack; JSON.parse accepted it.
        }
        let fields: Vec<&str> = expected.splitn(4, '\t').collect();
        assert_eq!(fields[0], "OK", "unexpected oracle output {expected:?}");
        let mut out = Vec::new();
        canonicalize(text, &mut out);
        if out != fields[1].as_bytes() && alone(&node, dir, line).as_bytes() == out.as_slice() {
            // V8 13.6 (Node 24) JSON.parse can return a wrong key that depends on what it parsed
            // before: after `{"\\":1}`, `{"\ud800":1}` and `{"\b":1}` come back with the key
            // `\`. The same line in a fresh process gives the text's key, as we do (README).
            v8_state_bug += 1;
            continue;
        }
        if out != fields[1].as_bytes() {
            mismatches.push(format!(
                "canonicalize {shown:?}: got {:?}, V8 {:?}",
                String::from_utf8_lossy(&out),
                fields[1]
            ));
        }
        if got.canonical {
            canonical += 1;
            if text != fields[1].as_bytes() {
                mismatches.push(format!(
                    "marked canonical but V8 prints {:?}: {shown:?}",
                    fields[1]
                ));
            }
        }
        let want_ts: Option<f64> = match fields[2] {
            "-" => None,
            s => Some(s.parse().unwrap()),
        };
        if got.timestamp.map(f64::to_bits) != want_ts.map(f64::to_bits) {
            mismatches.push(format!(
                "timestamp {:?} vs V8 {:?}: {shown:?}",
                got.timestamp, want_ts
            ));
        }
        let got_task = got.task_id.map(|r| {
            let mut out = Vec::new();
            canonicalize(&text[r], &mut out);
            String::from_utf8(out).unwrap()
        });
        let want_task = (fields[3] != "-").then(|| fields[3].to_string());
        if got_task != want_task {
            mismatches.push(format!(
                "taskId {got_task:?} vs V8 {want_task:?}: {shown:?}"
            ));
        }
    }
    println!(
        "{} lines, {valid} valid, {canonical} seen as canonical, {v8_state_bug} where this V8 \
         parsed a key wrongly after earlier lines (and right alone)",
        lines.len()
    );
    assert!(
        valid > lines.len() / 3 && canonical > 100,
        "the generator should make many valid lines"
    );
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches[..mismatches.len().min(30)].join("\n")
    );
}
