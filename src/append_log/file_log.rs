//! The file backend. Several instances, in this process or others, may share one log file:
//! every append holds the sidecar lock while it catches up with what the others wrote and
//! writes its records with one `write` on an O_APPEND descriptor, so seqs never repeat and
//! lines never interleave. `truncateBefore` renames a new file over the log; the others notice
//! by the inode and start over on the new file.

use super::entry_index::EntryIndex;
use super::lock::{Held, SeqLock};
use super::recovery::{self, Tail};
use super::{io_err, Error, Result, State};
use crate::fsutil;
use std::borrow::Cow;
use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Indexing reads the file in pieces of this size, so opening a large log needs little memory.
const CHUNK: u64 = 8 << 20;

pub struct FileLog {
    path: PathBuf,
    lock_path: PathBuf,
    lock: Option<SeqLock>,
    open: Option<Open>,
    /// Whether the sidecar's high-water seq has been read since the log was last replaced.
    high_water_read: bool,
    /// An index built on another thread, taken by the first open if the file is the same.
    prepared: Option<PreparedIndex>,
}

/// The index of a log file's records as they were at some moment, built away from the log
/// (indexing a large log takes long enough to matter on the event loop), up to the last good
/// record: whatever follows (a torn tail, corruption, a record being written) is left to the log.
pub struct PreparedIndex {
    id: (u64, u64),
    index: EntryIndex,
}

impl PreparedIndex {
    /// `None` when there is no file to index or it cannot be read (the log will say why).
    pub fn build(path: &Path) -> Option<Self> {
        let file = File::open(path).ok()?;
        let meta = file.metadata().ok()?;
        let mut index = EntryIndex::default();
        while index.end() < meta.len() {
            let from = index.end();
            let bytes = read_range(&file, path, from, meta.len().min(from + CHUNK)).ok()?;
            let indexed = recovery::index_region(&bytes, &mut index);
            if indexed.is_err() || index.end() == from {
                break;
            }
        }
        Some(Self {
            id: id_of(&meta),
            index,
        })
    }
}

struct Open {
    file: File,
    id: (u64, u64),
    writable: bool,
    /// File size when last indexed; bytes past `index.end()` up to here are a torn tail.
    seen: u64,
    torn: bool,
}

fn id_of(m: &Metadata) -> (u64, u64) {
    (m.dev(), m.ino())
}

impl FileLog {
    pub fn new(path: PathBuf) -> Self {
        let mut lock_path = path.clone().into_os_string();
        lock_path.push(".lock");
        Self {
            path,
            lock_path: lock_path.into(),
            lock: None,
            open: None,
            high_water_read: false,
            prepared: None,
        }
    }

