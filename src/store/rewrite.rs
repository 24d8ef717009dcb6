//! Rewrites of the whole events file: `compact` and `writeAll`.
//!
//! Both run with the directory held exclusively, so no append of any store or process can
//! land between reading the old file and renaming the new one over it; the new file is
//! written to a temp file, fsynced, renamed, and the directory fsynced.

use std::fs::{self, File};
use std::io::{self, Write};
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

            let mut new = LineTable::fresh(0, true);
            let mut add = |e: &LineEntry, offset: u64, len: u32| {
                let task = new
                    .summary
                    .add(e.ts, old.summary.task_ids[e.task as usize].as_bytes());
                let entries = new.entries.as_mut().expect("fresh(.., true)");
                entries.push(LineEntry {
                    offset,
                    len,
                    task,
                    ts: e.ts,
                    canonical: true,
                });
            };

            // Usually the kept events are the newest, already in order, one run of lines at the
            // end of the file, each as JSON.stringify would write it: then the new file is a
            // copy of that run, made by the kernel.
            let one_run = !kept.is_empty()
                && kept.iter().all(|e| e.canonical)
                && kept
                    .windows(2)
                    .all(|w| w[1].offset == w[0].offset + w[0].len as u64 + 1);
            if one_run {
                let lo = kept[0].offset;
                let last = kept[kept.len() - 1];
                let hi = last.offset + last.len as u64 + 1; // canonical lines end with `\n`
                for e in &kept {
                    add(e, e.offset - lo, e.len);
                }
                new.scanned_to = hi - lo;
                let fill = |f: &mut File| fsutil::copy_range(&file, lo, hi, f, 0);
                self.replace_events(fill, new)?;
                return Ok(total - max);
            }

            let lo = kept.iter().map(|e| e.offset).min().unwrap_or(0);
            let hi = kept
                .iter()
                .map(|e| e.offset + e.len as u64)
                .max()
                .unwrap_or(0);
            let mut bytes = vec![0u8; (hi - lo) as usize];
            file.read_exact_at(&mut bytes, lo)?;
            let mut out = Vec::with_capacity(kept.iter().map(|e| e.len as usize + 1).sum());
            for e in &kept {
                let text =
                    &bytes[(e.offset - lo) as usize..(e.offset - lo) as usize + e.len as usize];
                let at = out.len();
                if e.canonical {
                    out.extend_from_slice(text);
                } else {
                    json_line::canonicalize(text, &mut out);
                }
                add(e, at as u64, (out.len() - at) as u32);
                out.push(b'\n');
            }
            new.scanned_to = out.len() as u64;
            self.replace_events(|f| f.write_all(&out), new)?;
            Ok(total - max)
        })
    }

    /// Replaces the events file with `content` (complete lines, as the caller serialized them).
    pub fn write_all(&self, content: &[u8]) -> io::Result<()> {
        self.locks()?;
        self.exclusively(|| {
            let mut table = LineTable::fresh(0, true);
            table.scan_parallel(content);
            self.replace_events(|f| f.write_all(content), table)
        })
    }

    /// The atomic replacement (`fill` writes the new content), then the index and line table
    /// of the new file.
    fn replace_events(
        &self,
        fill: impl FnOnce(&mut File) -> io::Result<()>,
        table: LineTable,
    ) -> io::Result<()> {
        fsutil::replace_atomic(&self.events_path, true, fill)?;
        let mut table = table;
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
