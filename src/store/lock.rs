//! The storage lock, the whole protocol in one file.
//!
//! Two layers. The OS layer is `flock` on the storage directory, one open file description per
//! store: shared while a store appends (kept across appends, dropped at its worker's turn),
//! exclusive for a rewrite and for as long as `acquireLock()` is held. The kernel drops it when
//! a process dies, so a dead holder never blocks anyone. Which of these a store holds is owned
//! by `writer.rs`; this file only says how each step is done.
//!
//! The file layer is the original's `.lock` (`{"holder","timestamp","pid"}`). A native holder
//! writes it (atomically) once it has the directory exclusively, and refreshes its timestamp
//! while held. The original module takes no OS lock, only `.lock`, so every native writer also
//! honours a `.lock` whose holder is live before it writes: see [`is_live`] for what "live" is.

use std::collections::HashSet;
use std::fs::{File, TryLockError};
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use crate::fsutil;

/// How often a held `.lock` gets a fresh timestamp: well inside the original's 30 s staleness.
const REFRESH_EVERY: Duration = Duration::from_secs(10);

/// `(device, inode)`: what a path is, as opposed to what it is called.
pub type FileId = (u64, u64);

pub fn id_of(m: &std::fs::Metadata) -> FileId {
    (m.dev(), m.ino())
}

/// `flock` on one storage directory, through one open file description.
pub struct DirLock {
    file: File,
    /// The directory this lock is on. If the path names another directory now (removed and
    /// made again), this lock excludes nobody there.
    pub id: FileId,
}

impl DirLock {
    pub fn open(dir: &Path) -> io::Result<Self> {
        let file = File::open(dir)?;
        let id = id_of(&file.metadata()?);
        Ok(DirLock { file, id })
    }

    /// Whether `dir` is still the directory this lock is on.
    pub fn is_at(&self, dir: &Path) -> bool {
        std::fs::metadata(dir).is_ok_and(|m| id_of(&m) == self.id)
    }

    /// Shared, without waiting: `Ok(false)` when a rewrite or a holder has it exclusively.
    pub fn try_shared(&self) -> io::Result<bool> {
        would_block(self.file.try_lock_shared())
    }
    pub fn try_exclusive(&self) -> io::Result<bool> {
        would_block(self.file.try_lock())
    }
    pub fn exclusive(&self) -> io::Result<()> {
        self.file.lock()
    }
    pub fn unlock(&self) {
        let _ = self.file.unlock();
    }