    /// Keeps `prepared` for the first open; once the log has opened its file it knows more.
    pub fn adopt(&mut self, prepared: PreparedIndex) {
        if self.open.is_none() {
            self.prepared = Some(prepared);
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn dir(&self) -> &Path {
        match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        }
    }

    /// Takes the exclusive lock and brings `state` up to date, cutting a torn tail. With
    /// `create`, creates the directory, the lock and the log; without, a log that does not
    /// exist is left so (and `None` is returned when no lock exists).
    pub fn begin_write(&mut self, state: &mut State, create: bool) -> Result<Option<Held>> {
        if self.lock.is_none() {
            let opened = SeqLock::open(&self.lock_path, create);
            let opened = match opened {
                Err(e) if create && e.kind() == io::ErrorKind::NotFound => {
                    fs::create_dir_all(self.dir())
                        .map_err(io_err(self.dir(), "create the directory"))?;
                    SeqLock::open(&self.lock_path, true)
                }
                other => other,
            };
            self.lock = opened.map_err(io_err(&self.lock_path, "open the lock file"))?;
        }
        let Some(lock) = &self.lock else {
            self.sync(state, false)?;
            return Ok(None);
        };
        let held = lock.exclusive().map_err(io_err(&self.lock_path, "lock"))?;
        self.sync(state, create)?;
        if let Some(open) = &mut self.open {
            if open.torn {
                if !open.writable {
                    self.reopen(state, true)?;
                }
                let open = self.open.as_mut().expect("just opened");
                let end = state.index.end();
                open.file
                    .set_len(end)
                    .map_err(io_err(&self.path, "cut the torn tail of"))?;
                open.seen = end;
                open.torn = false;
            } else if create && !open.writable {
                self.reopen(state, true)?;
            }
        }
        Ok(Some(held))
    }

    /// Brings `state` up to date for a read. The lock is only taken when the file changed.
    pub fn refresh(&mut self, state: &mut State) -> Result<()> {
        let current = match fs::metadata(&self.path) {
            Ok(m) => Some(m),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(io_err(&self.path, "stat")(e)),
        };
        let unchanged = self.high_water_read
            && match (&self.open, &current) {
                (None, None) => true,
                (Some(o), Some(m)) => o.id == id_of(m) && o.seen == m.len(),
                _ => false,
            };
        if unchanged {
            return Ok(());
        }
        if self.lock.is_none() && current.is_some() {
            // A log written by others without a lock file: create one to read under. Where
            // that is not allowed (a read-only directory) nobody appends, so read without.
            self.lock = SeqLock::open(&self.lock_path, true).ok().flatten();
        }
        let _held = match &self.lock {
            Some(lock) => Some(lock.shared().map_err(io_err(&self.lock_path, "lock"))?),
            None => None,
        };
        self.sync(state, false)
    }

    /// Catches up with the file as it is now. Call with the lock held.
    fn sync(&mut self, state: &mut State, create: bool) -> Result<()> {
        let current = match fs::metadata(&self.path) {
            Ok(m) => Some(m),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(io_err(&self.path, "stat")(e)),
        };
        if current.is_none() && !create {
            if self.open.take().is_some() {
                state.reset_index();
            }
            self.read_high_water(state)?;
            return Ok(());
        }
        let same_file = match (&current, &self.open) {
            (Some(m), Some(o)) => o.id == id_of(m),
            _ => false,
        };
        if !same_file {
            self.reopen(state, create)?;
        }
        self.read_high_water(state)?;
        let open = self.open.as_mut().expect("opened above");
        // Under the lock the file at the path is the one open, so its stat tells the size.
        let size = match current {
            Some(m) if same_file => m.len(),
            _ => open
                .file
                .metadata()
                .map_err(io_err(&self.path, "stat"))?
                .len(),
        };
        if size == open.seen {
            return Ok(());
        }
        if size < state.index.end() {
            // Shrunk in place by someone else: start over.
            state.reset_index();
        }
        let tail = loop {
            let from = state.index.end();
            let to = size.min(from + CHUNK);
            let bytes = read_range(&open.file, &self.path, from, to)?;
            let tail = recovery::index_region(&bytes, &mut state.index);
            state.absorb_index();
            match tail {
                Err(corrupt) => {
                    open.seen = u64::MAX;
                    let line = line_number(&open.file, corrupt.offset);
                    return Err(Error::Corrupt {
                        path: self.path.clone(),
                        line,
                        reason: corrupt.reason,
                    });
                }
                Ok(tail) if to == size => break tail,
                // A piece ends mid-line (or on a bad line): read on from the last good record,
                // or, when that made no progress, everything that is left at once.
                Ok(_) if state.index.end() > from => continue,
                Ok(_) => {
                    let rest = read_range(&open.file, &self.path, from, size)?;
                    let tail = recovery::index_region(&rest, &mut state.index);
                    state.absorb_index();
                    match tail {
                        Ok(t) => break t,
                        Err(corrupt) => {
                            open.seen = u64::MAX;
                            return Err(Error::Corrupt {
                                path: self.path.clone(),
                                line: line_number(&open.file, corrupt.offset),
                                reason: corrupt.reason,
                            });
                        }
                    }
                }
            }
        };
        open.seen = size;
        open.torn = tail == Tail::Torn;
        Ok(())
    }

    fn read_high_water(&mut self, state: &mut State) -> Result<()> {
        if !self.high_water_read {
            if let Some(lock) = &self.lock {
                let hw = lock.high_water().map_err(io_err(&self.lock_path, "read"))?;
                state.high_water = state.high_water.max(hw);
            }
            self.high_water_read = self.lock.is_some();
        }
        Ok(())
    }

    /// Opens the file at the path (a new one, or the same one writable), starting the index
    /// over unless it is the file already indexed.
    fn reopen(&mut self, state: &mut State, writable: bool) -> Result<()> {
        let mut options = OpenOptions::new();
        options.read(true).append(true).create(writable);
        let (file, writable) = match options.open(&self.path) {
            Ok(file) => (file, true),
            // Reading a log this process may not write to.
            Err(e) if !writable && e.kind() == io::ErrorKind::PermissionDenied => (
                File::open(&self.path).map_err(io_err(&self.path, "open"))?,
                false,
            ),
            Err(e) => return Err(io_err(&self.path, "open")(e)),
        };
        let id = id_of(&file.metadata().map_err(io_err(&self.path, "stat"))?);
        match &mut self.open {
            Some(o) if o.id == id => {
                o.file = file;
                o.writable = writable;
            }
            _ => {
                state.reset_index();
                if let Some(p) = self.prepared.take().filter(|p| p.id == id) {
                    state.index = p.index;
                    state.absorb_index();
                }
                // A replaced log may come with a higher high-water seq.
                self.high_water_read = false;
                self.open = Some(Open {
                    file,
                    id,
                    writable,
                    seen: 0,
                    torn: false,
                });
            }
        }
        Ok(())
    }

    pub fn write(&mut self, _state: &mut State, records: &[u8]) -> Result<()> {
        let open = self.open.as_mut().expect("begin_write opened the file");
        match (&open.file).write_all(records) {
            Ok(()) => {
                open.seen += records.len() as u64;
                Ok(())
            }
            Err(e) => {
                // A refused append leaves nothing behind: under the exclusive lock the file
                // ended at `seen` before this write, so whatever part of it landed is cut.
                if open.file.set_len(open.seen).is_err() {
                    open.seen = u64::MAX; // rescan: the next append cuts it
                }
                Err(io_err(&self.path, "append to")(e))
            }
        }
    }

    pub fn bytes(&self, start: u64, stop: u64) -> Result<Cow<'_, [u8]>> {
        match &self.open {
            Some(open) => Ok(Cow::Owned(read_range(&open.file, &self.path, start, stop)?)),
            None => Ok(Cow::Borrowed(&[])),
        }
    }

