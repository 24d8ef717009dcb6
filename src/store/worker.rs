//! Which thread does what, for one store.
//!
//! An append is written on the calling thread when it can be without waiting (the common case:
//! a page-cache `write` costs microseconds, a thread hop tens). Everything else, and appends
//! that would wait, run in order on the store's own worker thread, which also writes
//! `index.json` shortly after appends: the index is a cache that readers validate, so it need
//! not be rewritten on every append. The worker exits when idle and is started again on demand.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use super::writer::Appended;
use super::EventStore;

type Job = Box<dyn FnOnce(&EventStore) + Send>;

/// The worker's turn while appends go on: it drops the shared lock (so that another process's
/// rewrite is never kept waiting longer) and, once appends pause for a turn, brings
/// `index.json` up to date: a burst is described by one write, after it, not by many during it.
pub const INDEX_DELAY: Duration = Duration::from_millis(20);
/// Appends that never pause still get their index written this often.
const INDEX_MAX_DELAY: Duration = Duration::from_millis(500);
const IDLE_EXIT: Duration = Duration::from_secs(5);

pub struct StoreHandle {
    store: Arc<EventStore>,
    shared: Arc<Shared>,
    /// The worker's queue; `None` while no worker runs. Shared with the worker so that it
    /// leaves only when nothing can be in flight to it.
    sender: Arc<Mutex<Option<mpsc::Sender<Job>>>>,
}

struct Shared {
    /// Mutating jobs queued and not yet done: while any is, appends queue behind them.
    queued_writes: AtomicUsize,
    index_dirty: AtomicBool,
    /// An append happened since the worker's last turn.
    appended: AtomicBool,
}

impl StoreHandle {
    pub fn new(store: EventStore) -> Self {
        StoreHandle {
            store: Arc::new(store),
            shared: Arc::new(Shared {
                queued_writes: AtomicUsize::new(0),
                index_dirty: AtomicBool::new(false),
                appended: AtomicBool::new(false),
            }),
            sender: Arc::new(Mutex::new(None)),
        }
    }

    pub fn store(&self) -> &EventStore {
        &self.store
    }

    /// Appends now if that needs no waiting; `Appended::No`: use `append_queued`.
    pub fn try_append(&self, bytes: &[u8]) -> std::io::Result<Appended> {
        if self.shared.queued_writes.load(Ordering::Acquire) > 0 {
            return Ok(Appended::No);
        }
        let appended = self.store.try_append(bytes)?;
        if appended.written() {
            self.index_changed();
        }
        Ok(appended)
    }

    pub fn append_queued(
        &self,
        bytes: Vec<u8>,
        done: impl FnOnce(std::io::Result<()>) + Send + 'static,
    ) {
        let shared = self.shared.clone();
        self.run_write(
            move |s| {
                let r = s.append_waiting(&bytes);
                shared.index_dirty.store(true, Ordering::Release);
                r
            },
            done,
        );
    }

    /// Runs `work`, a job that changes the files, in order with queued appends, then `then`
    /// with its result. Appends wait behind it until `work` is over, and no longer: by the
    /// time `then` tells the caller, this store appends at once again.
    pub fn run_write<R: 'static>(
        &self,
        work: impl FnOnce(&EventStore) -> R + Send + 'static,
        then: impl FnOnce(R) + Send + 'static,
    ) {
        self.shared.queued_writes.fetch_add(1, Ordering::AcqRel);
        let shared = self.shared.clone();
        self.run(move |s| {
            // Decrement even if the job panics, or fast appends would queue forever.
            struct Done(Arc<Shared>);
            impl Drop for Done {
                fn drop(&mut self) {
                    self.0.queued_writes.fetch_sub(1, Ordering::AcqRel);
                }
            }
            let done = Done(shared);
            let r = work(s);
            drop(done);
            then(r)
        });
    }

    /// Runs a job on the worker, after every job submitted before it.
    pub fn run(&self, job: impl FnOnce(&EventStore) + Send + 'static) {
        let mut job: Job = Box::new(job);
        let mut sender = self.sender.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(tx) = sender.as_ref() {
                match tx.send(job) {
                    Ok(()) => return,
                    Err(mpsc::SendError(j)) => job = j, // the worker exited while idle
                }
            }
            match self.spawn_worker() {
                Some(tx) => *sender = Some(tx),
                None => {
                    // No thread to be had: doing the work here is slow but loses nothing.
                    drop(sender);
                    return job(&self.store);
                }
            }
        }
    }

    fn index_changed(&self) {
        self.shared.appended.store(true, Ordering::Release);
        if !self.shared.index_dirty.swap(true, Ordering::AcqRel) {
            self.run(|_| {}); // wakes the worker, which schedules the index write
        }
    }

    /// Writes `index.json` now if appends made it stale (for process exit).
    pub fn write_index_if_dirty(&self) -> std::io::Result<()> {
        if self.shared.index_dirty.swap(false, Ordering::AcqRel) {
            self.store.write_index_now()?;
        }
        Ok(())
    }

    fn spawn_worker(&self) -> Option<mpsc::Sender<Job>> {
        let (tx, rx) = mpsc::channel::<Job>();
        let store = self.store.clone();
        let shared = self.shared.clone();
        let sender = Arc::downgrade(&self.sender);
        let work = move || {
            let mut index_due: Option<Instant> = None;
            let mut dirty_since = Instant::now();
            loop {
                if index_due.is_none() && shared.index_dirty.load(Ordering::Acquire) {
                    index_due = Some(Instant::now() + INDEX_DELAY);
                    dirty_since = Instant::now();
                    shared.appended.store(false, Ordering::Release);
                }
                let wait =
                    index_due.map_or(IDLE_EXIT, |d| d.saturating_duration_since(Instant::now()));
                let job = match rx.recv_timeout(wait) {
                    Ok(job) => job,
                    Err(RecvTimeoutError::Timeout) if index_due.is_some() => {
                        store.release_shared();
                        if shared.appended.swap(false, Ordering::AcqRel)
                            && dirty_since.elapsed() < INDEX_MAX_DELAY
                        {
                            index_due = Some(Instant::now() + INDEX_DELAY);
                            continue;
                        }
                        index_due = None;
                        if shared.index_dirty.swap(false, Ordering::AcqRel)
                            && store.write_index().is_err()
                        {
                            // Retried after the next append; readers detect a stale index anyway.
                            shared.index_dirty.store(true, Ordering::Release);
                        }
                        store.release_shared(); // taken to write the index
                        continue;
                    }
                    Err(RecvTimeoutError::Timeout) => {
                        // Idle: leave, unless a job slipped in before the queue was closed.
                        let Some(sender) = sender.upgrade() else {
                            return;
                        };
                        let mut sender = sender.lock().unwrap_or_else(|p| p.into_inner());
                        match rx.try_recv() {
                            Ok(job) => job,
                            Err(_) => {
                                *sender = None;
                                store.release_shared();
                                return;
                            }
                        }
                    }
                    Err(RecvTimeoutError::Disconnected) => {
                        if shared.index_dirty.swap(false, Ordering::AcqRel) {
                            let _ = store.write_index();
                        }
                        store.release_shared();
                        return;
                    }
                };
                // A panicking job must not take the worker (and every later job) down.
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&store)));
                if index_due.is_none() && !shared.index_dirty.load(Ordering::Acquire) {
                    store.release_shared(); // no later turn is scheduled to do it
                }
            }
        };
        std::thread::Builder::new()
            .name("native-ledger-store".into())
            .spawn(work)
            .ok()
            .map(|_| tx)
    }
}
