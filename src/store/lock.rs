//! The storage lock.
//!
//! Two layers. The OS layer is `flock` on the storage directory, through two open file
//! descriptions per store so that a store's own appends and its own rewrites exclude each other
//! like two processes would: appends take it shared for the length of one `write`; rewrites,
//! index writes and a held `acquireLock` take it exclusive. The kernel drops it when a process
//! dies, so a dead holder never blocks anyone.
//!
//! The file layer is the original's `.lock` (`{"holder","timestamp","pid"}`), kept so that the
//! original module and people can see who holds the storage. It is always replaced atomically,
//! refreshed while held, and judged stale only when its pid is dead (or it names this process
//! but no store here holds it), never by age alone.

use std::collections::HashSet;
use std::fs::{File, TryLockError};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use crate::fsutil;

/// How often a held `.lock` gets a fresh timestamp: well inside the original's 30 s staleness.
const REFRESH_EVERY: Duration = Duration::from_secs(10);

pub struct DirLocks {
    shared: File,
    exclusive: File,
}

impl DirLocks {
    pub fn open(dir: &Path) -> io::Result<Self> {
        Ok(DirLocks {
            shared: File::open(dir)?,
            exclusive: File::open(dir)?,
        })
    }

    /// Shared, without waiting: `Ok(false)` when a rewrite or a lock holder has it exclusive.
    pub fn try_shared(&self) -> io::Result<bool> {
        match self.shared.try_lock_shared() {
            Ok(()) => Ok(true),
            Err(TryLockError::WouldBlock) => Ok(false),
            Err(TryLockError::Error(e)) => Err(e),
        }
    }
    pub fn shared(&self) -> io::Result<()> {
        self.shared.lock_shared()
    }
    pub fn unlock_shared(&self) {
        let _ = self.shared.unlock();
    }
    pub fn try_exclusive(&self) -> io::Result<bool> {
        match self.exclusive.try_lock() {
            Ok(()) => Ok(true),
            Err(TryLockError::WouldBlock) => Ok(false),
            Err(TryLockError::Error(e)) => Err(e),
        }
    }
    pub fn exclusive(&self) -> io::Result<()> {
        self.exclusive.lock()
    }
    pub fn unlock_exclusive(&self) {
        let _ = self.exclusive.unlock();
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LockRecord {
    pub holder: String,
    pub timestamp: f64,
    /// Absent in records written by hand or by other tools; then only age can tell.
    pub pid: Option<u32>,
}

impl LockRecord {
    pub fn new_for_this_process() -> Self {
        LockRecord {
            holder: uuid::Uuid::new_v4().to_string(),
            timestamp: fsutil::now_ms(),
            pid: Some(std::process::id()),
        }
    }

    /// The original's bytes: `JSON.stringify({ holder, timestamp, pid })`.
    pub fn to_json(&self) -> String {
        let mut ts = String::new();
        super::index_file::push_number(&mut ts, Some(self.timestamp));
        format!(
            "{{\"holder\":{},\"timestamp\":{},\"pid\":{}}}",
            serde_json::to_string(&self.holder).unwrap_or_default(),
            ts,
            self.pid.unwrap_or(0)
        )
    }
}

/// What the `.lock` file says.
#[derive(Debug, PartialEq)]
pub enum LockFileState {
    Absent,
    /// Unreadable as a lock record (the original removes such files; so do we, when taking over).
    Corrupt,
    Held(LockRecord),
}

pub fn read_lock_file(path: &Path) -> io::Result<LockFileState> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(LockFileState::Absent),
        Err(e) => return Err(e),
    };
    let parsed: Option<LockRecord> = (|| {
        let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
        Some(LockRecord {
            holder: v.get("holder")?.as_str().unwrap_or_default().to_owned(),
            timestamp: v.get("timestamp")?.as_f64()?,
            pid: v.get("pid").and_then(|p| u32::try_from(p.as_u64()?).ok()),
        })
    })();
    Ok(parsed.map_or(LockFileState::Corrupt, LockFileState::Held))
}

/// Holders of `.lock` files held by stores of this process right now.
static HELD_HERE: Mutex<Option<HashSet<String>>> = Mutex::new(None);

fn held_here(holder: &str) -> bool {
    HELD_HERE
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .as_ref()
        .is_some_and(|s| s.contains(holder))
}

fn set_held_here(holder: &str, held: bool) {
    let mut set = HELD_HERE.lock().unwrap_or_else(|p| p.into_inner());
    let set = set.get_or_insert_with(HashSet::new);
    if held {
        set.insert(holder.to_owned());
    } else {
        set.remove(holder);
    }
}

pub fn pid_alive(pid: u32) -> bool {
    let Some(pid) = rustix::process::Pid::from_raw(pid as i32) else {
        return false;
    };
    match rustix::process::test_kill_process(pid) {
        Ok(()) => true,
        Err(e) => e == rustix::io::Errno::PERM,
    }
}

/// The original's rule, used where a pid cannot decide: a lock younger than 30 s is held.
const ORIGINAL_STALE_MS: f64 = 30_000.0;