    /// Starts removing the entries with `seq <= upto` (under the exclusive lock from
    /// [`begin_write`](Self::begin_write)): `None` when there are none, else the copy of the
    /// entries to keep into a new file, which [`TruncateCopy::run`] does without the lock.
    pub fn begin_truncate(&mut self, state: &State, upto: u64) -> Result<Option<TruncateCopy>> {
        let count = state.index.first_after(upto);
        let Some(open) = self.open.as_ref().filter(|_| count > 0) else {
            return Ok(None);
        };
        static TRUNCATES: AtomicU64 = AtomicU64::new(0);
        let mut tmp_path = self.path.clone().into_os_string();
        tmp_path.push(format!(
            ".{}-{}.truncate.tmp",
            std::process::id(),
            TRUNCATES.fetch_add(1, Ordering::Relaxed)
        ));
        let tmp_path = PathBuf::from(tmp_path);
        let tmp = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp_path)
            .map_err(io_err(&tmp_path, "create"))?;
        let job = TruncateCopy {
            src: open.file.try_clone().map_err(io_err(&self.path, "open"))?,
            tmp,
            tmp_path,
            log_id: open.id,
            upto,
            count,
            cut: state.index.byte_range(count, count).0,
            copied_to: state.index.end(),
            committed: AtomicBool::new(false),
        };
        Ok(Some(job))
    }

    /// Ends a truncate (under the exclusive lock, with `state` up to date): copies what was
    /// appended since the copy began, makes the new file durable, records the high-water seq,
    /// and renames the new file over the log. If the log was replaced meanwhile (another
    /// truncate won), truncates the new log instead, in one go.
    pub fn finish_truncate(&mut self, state: &mut State, job: &TruncateCopy) -> Result<u64> {
        if job.committed.load(Ordering::Acquire) {
            return Err(Error::Io {
                path: job.tmp_path.clone(),
                action: "commit",
                source: io::Error::other("this truncate was already committed or discarded"),
            });
        }
        let unchanged = self.open.as_ref().is_some_and(|o| o.id == job.log_id)
            && state.index.byte_range(job.count, job.count).0 == job.cut
            && state.index.end() >= job.copied_to;
        if !unchanged {
            return match self.begin_truncate(state, job.upto)? {
                None => Ok(0),
                Some(again) => {
                    again.run().map_err(io_err(&self.path, "rewrite"))?;
                    self.finish_truncate(state, &again)
                }
            };
        }
        let open = self.open.as_ref().expect("checked above");
        let lock = self.lock.as_ref().expect("held by the caller");
        let end = state.index.end();
        let keep = end - job.cut;
        fsutil::copy_range(
            &open.file,
            job.copied_to,
            end,
            &job.tmp,
            job.copied_to - job.cut,
        )
        .and_then(|()| job.tmp.sync_data())
        .map_err(io_err(&job.tmp_path, "write"))?;
        lock.set_high_water(state.high_water)
            .map_err(io_err(&self.lock_path, "write"))?;
        fs::rename(&job.tmp_path, &self.path).map_err(io_err(&self.path, "replace"))?;
        job.committed.store(true, Ordering::Release);
        File::open(self.dir())
            .and_then(|d| d.sync_all())
            .map_err(io_err(self.dir(), "sync"))?;
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .open(&self.path)
            .map_err(io_err(&self.path, "open"))?;
        let id = id_of(&file.metadata().map_err(io_err(&self.path, "stat"))?);
        state.index.drop_front(job.count);
        self.open = Some(Open {
            file,
            id,
            writable: true,
            seen: keep,
            torn: false,
        });
        Ok(job.count as u64)
    }
}

