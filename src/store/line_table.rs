//! What `events.ndjson` holds, learned by scanning it: one entry per well-formed line, and the
//! summary that `index.json` publishes. Scanning is incremental: only bytes past `scanned_to`
//! are read, so a store that appends keeps its view current at the cost of its own lines.

use std::collections::HashMap;

use crate::json_line;

/// One well-formed line of the events file.
#[derive(Debug, Clone, Copy)]
pub struct LineEntry {
    /// Offset of the trimmed text in the file.
    pub offset: u64,
    pub len: u32,
    /// Index of its `taskId` in `Summary::task_ids`.
    pub task: u32,
    /// The top-level numeric `timestamp`, NaN when absent or not a number.
    pub ts: f64,
    /// The text is exactly what `JSON.stringify(JSON.parse(text))` gives back.
    pub canonical: bool,
}

/// The original's index fields, kept exact as lines are scanned.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    pub event_count: u64,
    pub oldest: Option<f64>,
    pub newest: Option<f64>,
    /// Canonical JSON text of each distinct `taskId`, in first-seen order (`null` when absent).
    pub task_ids: Vec<String>,
    seen: HashMap<String, u32>,
}

impl Summary {
    pub fn from_parts(
        event_count: u64,
        oldest: Option<f64>,
        newest: Option<f64>,
        task_ids: Vec<String>,
    ) -> Self {
        let seen = task_ids
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i as u32))
            .collect();
        Summary {
            event_count,
            oldest,
            newest,
            task_ids,
            seen,
        }
    }

    /// Adds what `later` counted, as if its lines had been scanned after ours; returns where
    /// each of `later`'s task ids now is.
    fn merge(&mut self, later: Summary) -> Vec<u32> {
        self.event_count += later.event_count;
        self.add_ts(later.oldest.unwrap_or(f64::NAN));
        self.add_ts(later.newest.unwrap_or(f64::NAN));
        later
            .task_ids
            .into_iter()
            .map(|id| self.task_index(&id))
            .collect()
    }

    fn add_ts(&mut self, ts: f64) {
        if !ts.is_nan() {
            if self.oldest.is_none_or(|o| ts < o) {
                self.oldest = Some(ts);
            }
            if self.newest.is_none_or(|n| ts > n) {
                self.newest = Some(ts);
            }
        }
    }

    fn task_index(&mut self, text: &str) -> u32 {
        if let Some(&i) = self.seen.get(text) {
            return i;
        }
        let i = self.task_ids.len() as u32;
        self.seen.insert(text.to_owned(), i);
        self.task_ids.push(text.to_owned());
        i
    }

    /// Counts one event; returns the index of its task id.
    pub fn add(&mut self, ts: f64, task_id: &[u8]) -> u32 {
        self.event_count += 1;
        self.add_ts(ts);
        match std::str::from_utf8(task_id) {
            Ok(t) => self.task_index(t),
            Err(_) => self.task_index(&String::from_utf8_lossy(task_id)),
        }
    }
}

/// The scanned view of one events file.
#[derive(Debug, Default)]
pub struct LineTable {
    /// Identity of the file scanned; a different inode means it was replaced.
    pub inode: u64,
    /// Bytes of the file covered: always just past a `\n`.
    pub scanned_to: u64,
    pub summary: Summary,
    /// Per-line entries; `None` while only the summary is known (loaded from `index.json`).
    pub entries: Option<Vec<LineEntry>>,
}

impl LineTable {
    pub fn fresh(inode: u64, with_entries: bool) -> Self {
        LineTable {
            inode,
            scanned_to: 0,
            summary: Summary::default(),
            entries: with_entries.then(Vec::new),
        }
    }

    /// `scan`, on every core for inputs big enough to be worth it.
    pub fn scan_parallel(&mut self, bytes: &[u8]) {
        let base = self.scanned_to;
        let with_entries = self.entries.is_some();
        let Some(tables) = super::parallel::per_core(bytes, |from, part| {
            let mut t = LineTable::fresh(0, with_entries);
            t.scanned_to = base + from as u64;
            t.scan(part);
            t
        }) else {
            return self.scan(bytes);
        };
        for t in tables {
            self.append(t);
        }
    }

