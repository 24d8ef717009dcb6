//! The file backend. Several instances, in this process or others, may share one log file:
//! every append holds the sidecar lock while it catches up with what the others wrote and
//! writes its records with one `write` on an O_APPEND descriptor, so seqs never repeat and
//! lines never interleave. `truncateBefore` renames a new file over the log; the others notice
//! by the inode and start over on the new file.

use super::lock::{Held, SeqLock};
use super::recovery::{self, Tail};
use super::{io_err, Error, Result, State};
use std::borrow::Cow;
use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};

/// Indexing reads the file in pieces of this size, so opening a large log needs little memory.
const CHUNK: u64 = 8 << 20;

pub struct FileLog {
    path: PathBuf,
    lock_path: PathBuf,
    lock: Option<SeqLock>,
    open: Option<Open>,
    /// Whether the sidecar's high-water seq has been read since the log was last replaced.
    high_water_read: bool,
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
        }
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
                // Part of it may have reached the file: rescan, so the next append cuts it.
                open.seen = u64::MAX;
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

    /// Removes the first `count` entries: writes the rest to a temporary file, makes it
    /// durable, records the high-water seq, and renames it over the log. Call under the
    /// exclusive lock from [`begin_write`](Self::begin_write).
    pub fn cut_front(&mut self, state: &mut State, count: usize) -> Result<()> {
        let open = self
            .open
            .as_ref()
            .expect("entries exist, so the file is open");
        let lock = self.lock.as_ref().expect("held by the caller");
        let (cut, _) = state.index.byte_range(count, count);
        let keep = state.index.end() - cut;
        lock.set_high_water(state.high_water)
            .map_err(io_err(&self.lock_path, "write"))?;
        let mut tmp_path = self.path.clone().into_os_string();
        tmp_path.push(".truncate.tmp");
        let tmp_path = PathBuf::from(tmp_path);
        let written = (|| -> io::Result<()> {
            let mut tmp = OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .open(&tmp_path)?;
            let mut src = &open.file;
            src.seek(SeekFrom::Start(cut))?;
            let copied = io::copy(&mut src.take(keep), &mut tmp)?;
            if copied != keep {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the log shrank while it was being copied",
                ));
            }
            tmp.sync_data()?;
            fs::rename(&tmp_path, &self.path)?;
            File::open(self.dir())?.sync_all()
        })();
        if let Err(e) = written {
            let _ = fs::remove_file(&tmp_path);
            return Err(io_err(&self.path, "rewrite")(e));
        }
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .open(&self.path)
            .map_err(io_err(&self.path, "open"))?;
        let id = id_of(&file.metadata().map_err(io_err(&self.path, "stat"))?);
        state.index.drop_front(count);
        self.open = Some(Open {
            file,
            id,
            writable: true,
            seen: keep,
            torn: false,
        });
        Ok(())
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