/// Whether a recorded holder still holds the storage. A dead pid is stale at once, a live
/// one is never stale. A record without a pid, or naming this process but no store of it (the
/// original module in this process holds such locks), is judged by age as the original does.
pub fn is_live(rec: &LockRecord) -> bool {
    match rec.pid {
        Some(pid) if pid == std::process::id() => {
            held_here(&rec.holder) || fsutil::now_ms() - rec.timestamp < ORIGINAL_STALE_MS
        }
        Some(pid) => pid_alive(pid),
        None => fsutil::now_ms() - rec.timestamp < ORIGINAL_STALE_MS,
    }
}

pub fn locked_error(rec: &LockRecord, lock_path: &Path) -> io::Error {
    let age = (fsutil::now_ms() - rec.timestamp).max(0.0);
    io::Error::new(
        io::ErrorKind::WouldBlock,
        format!(
            "Storage is locked by another process (holder: {}, age: {}ms). Lock file: {}",
            rec.holder,
            age as u64,
            lock_path.display()
        ),
    )
}

/// A `.lock` this store holds: registered as held here, its timestamp refreshed until dropped.
pub struct HeldLock {
    pub record: LockRecord,
    stop: Arc<(Mutex<bool>, Condvar)>,
    refresher: Option<std::thread::JoinHandle<()>>,
}

impl HeldLock {
    /// Writes the record over whatever `.lock` is there. The caller holds the directory
    /// exclusively and has judged any existing record stale.
    pub fn take(lock_path: &Path) -> io::Result<HeldLock> {
        let record = LockRecord::new_for_this_process();
        fsutil::write_atomic(lock_path, record.to_json().as_bytes(), true)?;
        set_held_here(&record.holder, true);
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let refresher = {
            let stop = stop.clone();
            let path: PathBuf = lock_path.to_owned();
            let mut rec = record.clone();
            std::thread::Builder::new()
                .name("native-ledger-lock".into())
                .spawn(move || loop {
                    let (flag, cv) = &*stop;
                    let guard = flag.lock().unwrap_or_else(|p| p.into_inner());
                    let (guard, _) = cv
                        .wait_timeout_while(guard, REFRESH_EVERY, |stopped| !*stopped)
                        .unwrap_or_else(|p| p.into_inner());
                    if *guard {
                        return;
                    }
                    drop(guard);
                    // Refresh only our own record: never resurrect a lock that was released
                    // or removed by destroy().
                    if matches!(read_lock_file(&path), Ok(LockFileState::Held(r)) if r.holder == rec.holder) {
                        rec.timestamp = fsutil::now_ms();
                        let _ = fsutil::write_atomic(&path, rec.to_json().as_bytes(), true);
                    }
                })
                .ok()
        };
        Ok(HeldLock {
            record,
            stop,
            refresher,
        })
    }
}

impl Drop for HeldLock {
    fn drop(&mut self) {
        set_held_here(&self.record.holder, false);
        let (flag, cv) = &*self.stop;
        *flag.lock().unwrap_or_else(|p| p.into_inner()) = true;
        cv.notify_all();
        if let Some(t) = self.refresher.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_json_is_the_originals_shape() {
        let r = LockRecord {
            holder: "h".into(),
            timestamp: 1700000000123.0,
            pid: Some(42),
        };
        assert_eq!(
            r.to_json(),
            "{\"holder\":\"h\",\"timestamp\":1700000000123,\"pid\":42}"
        );
    }

    #[test]
    fn dead_pids_are_stale_at_once_and_pidless_records_by_age() {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert!(!pid_alive(pid));
        assert!(pid_alive(std::process::id()));
        let mut ours = LockRecord::new_for_this_process();
        assert!(
            is_live(&ours),
            "fresh: maybe the original module in this process holds it"
        );
        ours.timestamp -= 31_000.0;
        assert!(!is_live(&ours));
        let no_pid = LockRecord {
            holder: "x".into(),
            timestamp: fsutil::now_ms(),
            pid: None,
        };
        assert!(is_live(&no_pid));
    }

    #[test]
    fn flock_excludes_within_one_process() {
        let dir = tempfile::tempdir().unwrap();
        let a = DirLocks::open(dir.path()).unwrap();
        let b = DirLocks::open(dir.path()).unwrap();
        assert!(a.try_exclusive().unwrap());
        assert!(!b.try_shared().unwrap());
        assert!(
            !a.try_shared().unwrap(),
            "a store's own appends wait for its rewrite"
        );
        a.unlock_exclusive();
        assert!(b.try_shared().unwrap());
        assert!(a.try_shared().unwrap());
        assert!(!b.try_exclusive().unwrap());
    }

    #[test]
    fn held_lock_is_written_atomically_and_unregistered_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".lock");
        let held = HeldLock::take(&path).unwrap();
        let LockFileState::Held(rec) = read_lock_file(&path).unwrap() else {
            panic!()
        };
        assert_eq!(rec, held.record);
        assert!(is_live(&rec));
        drop(held);
        assert!(is_live(&rec), "unregistered but fresh: judged by age");
        std::fs::write(&path, "{\"holder\":").unwrap();
        assert_eq!(read_lock_file(&path).unwrap(), LockFileState::Corrupt);
    }
}
