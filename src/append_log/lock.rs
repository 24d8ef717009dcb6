//! The sidecar `<log>.lock`: an OS advisory lock (flock) that every appender of one log file
//! holds while it assigns seqs and writes, and the log's high-water seq.
//!
//! The lock cannot live on the log itself: `truncateBefore` renames a new file over the log,
//! and a lock on the old inode would no longer exclude anyone. The high-water seq is kept here
//! because a truncate may leave no record in the log to number from, and the log's own lines
//! must stay in the seed's format.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Arc;

/// The record is rewritten in place at a fixed size, within one disk sector, so a crash
/// leaves either the old or the new value.
const RECORD_LEN: usize = 40;
const KEY: &str = "{\"highWaterSeq\":";

pub struct SeqLock {
    file: Arc<File>,
}

/// Holds the lock until dropped (also on unwinding, so a panic never leaves it held).
pub struct Held(Arc<File>);

impl Drop for Held {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

impl SeqLock {
    /// Opens (with `create`, creates) the lock file; `None` when it does not exist.
    pub fn open(path: &Path, create: bool) -> io::Result<Option<Self>> {
        let opened = OpenOptions::new()
            .read(true)
            .write(true)
            .create(create)
            .truncate(false)
            .open(path);
        match opened {
            Ok(file) => Ok(Some(Self {
                file: Arc::new(file),
            })),
            Err(e) if e.kind() == io::ErrorKind::NotFound && !create => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub fn exclusive(&self) -> io::Result<Held> {
        self.file.lock()?;
        Ok(Held(Arc::clone(&self.file)))
    }

    pub fn shared(&self) -> io::Result<Held> {
        self.file.lock_shared()?;
        Ok(Held(Arc::clone(&self.file)))
    }

    /// The recorded high-water seq; 0 when none was recorded (or the record is unreadable,
    /// which only a foreign write can cause).
    pub fn high_water(&self) -> io::Result<u64> {
        let mut buf = [0u8; RECORD_LEN];
        let n = self.file.read_at(&mut buf, 0)?;
        let text = std::str::from_utf8(&buf[..n]).unwrap_or("").trim();
        Ok(text
            .strip_prefix(KEY)
            .and_then(|rest| rest.strip_suffix('}'))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0))
    }

    /// Records `seq` durably. Call with the exclusive lock held.
    pub fn set_high_water(&self, seq: u64) -> io::Result<()> {
        let mut record = format!("{KEY}{seq}}}");
        record.extend(std::iter::repeat_n(' ', RECORD_LEN - 1 - record.len()));
        record.push('\n');
        self.file.write_all_at(record.as_bytes(), 0)?;
        self.file.sync_data()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_high_water_seq() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.jsonl.lock");
        assert!(SeqLock::open(&path, false).unwrap().is_none());
        let lock = SeqLock::open(&path, true).unwrap().unwrap();
        assert_eq!(lock.high_water().unwrap(), 0);
        let held = lock.exclusive().unwrap();
        lock.set_high_water(u64::from(u32::MAX) * 1000).unwrap();
        lock.set_high_water(7).unwrap();
        drop(held);
        let again = SeqLock::open(&path, false).unwrap().unwrap();
        assert_eq!(again.high_water().unwrap(), 7);
        assert_eq!(std::fs::metadata(&path).unwrap().len(), RECORD_LEN as u64);
    }

    #[test]
    fn excludes_other_open_descriptions_in_one_process() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.lock");
        let a = SeqLock::open(&path, true).unwrap().unwrap();
        let b = SeqLock::open(&path, true).unwrap().unwrap();
        let held = a.exclusive().unwrap();
        assert!(b.file.try_lock().is_err());
        drop(held);
        assert!(b.file.try_lock().is_ok());
    }
}
