//! The EventStore engine: `events.ndjson`, `index.json` and `.lock` in one directory, in the
//! original's formats. Every method blocks; `worker.rs` decides what runs on which thread.
//!
//! - append path: `writer.rs` (one `write` per batch on an `O_APPEND` fd, checked against the
//!   path under the lock this store holds)
//! - recovery: `recovery.rs` (torn tails), `index_file.rs` (a stale index is detected and rebuilt)
//! - lock: `lock.rs` (the protocol), `writer.rs` (which lock this store holds)
//! - rewrites (compact, writeAll): `rewrite.rs`, `carry.rs` (lines others append meanwhile)

mod carry;
pub mod chunks;
pub mod index_file;
pub mod line_table;
pub mod lock;
mod parallel;
mod range_index;
mod recovery;
mod rewrite;
pub mod values_only;
pub mod worker;
pub mod writer;

use std::fs::{self, File};
use std::io;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use line_table::{JsonArray, LineTable};
use range_index::RangeIndex;
use writer::{Wait, Writer};

use crate::{fsutil, json_line};

#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    pub event_count: u64,
    pub storage_size_bytes: u64,
    pub oldest_event: Option<f64>,
    pub newest_event: Option<f64>,
}

pub struct EventStore {
    dir: PathBuf,
    events_path: PathBuf,
    index_path: PathBuf,
    lock_path: PathBuf,
    /// The directory lock, `.lock` and the append descriptor: every write goes through it.
    pub(crate) writer: Writer,
    table: Mutex<Option<LineTable>>,
    /// For range reads while `table` has no per-line entries.
    range_index: Mutex<RangeIndex>,
    /// `(inode, bytes)` of the events file that `index.json` was last written for by this store.
    index_written: Mutex<Option<(u64, u64)>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn not_found(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::NotFound
}

/// A line a range read may return.
struct Hit {
    offset: u64,
    len: u32,
    /// `Some(canonical)` once known valid; `None` while still to be validated.
    canonical: Option<bool>,
}

/// Appends the valid lines among `hits` (in file order) to `out`, reading the span they cover
/// at once: hits of a time range are usually contiguous.
fn push_hits(file: &File, hits: &[Hit], out: &mut JsonArray) -> io::Result<()> {
    let (Some(first), Some(last)) = (hits.first(), hits.last()) else {
        return Ok(());
    };
    let from = first.offset;
    let mut buf = vec![0u8; (last.offset + last.len as u64 - from) as usize];
    file.read_exact_at(&mut buf, from)?;
    for h in hits {
        let at = (h.offset - from) as usize;
        let text = &buf[at..at + h.len as usize];
        let Some(canonical) = h
            .canonical
            .or_else(|| Some(json_line::scan(text)?.canonical))
        else {
            continue;
        };
        out.push_line(text, canonical);
    }
    Ok(())
}

impl EventStore {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        let dir = dir.into();
        EventStore {
            events_path: dir.join("events.ndjson"),
            index_path: dir.join("index.json"),
            lock_path: dir.join(".lock"),
            writer: Writer::new(&dir),
            dir,
            table: Mutex::new(None),
            range_index: Mutex::default(),
            index_written: Mutex::new(None),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Runs `f` with the directory exclusively ours (already so while `.lock` is held), this
    /// store's own appends held back. Released however `f` ends: a panic (turned into an error
    /// by the binding) must not leave the directory locked, or this store's appends held back.
    fn exclusively<R>(&self, f: impl FnOnce() -> io::Result<R>) -> io::Result<R> {
        let _held = self.writer.exclusive()?;
        f()
    }

    /// Appends `bytes` (complete lines) now, or not at all when that would mean waiting.
    pub fn try_append(&self, bytes: &[u8]) -> io::Result<writer::Appended> {
        self.writer.try_append(bytes)
    }

    /// Appends `bytes`, waiting while another holds the directory.
    pub fn append_waiting(&self, bytes: &[u8]) -> io::Result<()> {
        self.writer.append_waiting(bytes)
    }

    /// Drops the shared lock if held: the worker calls this at each turn.
    pub fn release_shared(&self) {
        self.writer.release_shared()
    }

    /// Brings the line table up to date with the events file and returns it. Reads only what
    /// was appended since the last call, unless the file was replaced. `entries` asks for the
    /// per-line table (range reads, compaction); without it a current `index.json` suffices.
    fn current_table(&self, entries: bool) -> io::Result<MutexGuard<'_, Option<LineTable>>> {
        let mut guard = lock(&self.table);
        let file = match File::open(&self.events_path) {
            Ok(f) => f,
            Err(e) if not_found(&e) => {
                *guard = Some(LineTable::fresh(0, entries));
                return Ok(guard);
            }
            Err(e) => return Err(e),
        };
        let meta = file.metadata()?;
        let (ino, size) = (meta.ino(), meta.len());
        let usable = guard.as_ref().is_some_and(|t| {
            t.inode == ino && t.scanned_to <= size && (!entries || t.entries.is_some())
        });
        if !usable {
            let from_index = (!entries)
                .then(|| fs::read(&self.index_path).ok())
                .flatten()
                .and_then(|text| index_file::parse_if_current(&text, size));
            *guard = Some(match from_index {
                Some(summary) => LineTable {
                    inode: ino,
                    scanned_to: size,
                    summary,
                    entries: None,
                },
                None => LineTable::fresh(ino, entries),
            });
        }
        let table = guard.as_mut().expect("table set above");
        if size > table.scanned_to {
            line_table::scan_file(&file, table, size)?;
        }
        Ok(guard)
    }

