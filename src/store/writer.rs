//! The one owner of a store's write state: which directory lock this store holds, the `.lock`
//! it holds for `acquireLock()`, and the descriptor its appends go through.
//!
//! Every write is made with the directory locked by this store (shared for an append,
//! exclusively for a rewrite or while `.lock` is held) and after checking, under that lock,
//! that the descriptor is the file at the path (device and inode). A file that was replaced,
//! renamed or removed by anyone since is reopened at the path, recreated with its directory if
//! need be, so no write ever goes to a file nobody will read again. The lock protocol itself
//! (flock, `.lock`, the original's holders) is in `lock.rs`.
//!
//! Taking and dropping the shared lock on every append would triple its system calls, so it is
//! kept across appends and dropped by the store's worker at its next turn. Right after that,
//! appends pause for a moment before taking it again: Linux grants a new shared `flock` even
//! while an exclusive one waits, so without the pause a steady stream of appends could starve a
//! rewrite in another process.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::carry::CarryFrom;
use super::lock::{self, id_of, DirLock, FileId, ForeignHolders, HeldLock, LockFileState};
use super::recovery;
use crate::fsutil;

/// How long appends leave the lock alone after the worker drops it: a process blocked on the
/// exclusive lock is woken at the unlock and takes it within microseconds.
const YIELD_TO_WAITERS: Duration = Duration::from_micros(200);
/// How long after seeing a holder that takes no OS lock appends look for one before writing.
const FOREIGN_WATCH: Duration = Duration::from_secs(10);
/// How long a rewrite or `acquireLock` waits for a holder that takes no OS lock (the original).
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Unlocked,
    Shared,
    Exclusive,
}

/// What an append that must not wait did.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Appended {
    /// Nothing: it has to wait (`append_waiting`).
    No,
    /// In the file at the path.
    Yes,
    /// Written as a holder that takes no OS lock (the original) took `.lock`: known to be in
    /// the file once that holder is done. The caller runs `settle` as a write job at once, so
    /// that this store's later appends wait behind it and keep their order.
    Settling,
}

impl Appended {
    pub fn written(self) -> bool {
        self != Appended::No
    }
}

/// Whether a call may wait for another holder of the directory.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    Yes,
    No,
}

pub struct Writer {
    dir: PathBuf,
    events_path: PathBuf,
    lock_path: PathBuf,
    state: Mutex<State>,
}

struct State {
    dir_lock: Option<Arc<DirLock>>,
    mode: Mode,
    /// Rewrites running or waiting for the lock: while any is, this store's appends queue, and
    /// the exclusive lock outlives a `releaseLock()` made meanwhile.
    rewrites: u32,
    holder: Option<Holder>,
    file: Option<AppendFile>,
    no_retake_until: Option<Instant>,
    foreign: ForeignHolders,
    /// When a live holder that takes no OS lock (the original) was last seen: for a while
    /// after, appends also look for one before they write, and wait for it.
    foreign_seen: Option<Instant>,
    /// The live foreign holder appends are waiting for: once its `.lock` is gone or another's,
    /// they write (a holder that just took `.lock` has not read the file yet).
    waiting_for: Option<lock::LockSig>,
    /// Appends written just as a holder that takes no OS lock (the original) took `.lock`: it
    /// may have read the file before them and be about to rename its copy over it. Settled
    /// (checked, and written again if the rewrite dropped them) once that holder is done.
    unsettled: Vec<Unsettled>,
}

/// `acquireLock()` held: the record, and what the holder has seen of the events file, so that
/// a `writeAll` made under it keeps the lines others appended after that (see `carry.rs`).
struct Holder {
    lock: HeldLock,
    seen: Option<(FileId, u64)>,
    /// Byte ranges this store appended while holding, and the file each went to.
    own: Vec<(FileId, u64, u64)>,
}

struct Unsettled {
    /// The file the lines were written to, kept open so that its inode number is not given to
    /// another file meanwhile.
    file: (File, FileId),
    lines: Vec<u8>,
    /// The `.lock` there as they were written: settled once its holder is done with it (at
    /// once when there was none: then the file they went to had already been replaced).
    holder: Option<lock::LockSig>,
}

