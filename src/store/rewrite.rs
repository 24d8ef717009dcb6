//! Rewrites of the whole events file: `compact` and `writeAll`.
//!
//! Both run with the directory held exclusively, so no append of any native store or process
//! can land between reading the old file and renaming the new one over it; the new file is
//! written to a temp file, fsynced, renamed, and the directory fsynced. Lines that writers
//! which take no OS lock (the original) append meanwhile are carried over (`carry.rs`).

use std::fs::{self, File};
use std::io::{self, Write};
use std::os::unix::fs::{FileExt, MetadataExt};
use std::thread::ScopedJoinHandle;

use super::carry::{Carry, CarryFrom};
use super::line_table::{LineEntry, LineTable};
use super::{index_file, lock, parallel, recovery, EventStore};
use crate::fsutil::{self, Replacement};
use crate::json_line;

/// The sort key of compaction: lines whose timestamp is not a number sort as the oldest.
fn sort_key(ts: f64) -> f64 {
    if ts.is_nan() {
        f64::NEG_INFINITY
    } else {
        ts
    }
}

/// A new file written ahead of knowing it is the right one, with the byte range of the old
/// file it copies.
type EarlyCopy<'s> = (u64, u64, ScopedJoinHandle<'s, io::Result<Replacement>>);

impl EventStore {
    /// Keeps the `max` newest events by timestamp (stable), in timestamp order, as the original;
    /// returns how many were evicted, 0 (and no rewrite) when there were no more than `max`.
    ///
    /// Usually the newest events are the last lines, already in order and as `JSON.stringify`
    /// writes them: then the new file is a copy of that run of lines, made by the kernel. The
    /// file is scanned in blocks, on every core, from its end; as soon as the last `max` events
    /// look like such a run, the copy (and its fsync, the slow part) starts on another thread
    /// while the rest is scanned, and it is used only if the whole scan confirms the guess.
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
            let lines_end = parallel::end_of_last_line(&file, 0, size)?;
            let mut tail = vec![0u8; (size - lines_end) as usize];
            file.read_exact_at(&mut tail, lines_end)?;
            // Nobody writes now, so a last line without its `\n` is final: the original reads it.
            let tail = recovery::valid_tail(&tail).map(|t| {
                let lead = t.as_ptr() as usize - tail.as_ptr() as usize;
                (t, lines_end + lead as u64)
            });

