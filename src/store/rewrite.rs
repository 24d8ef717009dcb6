//! Rewrites of the whole events file: `compact` and `writeAll`.
//!
//! Both run with the directory held exclusively, so no append of any store or process can
//! land between reading the old file and renaming the new one over it; the new file is
//! written to a temp file, fsynced, renamed, and the directory fsynced.

use std::fs::{self, File};
use std::io;
use std::os::unix::fs::{FileExt, MetadataExt};

use super::line_table::{self, LineEntry, LineTable};
use super::{index_file, lock, recovery, EventStore};
use crate::{fsutil, json_line};

impl EventStore {
    /// Keeps the `max` newest events by timestamp (stable), in timestamp order, as the original;
    /// returns how many were evicted, 0 (and no rewrite) when there were no more than `max`.
    /// Lines whose timestamp is not a number sort as the oldest.
    pub fn compact(&self, max: u64) -> io::Result<u64> {
        if fs::metadata(&self.events_path).is_err() {
            return Ok(0);
        }
        self.exclusively(|| {
            let file = match File::open(&self.events_path) {
                Ok(f) => f,
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
                Err(e) => return Err(e),
            };
            let size = file.metadata()?.len();
            let mut old = LineTable::fresh(0, true);
            let rest = line_table::scan_file(&file, &mut old, size)?;
            let mut entries = old.entries.take().expect("fresh(.., true)");
            // Nobody writes now, so a last line without its `\n` is final: the original reads it.
            if let Some(tail) = recovery::valid_tail(&rest) {
                let info = json_line::scan(tail).expect("valid_tail scanned it");
                let ts = info.timestamp.unwrap_or(f64::NAN);
                let task_text = match &info.task_id {
                    Some(r) => {
                        let mut t = Vec::new();
                        json_line::canonicalize(&tail[r.clone()], &mut t);
                        t
                    }
                    None => b"null".to_vec(),
                };
                let lead = tail.as_ptr() as usize - rest.as_ptr() as usize;
                entries.push(LineEntry {
                    offset: old.scanned_to + lead as u64,
                    len: tail.len() as u32,
                    task: old.summary.add(ts, &task_text),
                    ts,
                    canonical: false,
                });
            }
            let total = entries.len() as u64;
            if total <= max {
                return Ok(0);
            }
            let key = |ts: f64| if ts.is_nan() { f64::NEG_INFINITY } else { ts };
            let mut order: Vec<u32> = (0..entries.len() as u32).collect();
            order.sort_by(|&a, &b| {
                key(entries[a as usize].ts).total_cmp(&key(entries[b as usize].ts))
            });
            let kept: Vec<LineEntry> = order[(total - max) as usize..]
                .iter()
                .map(|&i| entries[i as usize])
                .collect();
            drop(entries);

            // The kept events are usually the newest, at the end of the file: read only their span.
            let lo = kept.iter().map(|e| e.offset).min().unwrap_or(0);
            let hi = kept
                .iter()
                .map(|e| e.offset + e.len as u64)
                .max()
                .unwrap_or(0);
            let mut bytes = vec![0u8; (hi - lo) as usize];
            file.read_exact_at(&mut bytes, lo)?;

            let mut out = Vec::with_capacity(kept.iter().map(|e| e.len as usize + 1).sum());
            let mut new = LineTable::fresh(0, true);
            let new_entries = new.entries.as_mut().expect("fresh(.., true)");
            for e in &kept {
                let text =
                    &bytes[(e.offset - lo) as usize..(e.offset - lo) as usize + e.len as usize];
                let at = out.len();
                if e.canonical {
                    out.extend_from_slice(text);
                } else {
                    json_line::canonicalize(text, &mut out);
                }
                let task = new
                    .summary
                    .add(e.ts, old.summary.task_ids[e.task as usize].as_bytes());
                new_entries.push(LineEntry {
                    offset: at as u64,
                    len: (out.len() - at) as u32,
                    task,
                    ts: e.ts,
                    canonical: true,
                });
                out.push(b'\n');
            }
            new.scanned_to = out.len() as u64;
            self.replace_events(&out, Some(new))?;
            Ok(total - max)
        })
    }

    /// Replaces the events file with `content` (complete lines, as the caller serialized them).
    pub fn write_all(&self, content: &[u8]) -> io::Result<()> {
        self.locks()?;
        self.exclusively(|| self.replace_events(content, None))
    }

    /// The atomic replacement, then the index and line table of the new file (`table`: already
    /// known to the caller, else scanned from `content`).
    fn replace_events(&self, content: &[u8], table: Option<LineTable>) -> io::Result<()> {
        fsutil::write_atomic(&self.events_path, content, true)?;
        let mut table = table.unwrap_or_else(|| {
            let mut t = LineTable::fresh(0, true);
            t.scan_parallel(content);
            t
        });
        table.inode = fs::metadata(&self.events_path)?.ino();
        let index = index_file::render(&table.summary, table.scanned_to);
        fsutil::write_atomic(&self.index_path, &index, false)?;
        *lock(&self.index_written) = Some((table.inode, table.scanned_to));
        *lock(&self.table) = Some(table);
        *lock(&self.range_index) = Default::default();
        lock(&self.write).forget_file();
        Ok(())
    }
}
