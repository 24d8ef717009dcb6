//! Rewrites of the whole events file: `compact` and `writeAll`.
//!
//! Both run with the directory held exclusively, so no append of any store or process can
//! land between reading the old file and renaming the new one over it; the new file is
//! written to a temp file, fsynced, renamed, and the directory fsynced.

use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;

use super::line_table::LineTable;
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
            let bytes = match fs::read(&self.events_path) {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
                Err(e) => return Err(e),
            };
            let mut table = LineTable::fresh(0, true);
            table.scan(&bytes);
            let mut lines: Vec<(f64, &[u8], bool)> = table
                .entries
                .as_ref()
                .expect("fresh(.., true)")
                .iter()
                .map(|e| {
                    (
                        e.ts,
                        &bytes[e.offset as usize..e.offset as usize + e.len as usize],
                        e.canonical,
                    )
                })
                .collect();
            // Nobody writes now, so a last line without its `\n` is final: the original reads it.
            if let Some(tail) = recovery::valid_tail(&bytes[table.scanned_to as usize..]) {
                let info = json_line::scan(tail).expect("valid_tail scanned it");
                lines.push((info.timestamp.unwrap_or(f64::NAN), tail, false));
            }
            let total = lines.len() as u64;
            if total <= max {
                return Ok(0);
            }
            let key = |ts: f64| if ts.is_nan() { f64::NEG_INFINITY } else { ts };
            lines.sort_by(|a, b| key(a.0).total_cmp(&key(b.0)));
            let kept = &lines[(total - max) as usize..];
            let mut out = Vec::with_capacity(kept.iter().map(|l| l.1.len() + 1).sum());
            for &(_, text, canonical) in kept {
                if canonical {
                    out.extend_from_slice(text);
                } else {
                    json_line::canonicalize(text, &mut out);
                }
                out.push(b'\n');
            }
            self.replace_events(&out)?;
            Ok(total - max)
        })
    }

    /// Replaces the events file with `content` (complete lines, as the caller serialized them).
    pub fn write_all(&self, content: &[u8]) -> io::Result<()> {
        self.locks()?;
        self.exclusively(|| self.replace_events(content))
    }

    /// The atomic replacement, then the index and line table of the new file.
    fn replace_events(&self, content: &[u8]) -> io::Result<()> {
        fsutil::write_atomic(&self.events_path, content, true)?;
        let ino = fs::metadata(&self.events_path)?.ino();
        let mut table = LineTable::fresh(ino, true);
        table.scan(content);
        let index = index_file::render(&table.summary, table.scanned_to);
        fsutil::write_atomic(&self.index_path, &index, false)?;
        *lock(&self.index_written) = Some((ino, table.scanned_to));
        *lock(&self.table) = Some(table);
        lock(&self.write).forget_file();
        Ok(())
    }
}
