//! What `events.ndjson` holds, learned by scanning it: one entry per well-formed line, and the
//! summary that `index.json` publishes. Scanning is incremental: only bytes past `scanned_to`
//! are read, so a store that appends keeps its view current at the cost of its own lines.

use std::collections::HashSet;

use crate::json_line;

/// One well-formed line of the events file.
#[derive(Debug, Clone, Copy)]
pub struct LineEntry {
    /// Offset of the trimmed text in the file.
    pub offset: u64,
    pub len: u32,
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
    seen: HashSet<String>,
}

impl Summary {
    pub fn from_parts(
        event_count: u64,
        oldest: Option<f64>,
        newest: Option<f64>,
        task_ids: Vec<String>,
    ) -> Self {
        let seen = task_ids.iter().cloned().collect();
        Summary {
            event_count,
            oldest,
            newest,
            task_ids,
            seen,
        }
    }

    fn add(&mut self, ts: f64, task_id: &[u8]) {
        self.event_count += 1;
        if !ts.is_nan() {
            if self.oldest.is_none_or(|o| ts < o) {
                self.oldest = Some(ts);
            }
            if self.newest.is_none_or(|n| ts > n) {
                self.newest = Some(ts);
            }
        }
        // Lookup by borrowed text first: most events repeat a task id already seen.
        let text = std::str::from_utf8(task_id).ok();
        if text.is_some_and(|t| self.seen.contains(t)) {
            return;
        }
        let owned = match text {
            Some(t) => t.to_owned(),
            None => String::from_utf8_lossy(task_id).into_owned(),
        };
        if self.seen.insert(owned.clone()) {
            self.task_ids.push(owned);
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

    /// Scans `bytes`, which start at file offset `self.scanned_to`, up to their last `\n`; an
    /// unterminated remainder is left for later (it may still be being written).
    pub fn scan(&mut self, bytes: &[u8]) {
        let base = self.scanned_to;
        let mut canon = Vec::new();
        let mut start = 0usize;
        for nl in memchr::memchr_iter(b'\n', bytes) {
            let line = &bytes[start..nl];
            let line_start = start;
            start = nl + 1;
            let trimmed = json_line::trim_js(line);
            if trimmed.is_empty() {
                continue;
            }
            let Some(info) = json_line::scan(trimmed) else {
                continue;
            };
            let lead = trimmed.as_ptr() as usize - line.as_ptr() as usize;
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
            self.summary.add(ts, task_id);
            if let Some(entries) = &mut self.entries {
                entries.push(LineEntry {
                    offset: base + (line_start + lead) as u64,
                    len: trimmed.len() as u32,
                    ts,
                    canonical: info.canonical,
                });
            }
        }
        self.scanned_to = base + start as u64;
    }
}

/// The text `JSON.parse` gives the same value for as the original reading `text`: the line
/// itself when it is valid UTF-8, else with U+FFFD where Node's decoder puts it.
pub fn push_line_text(out: &mut Vec<u8>, text: &[u8], known_utf8: bool) {
    if known_utf8 || std::str::from_utf8(text).is_ok() {
        out.extend_from_slice(text);
    } else {
        out.extend_from_slice(String::from_utf8_lossy(text).as_bytes());
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