    /// Adds what `later` holds, as if its lines (which start at `self.scanned_to`) had been
    /// scanned by this table.
    pub fn append(&mut self, later: LineTable) {
        let moved = self.summary.merge(later.summary);
        if let (Some(mine), Some(theirs)) = (&mut self.entries, later.entries) {
            mine.extend(theirs.into_iter().map(|e| LineEntry {
                task: moved[e.task as usize],
                ..e
            }));
        }
        self.scanned_to = later.scanned_to;
    }

    /// Scans `bytes`, which start at file offset `self.scanned_to`, up to their last `\n`; an
    /// unterminated remainder is left for later (it may still be being written).
    pub fn scan(&mut self, bytes: &[u8]) {
        let (lines, covered) = complete_lines(bytes, self.scanned_to);
        let mut canon = Vec::new();
        for (offset, trimmed) in lines {
            let Some(info) = json_line::scan(trimmed) else {
                continue;
            };
            let ts = info.timestamp.unwrap_or(f64::NAN);
            let task_id: &[u8] = match &info.task_id {
                None => b"null",
                Some(range) => {
                    let raw = &trimmed[range.clone()];
                    if info.canonical {
                        raw
                    } else {
                        canon.clear();
                        json_line::canonicalize(raw, &mut canon);
                        &canon
                    }
                }
            };
            let task = self.summary.add(ts, task_id);
            if let Some(entries) = &mut self.entries {
                entries.push(LineEntry {
                    task,
                    offset,
                    len: trimmed.len() as u32,
                    ts,
                    canonical: info.canonical,
                });
            }
        }
        self.scanned_to += covered as u64;
    }
}

/// The complete lines of `bytes` (which start at file offset `base`) that are not blank, trimmed
/// as `String.prototype.trim` does, each with the file offset of its trimmed text; and how many
/// bytes they cover: up to the last `\n`, since a line after it may still be being written.
pub fn complete_lines(bytes: &[u8], base: u64) -> (impl Iterator<Item = (u64, &[u8])>, usize) {
    let covered = memchr::memrchr(b'\n', bytes).map_or(0, |i| i + 1);
    let mut start = 0;
    let lines = memchr::memchr_iter(b'\n', bytes).filter_map(move |nl| {
        let trimmed = json_line::trim_js(&bytes[start..nl]);
        start = nl + 1;
        let at = trimmed.as_ptr() as usize - bytes.as_ptr() as usize;
        (!trimmed.is_empty()).then_some((base + at as u64, trimmed))
    });
    (lines, covered)
}

/// Scans `file` from `table.scanned_to` to `end`; returns the unterminated remainder.
pub fn scan_file(
    file: &std::fs::File,
    table: &mut LineTable,
    end: u64,
) -> std::io::Result<Vec<u8>> {
    let from = table.scanned_to;
    let with_entries = table.entries.is_some();
    let scan_block = |start: u64, bytes: &[u8]| {
        let mut t = LineTable::fresh(0, with_entries);
        t.scanned_to = start;
        t.scan(bytes);
        t
    };
    let (parts, rest) = super::parallel::over_lines(file, from, end, scan_block)?;
    for t in parts {
        table.append(t);
    }
    Ok(rest)
}

/// Feeds `file` from `from` to `end` to `scan` in blocks of `block` bytes through one reused
/// buffer (a whole file read into fresh memory costs more in page faults than in reading).
/// `scan` gets the bytes from where it left off and says up to which file offset it consumed
/// them; returns the unconsumed remainder.
pub fn feed_file(
    file: &std::fs::File,
    from: u64,
    end: u64,
    block: u64,
    mut scan: impl FnMut(&[u8]) -> u64,
) -> std::io::Result<Vec<u8>> {
    use std::os::unix::fs::FileExt;
    let mut buf = Vec::new();
    let mut pos = from;
    while pos < end {
        let want = block.min(end - pos) as usize;
        let old = buf.len();
        buf.resize(old + want, 0);
        file.read_exact_at(&mut buf[old..], pos)?;
        pos += want as u64;
        let buf_at = pos - buf.len() as u64;
        let consumed_to = scan(&buf);
        buf.drain(..(consumed_to - buf_at) as usize);
    }
    Ok(buf)
}

