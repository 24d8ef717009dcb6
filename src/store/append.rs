//! The append path: whole lines, one `write` per batch, on an `O_APPEND` fd.
//!
//! `O_APPEND` with a single `write` keeps each batch whole next to other processes' appends.
//! The shared directory lock is held only for that `write`, so a rewrite (which holds it
//! exclusively) never renames a file from under an append: an append lands in the old file
//! before the rewrite reads it, or in the new file after the rename.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::MetadataExt;
use std::sync::atomic::Ordering;

use super::{lock, recovery, EventStore};

#[derive(Default)]
pub struct WriteState {
    file: Option<File>,
    inode: u64,
}

impl EventStore {
    /// Appends `bytes` (complete lines) now, or returns `Ok(false)` when that would mean
    /// waiting: a rewrite of this store is under way, or another holds the directory.
    pub fn try_append(&self, bytes: &[u8]) -> io::Result<bool> {
        let locks = self.locks()?;
        let mut w = lock(&self.write);
        if self.rewriting.load(Ordering::Acquire) {
            return Ok(false);
        }
        if self.holds_lock.load(Ordering::Acquire) {
            return self.write_now(&mut w, bytes).map(|()| true);
        }
        if !locks.try_shared()? {
            return Ok(false);
        }
        let r = self.write_now(&mut w, bytes);
        locks.unlock_shared();
        r.map(|()| true)
    }

    /// Appends `bytes`, waiting for the directory if another holds it.
    pub fn append_waiting(&self, bytes: &[u8]) -> io::Result<()> {
        let locks = self.locks()?;
        while !self.try_append(bytes)? {
            // Someone holds the directory exclusively: wait for them, then retry.
            locks.shared()?;
            locks.unlock_shared();
        }
        Ok(())
    }

    /// Called with the directory held (shared, or exclusively through `.lock`).
    fn write_now(&self, w: &mut WriteState, bytes: &[u8]) -> io::Result<()> {
        let on_disk = match std::fs::metadata(&self.events_path) {
            Ok(m) => Some(m.ino()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(e),
        };
        let mut repair_tail = false;
        if w.file.is_none() || on_disk != Some(w.inode) {
            // First write, or the file was replaced or removed since: (re)open it.
            let f = OpenOptions::new()
                .read(true)
                .append(true)
                .create(true)
                .open(&self.events_path)?;
            w.inode = f.metadata()?.ino();
            repair_tail = recovery::ends_unterminated(&f)?;
            w.file = Some(f);
        }
        let f = w.file.as_mut().expect("opened above");
        if repair_tail {
            // A crash left a line without its `\n`: end it, so the fragment stays a line of its
            // own (kept if it parses, skipped by readers if not) and never swallows this one.
            let mut joined = Vec::with_capacity(bytes.len() + 1);
            joined.push(b'\n');
            joined.extend_from_slice(bytes);
            f.write_all(&joined)
        } else {
            f.write_all(bytes)
        }
    }
}