    /// Makes `index.json` true to the events file as it is now. Under the shared lock, so no
    /// rewrite can replace the file meanwhile; appends may go on, and the store that made them
    /// writes the index again after them.
    pub fn write_index(&self) -> io::Result<()> {
        if fs::metadata(&self.dir).is_err() {
            return Ok(());
        }
        self.writer.hold_shared(Wait::Yes)?;
        self.write_index_held()
    }

    /// `write_index`, unless that means waiting for another holder (at process exit).
    pub fn write_index_now(&self) -> io::Result<()> {
        if fs::metadata(&self.dir).is_err() || !self.writer.hold_shared(Wait::No)? {
            return Ok(());
        }
        self.write_index_held()
    }

    fn write_index_held(&self) -> io::Result<()> {
        let guard = self.current_table(false)?;
        let table = guard.as_ref().expect("current_table sets it");
        if table.inode == 0 {
            return Ok(()); // no events file: nothing to describe
        }
        let at = (table.inode, table.scanned_to);
        if *lock(&self.index_written) == Some(at) && self.index_path.exists() {
            return Ok(());
        }
        // Another store may have described more of the file already: never go back.
        if let Ok(text) = fs::read(&self.index_path) {
            let theirs = serde_json::from_slice::<serde_json::Value>(&text)
                .ok()
                .and_then(|v| v.get("ndjsonBytes")?.as_u64());
            if theirs.is_some_and(|b| b > table.scanned_to) {
                return Ok(());
            }
        }
        let text = index_file::render(&table.summary, table.scanned_to);
        fsutil::write_atomic(&self.index_path, &text, false)?;
        *lock(&self.index_written) = Some(at);
        Ok(())
    }

    /// Stats without touching the disk beyond two `stat`s, when this store's view is current;
    /// `None` when a slow `stats()` is needed.
    pub fn stats_if_current(&self) -> Option<Stats> {
        let guard = self.table.try_lock().ok()?;
        let table = guard.as_ref()?;
        let meta = fs::metadata(&self.events_path).ok()?;
        if (meta.ino(), meta.len()) != (table.inode, table.scanned_to)
            || *lock(&self.index_written) != Some((table.inode, table.scanned_to))
        {
            return None;
        }
        let index_size = fs::metadata(&self.index_path).ok()?.len();
        Some(Stats {
            event_count: table.summary.event_count,
            storage_size_bytes: meta.len() + index_size,
            oldest_event: table.summary.oldest,
            newest_event: table.summary.newest,
        })
    }

    pub fn stats(&self) -> io::Result<Stats> {
        self.write_index()?;
        let guard = self.current_table(false)?;
        let table = guard.as_ref().expect("current_table sets it");
        let size_of = |p: &Path| fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        Ok(Stats {
            event_count: table.summary.event_count,
            storage_size_bytes: size_of(&self.events_path) + size_of(&self.index_path),
            oldest_event: table.summary.oldest,
            newest_event: table.summary.newest,
        })
    }

    /// What the original's `readAll()` gives, as JSON arrays of about `BLOCK` bytes each, handed
    /// to `emit` as soon as each is checked, so the caller can parse one while the next is read.
    /// Every well-formed line, in file order; a final line without `\n` only if it parses.
    pub fn read_all_chunks(&self, emit: &mut dyn FnMut(Vec<u8>)) -> io::Result<()> {
        // Small blocks: each is one `JSON.parse` on the JS thread, which yields between them.
        const BLOCK: u64 = 2 << 20;
        let file = match File::open(&self.events_path) {
            Ok(f) => f,
            Err(e) if not_found(&e) => return Ok(()),
            Err(e) => return Err(e),
        };
        let meta = file.metadata()?;
        let (ino, size) = (meta.ino(), meta.len());
        let mut table = LineTable::fresh(ino, true);
        let rest = line_table::feed_file(&file, 0, size, BLOCK, |bytes| {
            let (buf_at, emitted) = (table.scanned_to, table.entries.as_ref().map_or(0, Vec::len));
            table.scan(bytes);
            let fresh = &table.entries.as_ref().expect("fresh(.., true)")[emitted..];
            if !fresh.is_empty() {
                let mut chunk =
                    JsonArray::with_capacity(fresh.iter().map(|e| e.len as usize + 1).sum());
                for e in fresh {
                    let at = (e.offset - buf_at) as usize;
                    chunk.push_line(&bytes[at..at + e.len as usize], e.canonical);
                }
                emit(chunk.finish());
            }
            table.scanned_to
        })?;
        if let Some(tail) = recovery::valid_tail(&rest) {
            let mut chunk = JsonArray::with_capacity(tail.len());
            chunk.push_line(tail, false);
            emit(chunk.finish());
        }
        self.writer.note_read(lock::id_of(&meta), size);
        // The scan is the freshest view there is: keep it, unless the file moved meanwhile.
        let mut current = lock(&self.table);
        if current
            .as_ref()
            .is_none_or(|t| t.inode != ino || t.scanned_to <= table.scanned_to)
        {
            *current = Some(table);
        }
        Ok(())
    }

