//! AppendLog (SPEC §5): a log of JSON entries numbered by a seq that starts at 1, rises by 1
//! and never repeats, one `{"seq":N,"ts":T,"data":D}` line per entry (the seed's format).
//!
//! The engine keeps an [`EntryIndex`] of seq → byte offset over the log's bytes and the
//! high-water seq; a backend holds the bytes: a file shared with other instances and processes
//! ([`file_log`]), or a buffer ([`memory_log`]). Entries arrive and leave as JSON text made and
//! parsed by V8 in the JS layer.

mod entry_index;
mod file_log;
mod lock;
mod memory_log;
mod record;
mod recovery;

use entry_index::EntryIndex;
use file_log::FileLog;
pub use file_log::{PreparedIndex, TruncateCopy};
use memory_log::MemoryLog;
pub use record::split_array;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Seqs cross into JavaScript as numbers.
pub const MAX_SEQ: u64 = (1 << 53) - 1;

#[derive(Debug)]
pub enum Error {
    Io {
        path: PathBuf,
        action: &'static str,
        source: io::Error,
    },
    /// A record that cannot be read, with good records after it (see [`recovery`]).
    Corrupt {
        path: PathBuf,
        line: u64,
        reason: String,
    },
    SeqOverflow,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io {
                path,
                action,
                source,
            } => write!(f, "AppendLog: cannot {action} {}: {source}", path.display()),
            Error::Corrupt { path, line, reason } => write!(
                f,
                "AppendLog: {}:{line}: corrupt record ({reason}); records after it are intact, \
                 so it is not a torn tail and is not removed automatically",
                path.display()
            ),
            Error::SeqOverflow => write!(f, "AppendLog: seq would pass {MAX_SEQ}"),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

pub(crate) fn io_err<'a>(
    path: &'a Path,
    action: &'static str,
) -> impl FnOnce(io::Error) -> Error + 'a {
    move |source| Error::Io {
        path: path.to_path_buf(),
        action,
        source,
    }
}

/// What the engine knows of the log's content.
#[derive(Default)]
pub struct State {
    index: EntryIndex,
    /// The highest seq this log ever held, including seqs truncated away.
    high_water: u64,
}

impl State {
    fn reset_index(&mut self) {
        self.index = EntryIndex::default();
    }

    fn absorb_index(&mut self) {
        self.high_water = self.high_water.max(self.index.last_seq().unwrap_or(0));
    }
}

/// What [`AppendLog::begin_truncate`] leaves to do.
pub enum Truncation {
    Done(u64),
    /// Run the copy (anywhere), then [`AppendLog::finish_truncate`].
    Copy(TruncateCopy),
}

enum Backend {
    Memory(MemoryLog),
    File(FileLog),
}

pub struct AppendLog {
    state: State,
    backend: Backend,
    scratch: Vec<u8>,
}

impl AppendLog {
    pub fn memory() -> Self {
        Self::with(Backend::Memory(MemoryLog::default()))
    }

    /// A log in `path`. Nothing is touched until the first call; the directory and the file
    /// are created by the first append.
    pub fn file(path: impl Into<PathBuf>) -> Self {
        Self::with(Backend::File(FileLog::new(path.into())))
    }

    fn with(backend: Backend) -> Self {
        Self {
            state: State::default(),
            backend,
            scratch: Vec::new(),
        }
    }

    /// Appends one entry per item of `datas` (each a `JSON.stringify` text, or empty for an
    /// entry that stringifies to `undefined`) with one write, and returns the last seq.
    pub fn append<'a, I>(&mut self, datas: I, ts: f64) -> Result<u64>
    where
        I: IntoIterator<Item = &'a [u8]>,
        I::IntoIter: ExactSizeIterator,
    {
        let datas = datas.into_iter();
        let count = datas.len() as u64;
        let _held = match &mut self.backend {
            Backend::File(f) => f.begin_write(&mut self.state, count > 0)?,
            Backend::Memory(_) => None,
        };
        let first = self.state.high_water + 1;
        if count == 0 {
            return Ok(self.state.high_water);
        }
        if first + count - 1 > MAX_SEQ {
            return Err(Error::SeqOverflow);
        }
        let ts = record::format_ts(ts);
        let mut out = std::mem::take(&mut self.scratch);
        out.clear();
        let mut starts = Vec::with_capacity(count as usize);
        for (seq, data) in (first..).zip(datas) {
            starts.push(out.len() as u64);
            record::compose(&mut out, seq, &ts, data);
        }
        let written = match &mut self.backend {
            Backend::File(f) => f.write(&mut self.state, &out),
            Backend::Memory(m) => m.write(&mut self.state, &out),
        };
        let base = self.state.index.end();
        let len = out.len() as u64;
        self.scratch = out;
        written?;
        for (seq, start) in (first..).zip(starts) {
            self.state.index.push(seq, base + start);
        }
        self.state.index.set_end(base + len);
        self.state.high_water = first + count - 1;
        Ok(self.state.high_water)
    }

