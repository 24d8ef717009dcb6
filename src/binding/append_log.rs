//! N-API face of [`crate::append_log::AppendLog`]; lib/append-log.js is its only caller and
//! validates arguments before they get here.

use crate::append_log::{
    split_array as record_split, AppendLog, PreparedIndex, TruncateCopy, Truncation, MAX_SEQ,
};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::Arc;

#[napi]
pub struct NativeAppendLog {
    log: Option<AppendLog>,
}

/// An index of a log file built by [`prepare_append_log_index`], for `adoptPrepared`.
#[napi]
pub struct NativePreparedIndex {
    index: Option<PreparedIndex>,
}

/// Indexes the log `file` on a worker thread, so that the log's first call need not index a
/// large file on the event loop. A free function: a method would keep the log borrowed, and
/// unusable, until the task ends.
#[napi(ts_return_type = "Promise<NativePreparedIndex>")]
pub fn prepare_append_log_index(file: String) -> AsyncTask<PrepareTask> {
    AsyncTask::new(PrepareTask { file: file.into() })
}

pub struct PrepareTask {
    file: PathBuf,
}

impl Task for PrepareTask {
    type Output = Option<PreparedIndex>;
    type JsValue = NativePreparedIndex;

    fn compute(&mut self) -> Result<Option<PreparedIndex>> {
        // A failure here costs only the head start: the log indexes by itself and reports.
        Ok(catch_unwind(AssertUnwindSafe(|| PreparedIndex::build(&self.file))).unwrap_or(None))
    }

    fn resolve(&mut self, _env: Env, index: Option<PreparedIndex>) -> Result<NativePreparedIndex> {
        Ok(NativePreparedIndex { index })
    }
}

#[napi]
pub struct NativeTruncation {
    job: Arc<TruncateCopy>,
}

#[napi]
impl NativeTruncation {
    /// Copies the entries to keep into the new file, on a worker thread.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn copy(&self) -> AsyncTask<TruncateCopyTask> {
        AsyncTask::new(TruncateCopyTask(Arc::clone(&self.job)))
    }

    /// Removes the new file unless it was committed.
    #[napi]
    pub fn discard(&self) {
        self.job.discard();
    }
}

pub struct TruncateCopyTask(Arc<TruncateCopy>);

impl Task for TruncateCopyTask {
    type Output = ();
    type JsValue = ();

    fn compute(&mut self) -> Result<()> {
        match catch_unwind(AssertUnwindSafe(|| self.0.run())) {
            Ok(r) => r.map_err(|e| Error::from_reason(format!("AppendLog: truncate: {e}"))),
            Err(_) => Err(Error::from_reason("AppendLog: internal error in truncate")),
        }
    }

    fn resolve(&mut self, _env: Env, _output: ()) -> Result<()> {
        Ok(())
    }
}

fn to_seq(n: f64) -> u64 {
    // Saturating: a negative or NaN bound reads from the start, +Infinity past the end.
    n.max(0.0).floor() as u64
}

#[napi]
impl NativeAppendLog {
    #[napi(factory)]
    pub fn open_file(path: String) -> Self {
        Self {
            log: Some(AppendLog::file(path)),
        }
    }

    #[napi(factory)]
    pub fn open_memory() -> Self {
        Self {
            log: Some(AppendLog::memory()),
        }
    }

    /// Hands the log an index `prepareAppendLogIndex` built of its file (used if the log has
    /// not opened the file yet and it is still the same file).
    #[napi]
    pub fn adopt_prepared(&mut self, prepared: &mut NativePreparedIndex) {
        if let (Some(p), Some(log)) = (prepared.index.take(), self.log.as_mut()) {
            log.adopt_index(p);
        }
    }