            std::thread::scope(|scope| {
                let bounds = parallel::line_blocks(&file, 0, lines_end, parallel::FILE_BLOCK)?;
                // Scanned blocks; `tables[done_from..]` are all there.
                let mut tables: Vec<Option<LineTable>> =
                    bounds.iter().skip(1).map(|_| None).collect();
                let mut done_from = tables.len();
                let mut scanned = 0u64;
                let mut early: Option<EarlyCopy> = None;
                let scan_block = |start: u64, bytes: &[u8]| {
                    let mut t = LineTable::fresh(0, true);
                    t.scanned_to = start;
                    t.scan(bytes);
                    t
                };
                parallel::for_each_block(&file, &bounds, true, scan_block, |i, t| {
                    tables[i] = Some(t);
                    while done_from > 0 && tables[done_from - 1].is_some() {
                        done_from -= 1;
                        scanned += tables[done_from]
                            .as_ref()
                            .map_or(0, |t| t.summary.event_count);
                    }
                    if early.is_none() && tail.is_none() && done_from > 0 && scanned >= max {
                        let newest = tables[done_from..].iter().rev().flatten();
                        if let Some((lo, end)) = newest_run(newest, max) {
                            let file = &file;
                            let copy = scope.spawn(move || {
                                Replacement::write(&self.events_path, true, |f| {
                                    fsutil::copy_range(file, lo, end, f, 0)
                                })
                            });
                            early = Some((lo, end, copy));
                        }
                    }
                })?;
                let mut old = LineTable::fresh(0, true);
                for t in tables.into_iter().flatten() {
                    old.append(t);
                }
                let early = early.map(|(lo, end, copy)| (lo, end, join(copy)));
                let carry = Carry::new(file.try_clone()?, CarryFrom::at(size));
                self.compact_scanned(old, tail, max, &file, early, carry)
            })
        })
    }

    /// The rest of `compact`, once the whole file is scanned into `old` (plus its valid
    /// unterminated `tail` line, trimmed, and that text's offset).
    fn compact_scanned(
        &self,
        mut old: LineTable,
        tail: Option<(&[u8], u64)>,
        max: u64,
        file: &File,
        early: Option<(u64, u64, io::Result<Replacement>)>,
        carry: Carry,
    ) -> io::Result<u64> {
        let mut entries = old.entries.take().expect("fresh(.., true)");
        if let Some((text, at)) = tail {
            let info = json_line::scan(text).expect("valid_tail scanned it");
            let ts = info.timestamp.unwrap_or(f64::NAN);
            let task_text = match &info.task_id {
                Some(r) => {
                    let mut t = Vec::new();
                    json_line::canonicalize(&text[r.clone()], &mut t);
                    t
                }
                None => b"null".to_vec(),
            };
            entries.push(LineEntry {
                offset: at,
                len: text.len() as u32,
                task: old.summary.add(ts, &task_text),
                ts,
                canonical: false,
            });
        }
        let total = entries.len() as u64;
        if total <= max {
            return Ok(0);
        }
        // The guessed run (the last `max` events, in timestamp order) is what the stable sort
        // keeps exactly when no event before it sorts after its first one: no sort needed then.
        let first_kept = (total - max) as usize;
        let guessed = early.as_ref().is_some_and(|(lo, _, _)| {
            entries.get(first_kept).is_some_and(|first| {
                first.offset == *lo
                    && entries[..first_kept]
                        .iter()
                        .all(|e| sort_key(e.ts) <= sort_key(first.ts))
            })
        });
        let kept: Vec<LineEntry> = if guessed {
            entries.split_off(first_kept)
        } else {
            let mut order: Vec<u32> = (0..entries.len() as u32).collect();
            order.sort_by(|&a, &b| {
                sort_key(entries[a as usize].ts).total_cmp(&sort_key(entries[b as usize].ts))
            });
            order[first_kept..]
                .iter()
                .map(|&i| entries[i as usize])
                .collect()
        };
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

        if let Some((lo, end)) = one_run(&kept) {
            for e in &kept {
                add(e, e.offset - lo, e.len);
            }
            new.scanned_to = end - lo;
            let replacement = match early {
                Some((l, e, written)) if (l, e) == (lo, end) => written?,
                _ => Replacement::write(&self.events_path, true, |f| {
                    fsutil::copy_range(file, lo, end, f, 0)
                })?,
            };
            self.install(replacement, new, Some(carry))?;
            return Ok(total - max);
        }
        drop(early); // a wrong guess: its temp file goes

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
            let text = &bytes[(e.offset - lo) as usize..(e.offset - lo) as usize + e.len as usize];
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
        let replacement = Replacement::write(&self.events_path, true, |f| f.write_all(&out))?;
        self.install(replacement, new, Some(carry))?;
        Ok(total - max)
    }

    /// Replaces the events file with `content` (complete lines, as the caller serialized them).
    pub fn write_all(&self, content: &[u8]) -> io::Result<()> {
        self.exclusively(|| {
            let mut table = LineTable::fresh(0, true);
            table.scan_parallel(content);
            // What others appended to the file this replaces, after what this call replaces.
            let carry = match File::open(&self.events_path) {
                Ok(old) => {
                    let meta = old.metadata()?;
                    let from = self.writer.carry_from(lock::id_of(&meta), meta.len());
                    Some(Carry::new(old, from))
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => None,
                Err(e) => return Err(e),
            };
            let replacement =
                Replacement::write(&self.events_path, true, |f| f.write_all(content))?;
            self.install(replacement, table, carry)
        })
    }

    /// Puts the new events file in place, with the lines others appended to the old one
    /// meanwhile (`carry`, when there was an old one), then its index and line table.
    fn install(
        &self,
        mut replacement: Replacement,
        mut table: LineTable,
        carry: Option<Carry>,
    ) -> io::Result<()> {
        let Some(mut carry) = carry else {
            replacement.commit()?;
            return self.install_table(table);
        };
        let before = carry.take()?;
        if !before.is_empty() {
            replacement.append(&before)?;
            table.scan(&before);
        }
        replacement.commit()?;
        let late = carry.after_rename(&self.events_path)?;
        table.scan(&late);
        self.install_table(table)
    }

    fn install_table(&self, mut table: LineTable) -> io::Result<()> {
        table.inode = fs::metadata(&self.events_path)?.ino();
        let index = index_file::render(&table.summary, table.scanned_to);
        fsutil::write_atomic(&self.index_path, &index, false)?;
        *lock(&self.index_written) = Some((table.inode, table.scanned_to));
        *lock(&self.table) = Some(table);
        *lock(&self.range_index) = Default::default();
        self.writer.forget_file();
        Ok(())
    }
}

/// When `kept` (in the order to write) is one run of whole canonical lines in file order,
/// the byte range `[start, end)` of the old file that holds exactly them, `\n`s included.
fn one_run(kept: &[LineEntry]) -> Option<(u64, u64)> {
    let first = kept.first()?;
    let last = kept.last()?;
    let run = kept.iter().all(|e| e.canonical)
        && kept
            .windows(2)
            .all(|w| w[1].offset == w[0].offset + w[0].len as u64 + 1);
    run.then(|| (first.offset, last.offset + last.len as u64 + 1))
}

/// The range of the last `max` events of the file scanned so far (`blocks`, from the end back)
/// if they are one run of canonical lines in timestamp order: the probable result of compaction.
fn newest_run<'t>(blocks: impl Iterator<Item = &'t LineTable>, max: u64) -> Option<(u64, u64)> {
    let mut newest_first: Vec<LineEntry> = blocks
        .flat_map(|t| t.entries.iter().flatten().rev())
        .take(max as usize)
        .copied()
        .collect();
    if newest_first.len() as u64 != max {
        return None;
    }
    newest_first.reverse();
    let in_order = newest_first
        .windows(2)
        .all(|w| sort_key(w[0].ts) <= sort_key(w[1].ts));
    in_order.then(|| one_run(&newest_first)).flatten()
}

/// A scoped thread's result; its panic becomes an error rather than taking the caller down.
fn join<T>(handle: ScopedJoinHandle<'_, io::Result<T>>) -> io::Result<T> {
    handle
        .join()
        .unwrap_or_else(|_| Err(io::Error::other("compaction: the copy thread panicked")))
}