    /// `read_all_chunks` as one JSON array (for tests of the engine).
    #[cfg(test)]
    pub fn read_all_json(&self) -> io::Result<Vec<u8>> {
        let mut out = vec![b'['];
        self.read_all_chunks(&mut |chunk| {
            if out.len() > 1 {
                out.push(b',');
            }
            out.extend_from_slice(&chunk[1..chunk.len() - 1]);
        })?;
        out.push(b']');
        Ok(out)
    }

    /// Lines whose numeric timestamp is in `[start, end]`, plus lines whose timestamp is not a
    /// number (the caller applies the original's exact comparison to those), as a JSON array.
    pub fn read_range_json(&self, start: f64, end: f64) -> io::Result<Vec<u8>> {
        let file = match File::open(&self.events_path) {
            Ok(f) => f,
            Err(e) if not_found(&e) => return Ok(b"[]".to_vec()),
            Err(e) => return Err(e),
        };
        let meta = file.metadata()?;
        let (hits, tail_from): (Vec<Hit>, u64) = if self.has_line_entries(meta.ino(), meta.len()) {
            let guard = self.current_table(true)?;
            let table = guard.as_ref().expect("current_table sets it");
            let entries = table.entries.as_ref().expect("asked for entries");
            let hits = entries
                .iter()
                .filter(|e| e.ts.is_nan() || (start <= e.ts && e.ts <= end))
                .map(|e| Hit {
                    offset: e.offset,
                    len: e.len,
                    canonical: Some(e.canonical),
                })
                .collect();
            (hits, table.scanned_to)
        } else {
            // Skimming every line and validating only the hits costs a fraction of a full scan.
            let mut index = lock(&self.range_index);
            index.update(&file, meta.ino(), meta.len())?;
            let hits = index
                .candidates(start, end)
                .map(|l| Hit {
                    offset: l.offset,
                    len: l.len,
                    canonical: None,
                })
                .collect();
            (hits, index.scanned_to)
        };
        let mut out = JsonArray::with_capacity(hits.iter().map(|h| h.len as usize + 1).sum());
        push_hits(&file, &hits, &mut out)?;
        // A final line without its newline counts, as in the original.
        let size = file.metadata()?.len();
        if size > tail_from {
            let mut tail = vec![0u8; (size - tail_from) as usize];
            file.read_exact_at(&mut tail, tail_from)?;
            if let Some(t) = recovery::valid_tail(&tail) {
                out.push_line(t, false);
            }
        }
        Ok(out.finish())
    }

    /// Whether the line table of the file `(inode, size)` has per-line entries to bring up to
    /// date, which is cheaper than any other way to a range.
    fn has_line_entries(&self, inode: u64, size: u64) -> bool {
        lock(&self.table)
            .as_ref()
            .is_some_and(|t| t.inode == inode && t.scanned_to <= size && t.entries.is_some())
    }

    /// fdatasync of the events file: what was appended so far survives a machine crash.
    pub fn sync(&self) -> io::Result<()> {
        self.writer.settle()?;
        match File::open(&self.events_path) {
            Ok(f) => f.sync_data(),
            Err(e) if not_found(&e) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// The original's `acquireLock`, without its races: see `lock.rs`.
    pub fn acquire_lock(&self) -> io::Result<()> {
        self.writer.acquire_holder()
    }

    /// Removes `.lock` if this store holds it; never fails for want of a lock.
    pub fn release_lock(&self) -> io::Result<()> {
        self.writer.release_holder()
    }

    /// Removes the three files, not the directory.
    pub fn destroy(&self) -> io::Result<()> {
        if fs::metadata(&self.dir).is_err() {
            return Ok(());
        }
        self.exclusively(|| {
            for p in [&self.events_path, &self.index_path, &self.lock_path] {
                fsutil::remove_if_exists(p)?;
            }
            *lock(&self.table) = None;
            *lock(&self.range_index) = RangeIndex::default();
            *lock(&self.index_written) = None;
            self.writer.forget_file();
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests;