struct AppendFile {
    file: File,
    id: FileId,
    /// Size after this store's last write; any other size means someone else wrote since,
    /// maybe a fragment (a crashed writer, or one that takes no lock).
    end: u64,
}

/// The directory held exclusively by this store (for a rewrite) until dropped.
pub struct Exclusive<'w> {
    writer: &'w Writer,
}

impl Drop for Exclusive<'_> {
    fn drop(&mut self) {
        let mut st = self.writer.state();
        st.rewrites -= 1;
        if st.rewrites == 0 && st.holder.is_none() {
            st.unlock();
        }
    }
}

impl State {
    fn unlock(&mut self) {
        if self.mode != Mode::Unlocked {
            if let Some(l) = &self.dir_lock {
                l.unlock();
            }
            self.mode = Mode::Unlocked;
            self.no_retake_until = Some(Instant::now() + YIELD_TO_WAITERS);
        }
    }
}

impl Writer {
    pub fn new(dir: &Path) -> Self {
        Writer {
            dir: dir.to_owned(),
            events_path: dir.join("events.ndjson"),
            lock_path: dir.join(".lock"),
            state: Mutex::new(State {
                dir_lock: None,
                mode: Mode::Unlocked,
                rewrites: 0,
                holder: None,
                file: None,
                no_retake_until: None,
                foreign: ForeignHolders::default(),
                foreign_seen: None,
                waiting_for: None,
                unsettled: Vec::new(),
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The lock on the directory at the path, creating the directory: only writers call this.
    fn dir_lock(&self, st: &mut State) -> io::Result<Arc<DirLock>> {
        if let Some(l) = &st.dir_lock {
            return Ok(l.clone());
        }
        fs::create_dir_all(&self.dir)?;
        let l = Arc::new(DirLock::open(&self.dir)?);
        st.dir_lock = Some(l.clone());
        Ok(l)
    }

    /// The directory at the path is not the one locked (removed, maybe made again): lock the
    /// one there now, in the same mode; `Ok(false)` when another has it.
    fn relock(&self, st: &mut State) -> io::Result<bool> {
        let mode = st.mode;
        st.unlock();
        st.dir_lock = None;
        st.file = None;
        let l = self.dir_lock(st)?;
        let locked = match mode {
            Mode::Unlocked => true,
            Mode::Shared => l.try_shared()?,
            Mode::Exclusive => l.try_exclusive()?,
        };
        if locked {
            st.mode = mode;
        }
        Ok(locked)
    }

    /// Appends `bytes` (complete lines) now, or not at all when that would mean waiting: a
    /// rewrite of this store is under way, or another holds the directory.
    pub fn try_append(&self, bytes: &[u8]) -> io::Result<Appended> {
        let mut st = self.state();
        if st.rewrites > 0 {
            return Ok(Appended::No);
        }
        if st.mode == Mode::Unlocked {
            // Sit out the pause rather than queue: a queued append is not yet in the kernel
            // when the call returns, and durability at return is the point of this path.
            if let Some(rest) = st
                .no_retake_until
                .and_then(|t| t.checked_duration_since(Instant::now()))
            {
                std::thread::sleep(rest);
            }
            if !self.dir_lock(&mut st)?.try_shared()? {
                return Ok(Appended::No);
            }
            st.mode = Mode::Shared;
        }
        // While an original process has been seen holding `.lock`, honour its holders before
        // writing (and write as soon as the one waited for is done: a holder that has just
        // taken `.lock` has not read the file yet). Otherwise the check after the write finds
        // one that came: the write is then settled, and its call resolves once that is done.
        let recent = st.foreign_seen.is_some_and(|t| t.elapsed() < FOREIGN_WATCH);
        if st.mode == Mode::Shared && recent {
            let live = self.live_foreign_holder(&mut st)?;
            match (live, st.waiting_for) {
                (None, _) => st.waiting_for = None,
                (Some(now), Some(waited)) if now != waited => st.waiting_for = None,
                (Some(now), _) => {
                    st.waiting_for = Some(now);
                    return Ok(Appended::No);
                }
            }
        }
        Ok(match self.write_locked(&mut st, bytes)? {
            false => Appended::No,
            true if st.unsettled.is_empty() => Appended::Yes,
            true => Appended::Settling,
        })
    }

    /// Appends `bytes`, waiting (polling: a blocking `flock` here would fight the other
    /// thread's use of the same lock) while another holds the directory; returns once they
    /// are known to be in the file (`settle`).
    pub fn append_waiting(&self, bytes: &[u8]) -> io::Result<()> {
        poll(|| self.try_append(bytes).map(Appended::written))?;
        self.settle()
    }

    /// Called with the directory locked by this store.
    fn write_locked(&self, st: &mut State, bytes: &[u8]) -> io::Result<bool> {
        let at_path = match fs::metadata(&self.events_path) {
            Ok(m) => Some(m),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(e),
        };
        let size = match (&at_path, &st.file) {
            (Some(m), Some(f)) if id_of(m) == f.id => m.len(),
            _ => {
                // A FIFO would block the open; a directory fails it with EISDIR, as fs does.
                if let Some(m) = at_path.as_ref().filter(|m| !m.is_file() && !m.is_dir()) {
                    return Err(not_a_file(&self.events_path, m));
                }
                // Replaced, renamed or removed since this store last wrote: open what is at
                // the path now, in the directory that is there now.
                let locked_here = st.dir_lock.as_ref().is_some_and(|l| l.is_at(&self.dir));
                if !locked_here && !self.relock(st)? {
                    return Ok(false);
                }
                let file = OpenOptions::new()
                    .read(true)
                    .append(true)
                    .create(true)
                    .open(&self.events_path)?;
                let meta = file.metadata()?;
                let size = meta.len();
                st.file = Some(AppendFile {
                    file,
                    id: id_of(&meta),
                    end: u64::MAX,
                });
                size
            }
        };
        let f = st.file.as_mut().expect("opened above");
        // A crash left a line without its `\n`: end it, so the fragment stays a line of its own
        // (kept if it parses, skipped by readers if not) and never swallows this one.
        let joined;
        let bytes = if size != f.end && recovery::ends_unterminated(&f.file, size)? {
            joined = [b"\n", bytes].concat();
            &joined[..]
        } else {
            bytes
        };
        match write_whole(&f.file, bytes) {
            Ok(()) => {
                f.end = size + bytes.len() as u64;
                let (id, len) = (f.id, bytes.len() as u64);
                if st.mode == Mode::Shared {
                    // A holder that takes no OS lock may have taken `.lock` since this store
                    // last looked, read the file, and even renamed its copy over it.
                    let replaced = rustix::fs::fstat(&f.file)?.st_nlink == 0;
                    let holder = self.live_foreign_holder(st)?;
                    if holder.is_some() {
                        st.foreign_seen = Some(Instant::now());
                    }
                    if replaced || holder.is_some() {
                        let f = st.file.as_ref().expect("written above");
                        st.unsettled.push(Unsettled {
                            file: (f.file.try_clone()?, id),
                            lines: bytes.to_vec(),
                            holder,
                        });
                    }
                }
                if let (Some(h), Some(f)) = (&mut st.holder, &st.file) {
                    // O_APPEND leaves the offset at the end of what this write added, wherever
                    // others' appends put it.
                    let end = rustix::fs::seek(&f.file, rustix::fs::SeekFrom::Current(0))?;
                    h.own.push((id, end - len, end));
                }
                Ok(true)
            }
            Err((e, pieces)) => {
                f.end = u64::MAX;
                if !pieces.is_empty() {
                    self.cut_pieces(st, size, bytes, &pieces);
                }
                Err(e)
            }
        }
    }

    /// A refused write leaves nothing behind: removes the parts of `bytes` (`pieces`, as
    /// `(offset in bytes, length)`) that reached the file at or after `from`, with the directory
    /// held exclusively so no other native append moves meanwhile.
    fn cut_pieces(&self, st: &mut State, from: u64, bytes: &[u8], pieces: &[(usize, usize)]) {
        let held = st.mode == Mode::Exclusive;
        if !held {
            st.unlock();
            let Some(l) = st.dir_lock.clone() else { return };
            let deadline = Instant::now() + Duration::from_secs(5);
            loop {
                match l.try_exclusive() {
                    Ok(true) => break,
                    Ok(false) if Instant::now() < deadline => {
                        std::thread::sleep(Duration::from_millis(1))
                    }
                    _ => return,
                }
            }
        }
        if let Some(f) = &st.file {
            let _ = cut_from(&f.file, from, bytes, pieces);
        }
        if !held {
            if let Some(l) = &st.dir_lock {
                l.unlock();
            }
        }
    }

    /// Makes sure every append written as a holder that takes no OS lock took `.lock` is in the
    /// file at the path, once that holder is done (its `.lock` gone or another's): unless that
    /// file is still the one written to, its lines are looked for, and written again if the
    /// holder's rewrite dropped them. Waits for the holders; on the worker.
    pub fn settle(&self) -> io::Result<()> {
        let started = Instant::now();
        loop {
            if self.state().unsettled.is_empty() {
                return Ok(());
            }
            self.hold_shared(Wait::Yes)?;
            let mut st = self.state();
            let now = match &st.dir_lock {
                Some(l) => l.lock_sig()?,
                None => None,
            };
            let (done, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut st.unsettled)
                .into_iter()
                .partition(|u| u.holder.is_none() || u.holder != now);
            st.unsettled = waiting;
            if !done.is_empty() {
                let at_path = fs::metadata(&self.events_path).ok().map(|m| id_of(&m));
                let current = match fs::read(&self.events_path) {
                    Ok(bytes) => bytes,
                    Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
                    Err(e) => return Err(e),
                };
                for u in done {
                    let kept = at_path == Some(u.file.1)
                        || memchr::memmem::find(&current, &u.lines).is_some();
                    if !kept {
                        self.write_locked(&mut st, &u.lines)?;
                    }
                }
                continue;
            }
            drop(st);
            if started.elapsed() > BUSY_TIMEOUT {
                return Err(self.busy());
            }
            std::thread::sleep(Duration::from_micros(500));
        }
    }

    /// Holds the directory shared for the worker's own writes (the index) that must not
    /// overlap a rewrite; `Ok(false)` when another holds it and `wait` is `No`.
    pub fn hold_shared(&self, wait: Wait) -> io::Result<bool> {
        let try_hold = || {
            let mut st = self.state();
            if st.mode != Mode::Unlocked {
                return Ok(true);
            }
            let held = self.dir_lock(&mut st)?.try_shared()?;
            if held {
                st.mode = Mode::Shared;
            }
            Ok(held)
        };
        match wait {
            Wait::Yes => poll(try_hold).map(|()| true),
            Wait::No => try_hold(),
        }
    }

    /// Drops the shared lock if held: the worker calls this at each turn.
    pub fn release_shared(&self) {
        let mut st = self.state();
        if st.mode == Mode::Shared {
            st.unlock();
        }
    }

    /// The directory exclusively this store's until the guard drops: already so while `.lock`
    /// is held; otherwise waits for other native stores (the OS lock) and for a live holder of
    /// `.lock` that takes no OS lock (the original).
    pub fn exclusive(&self) -> io::Result<Exclusive<'_>> {
        let mut st = self.state();
        st.rewrites += 1;
        let guard = Exclusive { writer: self };
        if st.mode == Mode::Exclusive {
            // Held through `.lock`: on the directory at the path, unless it was removed since.
            let here = st.dir_lock.as_ref().is_some_and(|l| l.is_at(&self.dir));
            if !here && !self.relock(&mut st)? {
                return Err(self.busy());
            }
            return Ok(guard);
        }
        drop(st);
        let started = Instant::now();
        loop {
            let mut st = self.lock_exclusive(Wait::Yes)?.expect("waited for it");
            if self.live_foreign_holder(&mut st)?.is_none() {
                return Ok(guard);
            }
            st.unlock();
            drop(st);
            if started.elapsed() > BUSY_TIMEOUT {
                return Err(self.busy());
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// The OS lock, exclusively, on the directory that is at the path (made if missing): the
    /// state in `Mode::Exclusive`, or `None` when another has it and `wait` is `No`.
    fn lock_exclusive(&self, wait: Wait) -> io::Result<Option<MutexGuard<'_, State>>> {
        loop {
            let l = {
                let mut st = self.state();
                st.unlock(); // a shared lock of ours would block our own exclusive one
                self.dir_lock(&mut st)?
            };
            // Blocking without the state's mutex, so the other thread never waits behind it:
            // its appends see `rewrites` and queue.
            match wait {
                Wait::Yes => l.exclusive()?,
                Wait::No if !l.try_exclusive()? => return Ok(None),
                Wait::No => {}
            }
            let mut st = self.state();
            st.mode = Mode::Exclusive;
            if l.is_at(&self.dir) {
                return Ok(Some(st));
            }
            st.unlock();
            st.dir_lock = None;
            st.file = None;
        }
    }

    fn busy(&self) -> io::Error {
        io::Error::new(
            io::ErrorKind::TimedOut,
            format!(
                "Storage is busy: could not lock {} within {} s",
                self.dir.display(),
                BUSY_TIMEOUT.as_secs()
            ),
        )
    }

    /// The original's `acquireLock`, without its races: the directory exclusively, then `.lock`.
    pub fn acquire_holder(&self) -> io::Result<()> {
        let mut st = self.state();
        if let Some(h) = &st.holder {
            // As the original: a fresh lock is refused even to the store that holds it.
            return Err(lock::locked_error(&h.lock.record, &self.lock_path));
        }
        st.rewrites += 1; // this store's appends queue while it tries
        let trying = Exclusive { writer: self };
        drop(st);
        let started = Instant::now();
        loop {
            if let Some(mut st) = self.lock_exclusive(Wait::No)? {
                // The directory is ours; a `.lock` left here belongs to a process that is gone,
                // to the original module (which takes no OS lock), or to nobody.
                let taken = self
                    .live_record_error()
                    .and_then(|()| HeldLock::take(&self.lock_path));
                let result = taken.map(|lock| {
                    let seen = fs::metadata(&self.events_path)
                        .ok()
                        .map(|m| (id_of(&m), m.len()));
                    st.holder = Some(Holder {
                        lock,
                        seen,
                        own: Vec::new(),
                    });
                });
                drop(st);
                drop(trying); // keeps the lock for the holder, or gives it up
                return result;
            }
            // Exclusive elsewhere: a holder (then `.lock` names it) or a brief append/rewrite.
            self.live_record_error()?;
            if started.elapsed() > BUSY_TIMEOUT {
                return Err(self.busy());
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// A live holder of `.lock` that takes no OS lock (the original), while this store has the
    /// directory locked.
    fn live_foreign_holder(&self, st: &mut State) -> io::Result<Option<lock::LockSig>> {
        let State {
            dir_lock, foreign, ..
        } = st;
        match dir_lock {
            Some(l) => foreign.live(l, &self.lock_path),
            None => Ok(None),
        }
    }

    fn live_record_error(&self) -> io::Result<()> {
        match lock::read_lock_file(&self.lock_path)? {
            LockFileState::Held(rec) if lock::is_live(&rec) => {
                Err(lock::locked_error(&rec, &self.lock_path))
            }
            _ => Ok(()),
        }
    }

    /// Removes `.lock` if this store holds it; never fails for want of a lock.
    pub fn release_holder(&self) -> io::Result<()> {
        let mut st = self.state();
        let Some(h) = st.holder.take() else {
            return Ok(());
        };
        let result = match lock::read_lock_file(&self.lock_path) {
            Ok(LockFileState::Held(rec)) if rec.holder == h.lock.record.holder => {
                fsutil::remove_if_exists(&self.lock_path).map(|_| ())
            }
            Ok(_) => Ok(()),
            Err(e) => Err(e),
        };
        drop(h);
        if st.rewrites == 0 {
            st.unlock();
        }
        result
    }

    /// A read of the events file up to `size` finished: while `.lock` is held, what the holder
    /// has seen (and may write back) goes that far.
    pub fn note_read(&self, id: FileId, size: u64) {
        if let Some(h) = &mut self.state().holder {
            if h.seen.is_none_or(|(i, s)| i != id || s < size) {
                h.seen = Some((id, size));
            }
        }
    }

    /// For a rewrite of the file `id` whose content was decided from its first `size` bytes:
    /// from where the lines others append are theirs to keep. Under `.lock`, a `writeAll` is
    /// decided from what the holder read.
    pub fn carry_from(&self, id: FileId, size: u64) -> CarryFrom {
        let st = self.state();
        match &st.holder {
            Some(h) => {
                let from = match h.seen {
                    Some((i, s)) if i == id => s.min(size),
                    _ => 0,
                };
                let mut own: Vec<(u64, u64)> = h
                    .own
                    .iter()
                    .filter(|&&(i, _, e)| i == id && e > from)
                    .map(|&(_, s, e)| (s, e))
                    .collect();
                own.sort_unstable();
                CarryFrom { from, own }
            }
            None => CarryFrom::at(size),
        }
    }

    /// After a rewrite or removal by this store: the next write opens the path again, and
    /// what a holder saw of the old file no longer counts.
    pub fn forget_file(&self) {
        let mut st = self.state();
        st.file = None;
        if let Some(h) = &mut st.holder {
            h.seen = fs::metadata(&self.events_path)
                .ok()
                .map(|m| (id_of(&m), m.len()));
            h.own.clear();
        }
    }
}

/// Calls `attempt` until it says done, sleeping a little longer after each refusal (200 µs to
/// 5 ms): for the lock holders that take no part in waking us.
fn poll(mut attempt: impl FnMut() -> io::Result<bool>) -> io::Result<()> {
    let mut pause = Duration::from_micros(200);
    while !attempt()? {
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(5));
    }
    Ok(())
}

fn not_a_file(path: &Path, m: &fs::Metadata) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "{} is not a regular file (mode {:o}): cannot append events to it",
            path.display(),
            std::os::unix::fs::PermissionsExt::mode(&m.permissions())
        ),
    )
}

/// `write_all` that reports which parts reached the file when it fails.
fn write_whole(mut f: &File, bytes: &[u8]) -> Result<(), (io::Error, Vec<(usize, usize)>)> {
    let mut pieces = Vec::new();
    let mut done = 0;
    while done < bytes.len() {
        match f.write(&bytes[done..]) {
            Ok(0) => return Err((io::ErrorKind::WriteZero.into(), pieces)),
            Ok(n) => {
                pieces.push((done, n));
                done += n;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err((e, pieces)),
        }
    }
    Ok(())
}

/// Removes `pieces` of `bytes` from the file after `from`: each where it landed (at the end of
/// the file as it was then: after a whole line of another writer, or right after the piece
/// before), the rest of the file moved down over it.
fn cut_from(f: &File, from: u64, bytes: &[u8], pieces: &[(usize, usize)]) -> io::Result<()> {
    use std::os::unix::fs::FileExt;
    let size = f.metadata()?.len();
    if size <= from {
        return Ok(());
    }
    let mut region = vec![0u8; (size - from) as usize];
    f.read_exact_at(&mut region, from)?;
    let mut kept = Vec::with_capacity(region.len());
    let (mut pos, mut prev_end) = (0usize, None);
    for &(at, n) in pieces {
        let needle = &bytes[at..at + n];
        let found = (pos..=region.len().saturating_sub(n)).find(|&p| {
            (p == 0 || region[p - 1] == b'\n' || Some(p) == prev_end) && &region[p..p + n] == needle
        });
        let Some(p) = found else { continue };
        kept.extend_from_slice(&region[pos..p]);
        pos = p + n;
        prev_end = Some(pos);
    }
    kept.extend_from_slice(&region[pos..]);
    if kept.len() == region.len() {
        return Ok(());
    }
    // The descriptor appends wherever it writes: shorten first, then write back what stays.
    f.set_len(from)?;
    let mut w = f;
    w.write_all(&kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_removes_only_the_pieces_of_the_refused_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let batch = b"{\"a\":1}\n{\"a\":2}\n";
        // Our first piece, another writer's whole line glued after it, then our second piece.
        fs::write(&path, b"old\n{\"a\":1}\n{\"a\"other\n:2}\n").unwrap();
        let f = OpenOptions::new()
            .read(true)
            .append(true)
            .open(&path)
            .unwrap();
        cut_from(&f, 4, batch, &[(0, 12), (12, 4)]).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"old\nother\n");
    }
}