    /// The entries with `seq > since` as one JSON array text: in seq order, or with `reverse`
    /// newest first; then at most `limit` of them. Without `fresh`, the log as the previous
    /// call saw it: none of others' appends since, and no file access but the read.
    pub fn read(
        &mut self,
        since: u64,
        limit: Option<u64>,
        reverse: bool,
        fresh: bool,
    ) -> Result<Vec<u8>> {
        if fresh {
            self.refresh()?;
        }
        let index = &self.state.index;
        let n = index.len();
        let p = index.first_after(since);
        let take = limit.map_or(n - p, |l| {
            (n - p).min(usize::try_from(l).unwrap_or(usize::MAX))
        });
        let (from, to) = if reverse {
            (n - take, n)
        } else {
            (p, p + take)
        };
        let (start, stop) = index.byte_range(from, to);
        let bytes = match &self.backend {
            Backend::File(f) => f.bytes(start, stop)?,
            Backend::Memory(m) => m.bytes(start, stop)?,
        };
        Ok(json_array(&bytes, reverse))
    }

    /// The highest seq the log has handed out: entries appended from now on come after it.
    pub fn head(&mut self) -> Result<u64> {
        self.refresh()?;
        Ok(self.state.high_water)
    }

    /// Removes every entry with `seq <= upto`, atomically; returns how many were removed.
    pub fn truncate_before(&mut self, upto: u64) -> Result<u64> {
        match self.begin_truncate(upto)? {
            Truncation::Done(removed) => Ok(removed),
            Truncation::Copy(job) => {
                job.run().map_err(|source| Error::Io {
                    path: self.path().to_path_buf(),
                    action: "rewrite",
                    source,
                })?;
                self.finish_truncate(&job)
            }
        }
    }

    /// [`truncate_before`](Self::truncate_before) in three steps, so that the bulk of the
    /// work on a file, [`TruncateCopy::run`], can run on another thread without the log while
    /// appends go on; then [`finish_truncate`](Self::finish_truncate).
    pub fn begin_truncate(&mut self, upto: u64) -> Result<Truncation> {
        match &mut self.backend {
            Backend::Memory(m) => {
                let count = self.state.index.first_after(upto);
                if count > 0 {
                    m.cut_front(&mut self.state, count)?;
                }
                Ok(Truncation::Done(count as u64))
            }
            Backend::File(f) => {
                let _held = f.begin_write(&mut self.state, false)?;
                Ok(match f.begin_truncate(&self.state, upto)? {
                    None => Truncation::Done(0),
                    Some(job) => Truncation::Copy(job),
                })
            }
        }
    }

    /// Ends a truncate begun by [`begin_truncate`](Self::begin_truncate) once `job` ran;
    /// returns how many entries were removed.
    pub fn finish_truncate(&mut self, job: &TruncateCopy) -> Result<u64> {
        match &mut self.backend {
            Backend::File(f) => {
                let _held = f.begin_write(&mut self.state, false)?;
                f.finish_truncate(&mut self.state, job)
            }
            Backend::Memory(_) => Ok(0),
        }
    }

    /// Gives a file log an index built elsewhere (see [`PreparedIndex`]); it is used if the
    /// log has not opened its file yet and the file is still the one indexed.
    pub fn adopt_index(&mut self, prepared: PreparedIndex) {
        if let Backend::File(f) = &mut self.backend {
            f.adopt(prepared);
        }
    }

    fn path(&self) -> &Path {
        match &self.backend {
            Backend::File(f) => f.path(),
            Backend::Memory(_) => Path::new(""),
        }
    }

    fn refresh(&mut self) -> Result<()> {
        match &mut self.backend {
            Backend::File(f) => f.refresh(&mut self.state),
            Backend::Memory(_) => Ok(()),
        }
    }
}

/// The records in `bytes` (whole lines) as one JSON array text, in file order or reversed.
fn json_array(bytes: &[u8], reverse: bool) -> Vec<u8> {
    if !reverse {
        if let Some(out) = json_array_of_bare_lines(bytes) {
            return out;
        }
    }
    let lines = bytes
        .split(|&b| b == b'\n')
        .map(crate::json_line::trim_js)
        .filter(|l| !l.is_empty());
    let mut out = Vec::with_capacity(bytes.len() + 2);
    out.push(b'[');
    let mut push = |line: &[u8]| {
        if out.len() > 1 {
            out.push(b',');
        }
        out.extend_from_slice(line);
    };
    if reverse {
        lines
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .for_each(&mut push);
    } else {
        lines.for_each(&mut push);
    }
    out.push(b']');
    out
}

/// The common case, lines as this crate writes them (no blank lines, no padding): the array is
/// the bytes with each newline turned into a comma. `None` when the lines are not so.
fn json_array_of_bare_lines(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len() + 2);
    out.push(b'[');
    if bytes.is_empty() {
        out.push(b']');
        return Some(out);
    }
    if bytes[0] != b'{' {
        return None;
    }
    out.extend_from_slice(bytes);
    for nl in memchr::memchr_iter(b'\n', bytes) {
        if nl == 0 || bytes[nl - 1] != b'}' {
            return None;
        }
        out[nl + 1] = match bytes.get(nl + 1) {
            Some(b'{') => b',',
            None => b']',
            Some(_) => return None,
        };
    }
    (out.last() == Some(&b']')).then_some(out)
}

#[cfg(test)]
mod tests;