    /// Which `.lock` is in this directory, if any. Relative to the directory's descriptor: a
    /// lookup of one name, where a `stat` of the whole path costs one per component, and this
    /// is asked twice per append.
    pub fn lock_sig(&self) -> io::Result<Option<LockSig>> {
        match rustix::fs::statat(&self.file, ".lock", rustix::fs::AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => Ok(Some((
                (st.st_dev as u64, st.st_ino as u64),
                st.st_mtime as i64,
                st.st_mtime_nsec as i64,
                st.st_size as u64,
            ))),
            Err(rustix::io::Errno::NOENT) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

fn would_block(r: Result<(), TryLockError>) -> io::Result<bool> {
    match r {
        Ok(()) => Ok(true),
        Err(TryLockError::WouldBlock) => Ok(false),
        Err(TryLockError::Error(e)) => Err(e),
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
    Ok(parse_record(&bytes).map_or(LockFileState::Corrupt, LockFileState::Held))
}

fn parse_record(bytes: &[u8]) -> Option<LockRecord> {
    let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    Some(LockRecord {
        holder: v.get("holder")?.as_str().unwrap_or_default().to_owned(),
        timestamp: v.get("timestamp")?.as_f64()?,
        pid: v.get("pid").and_then(|p| u32::try_from(p.as_u64()?).ok()),
    })
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

/// When process `pid` started, in ms since the epoch (to within the second `/proc/stat` gives
/// the boot time in); `None` where `/proc` cannot tell.
fn process_start_ms(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Field 22, counted after the command name, which may itself hold spaces and parentheses.
    let after_name = &stat[stat.rfind(')')? + 1..];
    let ticks: f64 = after_name.split_whitespace().nth(19)?.parse().ok()?;
    let boot_s: f64 = std::fs::read_to_string("/proc/stat")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("btime "))?
        .trim()
        .parse()
        .ok()?;
    let hz = rustix::param::clock_ticks_per_second() as f64;
    Some(boot_s * 1000.0 + ticks * 1000.0 / hz)
}

/// Whether `pid` is the process that wrote a record stamped `timestamp`: alive, and not a
/// newer process that was given the pid of a holder that died (it started after the stamp).
fn holder_alive(pid: u32, timestamp: f64) -> bool {
    // Slack for the boot time's whole seconds and for clocks set between the two.
    const SLACK_MS: f64 = 2_000.0;
    pid_alive(pid) && process_start_ms(pid).is_none_or(|start| start <= timestamp + SLACK_MS)
}

/// The original's rule, used where a pid cannot decide: a lock younger than 30 s is held.
const ORIGINAL_STALE_MS: f64 = 30_000.0;

/// Whether a recorded holder still holds the storage. A dead pid (or one that now belongs to a
/// process started after the record was written) is stale at once, a live holder is never
/// stale. A record without a pid, or naming this process but no store of it (the original
/// module in this process holds such locks), is judged by age as the original does.
pub fn is_live(rec: &LockRecord) -> bool {
    match rec.pid {
        Some(pid) if pid == std::process::id() => {
            held_here(&rec.holder) || fsutil::now_ms() - rec.timestamp < ORIGINAL_STALE_MS
        }
        Some(pid) => holder_alive(pid, rec.timestamp),
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

/// For writers that hold the directory lock but not `.lock`: whether a `.lock` there says a
/// live holder that takes no OS lock (the original module) is working on the files, so that
/// writing now could land in a file it is about to replace. One `stat` when there is no
/// `.lock`; a `.lock` judged stale is not read again until it changes. A holder is told from
/// the next one by its file's identity, modification time and size (`LockSig`).
#[derive(Default)]
pub struct ForeignHolders {
    stale: Option<LockSig>,
}

/// Which `.lock` file is there (identity, modification time, size): a new holder's is another.
pub type LockSig = (FileId, i64, i64, u64);

impl ForeignHolders {
    /// The `.lock` of a live holder in `dir` (at `lock_path`), if there is one.
    pub fn live(&mut self, dir: &DirLock, lock_path: &Path) -> io::Result<Option<LockSig>> {
        let Some(seen) = dir.lock_sig()? else {
            return Ok(None);
        };
        if self.stale == Some(seen) {
            return Ok(None);
        }
        let live = match read_lock_file(lock_path)? {
            LockFileState::Absent => false,
            LockFileState::Held(rec) => is_live(&rec),
            // The original writes `.lock` in place (truncate, then write): an empty or partial
            // record less than a second old is probably one being written.
            LockFileState::Corrupt => {
                let age_ms = fsutil::now_ms() - (seen.1 as f64 * 1000.0);
                age_ms < 1_000.0
            }
        };
        if !live {
            self.stale = Some(seen);
        }
        Ok(live.then_some(seen))
    }
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
    fn a_pid_given_to_a_newer_process_is_not_the_holder() {
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let rec = |timestamp| LockRecord {
            holder: "x".into(),
            timestamp,
            pid: Some(child.id()),
        };
        assert!(is_live(&rec(fsutil::now_ms())), "written by the live child");
        assert!(
            !is_live(&rec(fsutil::now_ms() - 60_000.0)),
            "written a minute before the process with that pid started"
        );
        let init = LockRecord {
            pid: Some(1),
            ..rec(fsutil::now_ms() - 60_000.0)
        };
        assert!(is_live(&init), "an old lock of a process older than it");
        child.kill().unwrap();
        child.wait().unwrap();
    }

    #[test]
    fn flock_excludes_other_descriptions() {
        let dir = tempfile::tempdir().unwrap();
        let a = DirLock::open(dir.path()).unwrap();
        let b = DirLock::open(dir.path()).unwrap();
        assert!(a.try_exclusive().unwrap());
        assert!(!b.try_shared().unwrap());
        a.unlock();
        assert!(b.try_shared().unwrap());
        assert!(a.try_shared().unwrap());
        assert!(!b.try_exclusive().unwrap());
        assert!(a.is_at(dir.path()));
    }

    #[test]
    fn a_foreign_lock_is_honoured_while_live_and_read_once_when_stale() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".lock");
        let mut f = ForeignHolders::default();
        let d = DirLock::open(dir.path()).unwrap();
        assert!(f.live(&d, &path).unwrap().is_none());
        let fresh = LockRecord {
            holder: "original".into(),
            timestamp: fsutil::now_ms(),
            pid: Some(1),
        };
        std::fs::write(&path, fresh.to_json()).unwrap();
        assert!(f.live(&d, &path).unwrap().is_some());
        std::fs::write(&path, "").unwrap();
        assert!(f.live(&d, &path).unwrap().is_some(), "being written");
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let stale = LockRecord {
            pid: Some(dead),
            ..fresh
        };
        std::fs::write(&path, stale.to_json()).unwrap();
        assert!(f.live(&d, &path).unwrap().is_none());
        assert!(f.stale.is_some());
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