/// A JSON array of event lines being written, for one `JSON.parse` in JS.
pub struct JsonArray {
    out: Vec<u8>,
}

impl JsonArray {
    pub fn with_capacity(bytes: usize) -> Self {
        let mut out = Vec::with_capacity(bytes + 2);
        out.push(b'[');
        JsonArray { out }
    }

    pub fn is_empty(&self) -> bool {
        self.out.len() == 1
    }

    /// Adds a line as the text `JSON.parse` gives the same value for as the original reading
    /// it: the line itself when it is valid UTF-8, else with U+FFFD where Node's decoder puts it.
    pub fn push_line(&mut self, text: &[u8], known_utf8: bool) {
        if !self.is_empty() {
            self.out.push(b',');
        }
        if known_utf8 || std::str::from_utf8(text).is_ok() {
            self.out.extend_from_slice(text);
        } else {
            self.out
                .extend_from_slice(String::from_utf8_lossy(text).as_bytes());
        }
    }

    pub fn finish(mut self) -> Vec<u8> {
        self.out.push(b']');
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_complete_lines_and_leaves_the_tail() {
        let mut t = LineTable::fresh(1, true);
        t.scan(b"{\"timestamp\":5,\"taskId\":\"a\"}\n\nnot json\n{\"timestamp\":2,\"taskId\":\"b\"}\n{\"timesta");
        assert_eq!(t.summary.event_count, 2);
        assert_eq!(t.summary.oldest, Some(2.0));
        assert_eq!(t.summary.newest, Some(5.0));
        assert_eq!(t.summary.task_ids, vec!["\"a\"", "\"b\""]);
        assert_eq!(t.scanned_to, 68);
        let e = t.entries.as_ref().unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[1].offset, 39);
    }

    #[test]
    fn parallel_scan_equals_one_scan() {
        let mut text = Vec::new();
        for i in 0..200_000u64 {
            text.extend_from_slice(
                format!(
                    "{{\"taskId\":\"t{}\",\"timestamp\":{}}}\n",
                    (i * 7919) % 1000,
                    (i * 31) % 5000
                )
                .as_bytes(),
            );
            if i % 9999 == 0 {
                text.extend_from_slice(b"garbage\n\n");
            }
        }
        text.extend_from_slice(b"{\"taskId\":\"tail\"");
        let mut one = LineTable::fresh(1, true);
        one.scan(&text);
        let mut many = LineTable::fresh(1, true);
        many.scan_parallel(&text);
        assert_eq!(many.summary, one.summary);
        assert_eq!(many.scanned_to, one.scanned_to);
        let (a, b) = (one.entries.unwrap(), many.entries.unwrap());
        assert_eq!(a.len(), b.len());
        assert!(a
            .iter()
            .zip(&b)
            .all(|(x, y)| x.offset == y.offset && x.len == y.len));
    }

    #[test]
    fn incremental_scan_equals_one_scan() {
        let text = b"{\"timestamp\":1,\"taskId\":\"x\"}\n{\"timestamp\":3}\n{\"taskId\":\"y\",\"timestamp\":2}\n";
        let mut whole = LineTable::fresh(1, true);
        whole.scan(text);
        for cut in 0..text.len() {
            let mut parts = LineTable::fresh(1, true);
            parts.scan(&text[..cut]);
            let done = parts.scanned_to as usize;
            parts.scan(&text[done..]);
            assert_eq!(parts.summary, whole.summary, "cut at {cut}");
            assert_eq!(parts.scanned_to, whole.scanned_to);
        }
    }
}