/// The bulk of a truncate: copying the entries to keep into a new file and making it
/// durable. Runs without the lock and without the log (on a worker thread), as appends go on.
pub struct TruncateCopy {
    src: File,
    tmp: File,
    tmp_path: PathBuf,
    log_id: (u64, u64),
    upto: u64,
    count: usize,
    cut: u64,
    copied_to: u64,
    committed: AtomicBool,
}

impl TruncateCopy {
    pub fn run(&self) -> io::Result<()> {
        fsutil::copy_range(&self.src, self.cut, self.copied_to, &self.tmp, 0)?;
        self.tmp.sync_data()
    }

    /// Removes the new file, unless it was put in place of the log.
    pub fn discard(&self) {
        if !self.committed.swap(true, Ordering::AcqRel) {
            let _ = fs::remove_file(&self.tmp_path);
        }
    }
}

impl Drop for TruncateCopy {
    fn drop(&mut self) {
        self.discard();
    }
}

fn read_range(file: &File, path: &Path, start: u64, stop: u64) -> Result<Vec<u8>> {
    let mut buf = vec![0u8; (stop - start) as usize];
    file.read_exact_at(&mut buf, start)
        .map_err(io_err(path, "read"))?;
    Ok(buf)
}

/// 1-based line number of the byte at `offset`, for error messages.
fn line_number(file: &File, offset: u64) -> u64 {
    let mut newlines = 0u64;
    let mut pos = 0u64;
    let mut buf = vec![0u8; 1 << 20];
    while pos < offset {
        let want = ((offset - pos) as usize).min(buf.len());
        match file.read_at(&mut buf[..want], pos) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                newlines += memchr::memchr_iter(b'\n', &buf[..n]).count() as u64;
                pos += n as u64;
            }
        }
    }
    newlines + 1
}
