//! The append path: whole lines, one `write` per batch, on an `O_APPEND` fd.
//!
//! `O_APPEND` with a single `write` keeps each batch whole next to other processes' appends.
//! Appends hold the directory lock shared, so a rewrite (which holds it exclusively) never
//! renames a file from under an append: an append lands in the old file before the rewrite
//! reads it, or in the new file after the rename.
//!
//! Taking and dropping the lock on every append would triple its system calls, so the shared
//! lock is kept across appends and dropped by the store's worker at its next turn (within
//! about `worker::INDEX_DELAY`). Whenever it is taken anew, the fd is checked against the path:
//! a rewrite may have replaced the file meanwhile. Right after the worker drops it, appends
//! pause for a moment before taking it again: Linux grants a new shared `flock` even while an
//! exclusive one waits, so without that pause a steady stream of appends could starve a
//! rewrite in another process.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::MetadataExt;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::{lock, recovery, EventStore};

/// How long appends leave the lock alone after the worker drops it: a process blocked on the
/// exclusive lock is woken at the unlock and takes it within microseconds.
const YIELD_TO_WAITERS: Duration = Duration::from_micros(200);

#[derive(Default)]
pub struct WriteState {
    file: Option<File>,
    inode: u64,
    /// Size of the file after this store's last write; any other size means someone else
    /// wrote since, maybe a fragment (a crashed writer, or one that takes no lock).
    end: u64,
    /// The shared lock is held by this store (taken by an append or the worker).
    shared: bool,
    /// Set when the shared lock was taken anew: the next write checks the file's identity.
    verify: bool,
    no_retake_until: Option<Instant>,
}

impl WriteState {
    /// After a rewrite or removal by this store: the next write reopens the path.
    pub fn forget_file(&mut self) {
        self.file = None;
    }
}

impl EventStore {
    /// Appends `bytes` (complete lines) now, or returns `Ok(false)` when that would mean
    /// waiting: a rewrite of this store is under way, or another holds the directory.
    pub fn try_append(&self, bytes: &[u8]) -> io::Result<bool> {
        let locks = self.locks()?;
        let mut w = lock(&self.write);
        if self.exclusive_wanted.load(Ordering::Acquire) {
            return Ok(false);
        }
        if !self.holds_lock.load(Ordering::Acquire) && !w.shared {
            // Sit out the pause rather than queue: a queued append is not yet in the kernel
            // when the call returns, and durability at return is the point of this path.
            if let Some(rest) = w
                .no_retake_until
                .and_then(|t| t.checked_duration_since(Instant::now()))
            {
                std::thread::sleep(rest);
            }
            if !locks.try_shared()? {
                return Ok(false);
            }
            w.shared = true;
            w.verify = true;
        }
        self.write_now(&mut w, bytes).map(|()| true)
    }

    /// Appends `bytes`, waiting (polling: a blocking `flock` here would fight the main thread's
    /// use of the same lock) while another holds the directory.
    pub fn append_waiting(&self, bytes: &[u8]) -> io::Result<()> {
        let mut pause = Duration::from_micros(200);
        while !self.try_append(bytes)? {
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(5));
        }
        Ok(())
    }

    /// Holds the shared lock for the worker's own reads that must not overlap a rewrite;
    /// `Ok(false)` when another holds the directory and `wait` is false.
    pub(super) fn hold_shared(&self, wait: bool) -> io::Result<bool> {
        let locks = self.locks()?;
        let mut pause = Duration::from_micros(200);
        loop {
            {
                let mut w = lock(&self.write);
                if w.shared || self.holds_lock.load(Ordering::Acquire) {
                    return Ok(true);
                }
                if locks.try_shared()? {
                    w.shared = true;
                    w.verify = true;
                    return Ok(true);
                }
            }
            if !wait {
                return Ok(false);
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(5));
        }
    }

    /// Drops the shared lock if held: the worker calls this at each turn.
    pub fn release_shared(&self) {
        let mut w = lock(&self.write);
        if w.shared {
            w.shared = false;
            w.no_retake_until = Some(Instant::now() + YIELD_TO_WAITERS);
            if let Some(l) = self.locks.get() {
                l.unlock_shared();
            }
        }
    }

    pub fn holds_shared(&self) -> bool {
        lock(&self.write).shared
    }

    /// Called with the directory held (shared, or exclusively through `.lock`).
    fn write_now(&self, w: &mut WriteState, bytes: &[u8]) -> io::Result<()> {
        if w.file.is_none() || w.verify {
            w.verify = false;
            let on_disk = match std::fs::metadata(&self.events_path) {
                Ok(m) => Some(m.ino()),
                Err(e) if e.kind() == io::ErrorKind::NotFound => None,
                Err(e) => return Err(e),
            };
            if w.file.is_none() || on_disk != Some(w.inode) {
                // First write, or the file was replaced or removed since: (re)open it.
                let f = OpenOptions::new()
                    .read(true)
                    .append(true)
                    .create(true)
                    .open(&self.events_path)?;
                w.inode = f.metadata()?.ino();
                w.end = u64::MAX;
                w.file = Some(f);
            }
        }
        let f = w.file.as_mut().expect("opened above");
        // The size, by the cheapest system call that tells it (a `stat` costs twice as much).
        let size = rustix::fs::seek(&*f, rustix::fs::SeekFrom::End(0))?;
        // A crash left a line without its `\n`: end it, so the fragment stays a line of its own
        // (kept if it parses, skipped by readers if not) and never swallows this one.
        let repair_tail = size != w.end && recovery::ends_unterminated(f, size)?;
        if repair_tail {
            let mut joined = Vec::with_capacity(bytes.len() + 1);
            joined.push(b'\n');
            joined.extend_from_slice(bytes);
            f.write_all(&joined)?;
            w.end = size + joined.len() as u64;
        } else {
            f.write_all(bytes)?;
            w.end = size + bytes.len() as u64;
        }
        Ok(())
    }
}