    /// `datas` holds `count` entries' `JSON.stringify` texts joined by newlines (which that
    /// output never contains); an empty piece stands for `undefined`. Returns the last seq.
    #[napi]
    pub fn append(&mut self, datas: String, count: u32, ts: f64) -> Result<f64> {
        self.with(|log| {
            let pieces: Vec<&[u8]> = match count {
                0 => Vec::new(),
                _ => datas.as_bytes().split(|&b| b == b'\n').collect(),
            };
            if pieces.len() != count as usize {
                return Err(Error::from_reason(format!(
                    "AppendLog: {} pieces for {count} entries",
                    pieces.len()
                )));
            }
            log.append(pieces, ts).map(|s| s as f64).map_err(to_js)
        })
    }

    /// `array` is `JSON.stringify(entries)` for `count` entries that stringify alike as array
    /// elements and as `data` members (nothing that becomes `undefined` there, no toJSON that
    /// depends on its key). Returns the last seq.
    #[napi]
    pub fn append_array(&mut self, array: String, count: u32, ts: f64) -> Result<f64> {
        self.with(|log| {
            let pieces = record_split(array.as_bytes())
                .filter(|p| p.len() == count as usize)
                .ok_or_else(|| {
                    Error::from_reason(format!("AppendLog: not an array of {count} entries"))
                })?;
            log.append(pieces, ts).map(|s| s as f64).map_err(to_js)
        })
    }

    /// Entries with `seq > since` as a JSON array text; `limit < 0` means no limit. Without
    /// `fresh`, what the last call saw of the file is read (for subscribers right after `head`).
    #[napi]
    pub fn read(&mut self, since: f64, limit: f64, reverse: bool, fresh: bool) -> Result<String> {
        self.with(|log| {
            let limit = (limit >= 0.0).then(|| limit.floor() as u64);
            let bytes = log
                .read(to_seq(since), limit, reverse, fresh)
                .map_err(to_js)?;
            // Invalid UTF-8 decodes as Node's readFile would: U+FFFD per maximal bad subpart.
            Ok(String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
        })
    }

    /// The highest seq handed out so far (0 for a new log).
    #[napi]
    pub fn head(&mut self) -> Result<f64> {
        self.with(|log| log.head().map(|s| s as f64).map_err(to_js))
    }

    /// Removes entries with `seq <= seq`. Returns how many, or, when the entries to keep must
    /// first be copied, a truncation to `copy()` (off the event loop) and then pass to
    /// `truncateCommit`.
    #[napi]
    pub fn truncate_begin(&mut self, seq: f64) -> Result<Either<f64, NativeTruncation>> {
        let upto = to_seq(seq).min(MAX_SEQ);
        Ok(
            match self.with(|log| log.begin_truncate(upto).map_err(to_js))? {
                Truncation::Done(removed) => Either::A(removed as f64),
                Truncation::Copy(job) => Either::B(NativeTruncation { job: Arc::new(job) }),
            },
        )
    }

    /// Puts the copied file in place of the log; returns how many entries were removed.
    #[napi]
    pub fn truncate_commit(&mut self, truncation: &NativeTruncation) -> Result<f64> {
        let job = Arc::clone(&truncation.job);
        self.with(|log| log.finish_truncate(&job).map(|n| n as f64).map_err(to_js))
    }

    /// Releases the file descriptors. Later calls fail.
    #[napi]
    pub fn close(&mut self) {
        self.log = None;
    }
}

impl NativeAppendLog {
    fn with<T>(&mut self, f: impl FnOnce(&mut AppendLog) -> Result<T>) -> Result<T> {
        let log = self
            .log
            .as_mut()
            .ok_or_else(|| Error::from_reason("AppendLog is closed"))?;
        match catch_unwind(AssertUnwindSafe(|| f(log))) {
            Ok(r) => r,
            Err(panic) => {
                // Its state is unknown now: drop it (releasing the lock) rather than go on.
                self.log = None;
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                Err(Error::from_reason(format!(
                    "AppendLog: internal error, log closed: {what}"
                )))
            }
        }
    }
}

fn to_js(e: crate::append_log::Error) -> Error {
    Error::from_reason(e.to_string())
}
