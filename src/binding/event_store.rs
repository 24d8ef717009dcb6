//! `NativeEventStore`: the store engine as lib/event-store.js sees it. Converts and delegates.

use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;

use super::promise;
use crate::store::chunks::{ChunkQueue, Taken};
use crate::store::values_only::ValuesOnly;
use crate::store::worker::{Appended, StoreHandle};
use crate::store::EventStore;

#[napi(object)]
pub struct NativeStats {
    pub event_count: f64,
    pub storage_size_bytes: f64,
    pub oldest_event: Option<f64>,
    pub newest_event: Option<f64>,
}

impl From<crate::store::Stats> for NativeStats {
    fn from(s: crate::store::Stats) -> Self {
        NativeStats {
            event_count: s.event_count as f64,
            storage_size_bytes: s.storage_size_bytes as f64,
            oldest_event: s.oldest_event,
            newest_event: s.newest_event,
        }
    }
}

#[napi]
pub struct NativeEventStore {
    handle: Arc<StoreHandle>,
}

/// Lines as JS passes them, with the last one's `\n` added; `None` for no lines.
fn ended(lines: String) -> Option<Vec<u8>> {
    if lines.is_empty() {
        return None;
    }
    let mut bytes = lines.into_bytes();
    bytes.push(b'\n');
    Some(bytes)
}

fn json_text(bytes: Vec<u8>) -> String {
    // Built from valid UTF-8 pieces; the check is a cheap guard, not a conversion.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// `read_all_chunks` in the form lib/chunk-decoder.js reads.
fn read_all_values_only(s: &EventStore, q: &ChunkQueue) -> std::io::Result<()> {
    let mut encoder = ValuesOnly::default();
    s.read_all_chunks(&mut |c| q.push(encoder.encode(&c)))
}

impl NativeEventStore {
    fn chunked(
        &self,
        ordered: bool,
        work: impl FnOnce(&EventStore, &ChunkQueue) -> std::io::Result<()> + Send + 'static,
    ) -> NativeChunkReader {
        let queue = Arc::new(ChunkQueue::default());
        let (q, q_end) = (queue.clone(), queue.clone());
        let job = move |s: &EventStore| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(s, &q))).unwrap_or_else(
                |_| {
                    Err(std::io::Error::other(
                        "native-ledger: internal error (panic) in the storage engine",
                    ))
                },
            )
        };
        if ordered {
            self.handle.run_write(job, move |r| q_end.finish(r));
        } else {
            self.handle.run(move |s| q_end.finish(job(s)));
        }
        NativeChunkReader { queue }
    }
}

#[napi]
impl NativeEventStore {
    #[napi(constructor)]
    pub fn new(dir: String) -> Self {
        NativeEventStore {
            handle: Arc::new(StoreHandle::new(EventStore::new(dir))),
        }
    }

    /// Appends `lines` (joined by `\n`, the last one without it; `""`: none) now; `false` when
    /// that would wait (then use `appendQueued`).
    /// 0: not written (use `appendQueued`); 1: written; 2: written, and known to be in the file
    /// once `settled()` resolves.
    #[napi]
    pub fn try_append(&self, lines: String) -> Result<u32> {
        let Some(bytes) = ended(lines) else {
            return Ok(1);
        };
        let done = self.handle.try_append(&bytes).map_err(promise::io_error)?;
        Ok(match done {
            Appended::No => 0,
            Appended::Yes => 1,
            Appended::Settling => 2,
        })
    }

    /// Resolves once the appends that `tryAppend` reported as settling are known to be in the
    /// file. Call it right after: this store's later appends wait behind it.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn settled<'e>(&self, env: &'e Env) -> Result<Object<'e>> {
        promise::on_worker(env, &self.handle, true, |s| s.writer.settle())
    }

    #[napi(ts_return_type = "Promise<void>")]
    pub fn append_queued<'e>(&self, env: &'e Env, lines: String) -> Result<Object<'e>> {
        let (deferred, p) = promise::new::<()>(env)?;
        match ended(lines) {
            Some(bytes) => self
                .handle
                .append_queued(bytes, move |r| promise::settle(deferred, r)),
            None => promise::settle(deferred, Ok(())),
        }
        Ok(p)
    }

    /// Starts reading every event; the reader hands out chunks (see `ValuesOnly`) as they are checked.
    /// `ordered`: this store's appends made after this call wait until the read has its
    /// snapshot, so the caller knows exactly which of its own events the snapshot holds.
    #[napi]
    pub fn read_all(&self, ordered: bool) -> NativeChunkReader {
        self.chunked(ordered, |s, q| read_all_values_only(s, q))
    }

    /// Compacts, then (when it evicted anything) reads the compacted file in the same turn of
    /// the worker: no append of this store lands between the two. The reader's `count()` is
    /// the number evicted.
    #[napi]
    pub fn compact_and_read_all(&self, max_events: f64) -> NativeChunkReader {
        let max = if max_events >= u64::MAX as f64 {
            u64::MAX
        } else {
            max_events as u64
        };
        self.chunked(true, move |s, q| {
            let evicted = s.compact(max)?;
            q.set_count(evicted);
            if evicted > 0 {
                read_all_values_only(s, q)?;
            }
            Ok(())
        })
    }

    #[napi(ts_return_type = "Promise<string>")]
    pub fn read_range<'e>(&self, env: &'e Env, start: f64, end: f64) -> Result<Object<'e>> {
        promise::on_worker(env, &self.handle, false, move |s| {
            s.read_range_json(start, end).map(json_text)
        })
    }

    #[napi(ts_return_type = "Promise<number>")]
    pub fn compact<'e>(&self, env: &'e Env, max_events: f64) -> Result<Object<'e>> {
        let max = if max_events >= u64::MAX as f64 {
            u64::MAX
        } else {
            max_events as u64
        };
        promise::on_worker(env, &self.handle, true, move |s| {
            s.compact(max).map(|n| n as f64)
        })
    }

    #[napi(ts_return_type = "Promise<void>")]
    pub fn write_all<'e>(&self, env: &'e Env, content: String) -> Result<Object<'e>> {
        promise::on_worker(env, &self.handle, true, move |s| {
            s.write_all(content.as_bytes())
        })
    }

    /// Stats when this store's view is current, without a thread hop; `null` otherwise.
    #[napi]
    pub fn stats_now(&self) -> Option<NativeStats> {
        self.handle.store().stats_if_current().map(Into::into)
    }

    #[napi(ts_return_type = "Promise<NativeStats>")]
    pub fn stats<'e>(&self, env: &'e Env) -> Result<Object<'e>> {
        promise::on_worker(env, &self.handle, false, |s| {
            s.stats().map(NativeStats::from)
        })
    }

    #[napi(ts_return_type = "Promise<void>")]
    pub fn acquire_lock<'e>(&self, env: &'e Env) -> Result<Object<'e>> {
        promise::on_worker(env, &self.handle, true, |s| s.acquire_lock())
    }

    #[napi]
    pub fn release_lock(&self) -> Result<()> {
        self.handle
            .store()
            .release_lock()
            .map_err(promise::io_error)
    }

    #[napi(ts_return_type = "Promise<void>")]
    pub fn destroy<'e>(&self, env: &'e Env) -> Result<Object<'e>> {
        promise::on_worker(env, &self.handle, true, |s| s.destroy())
    }

    /// Resolves once everything appended so far is on stable storage.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn sync<'e>(&self, env: &'e Env) -> Result<Object<'e>> {
        promise::on_worker(env, &self.handle, false, |s| s.sync())
    }

    /// For `process.on('exit')`: the worker will not get to it.
    #[napi]
    pub fn write_index_if_dirty(&self) -> Result<()> {
        self.handle
            .write_index_if_dirty()
            .map_err(promise::io_error)
    }
}

#[napi]
pub struct NativeChunkReader {
    queue: Arc<ChunkQueue>,
}

#[napi]
impl NativeChunkReader {
    /// The next chunk (text for lib/chunk-decoder.js), `null` at the end, `undefined` when none is ready yet.
    #[napi(ts_return_type = "string | null | undefined")]
    pub fn take<'e>(&self, env: &'e Env) -> Result<Either3<napi::JsString<'e>, Null, Undefined>> {
        match self.queue.take() {
            Taken::Chunk(c) if c.ascii => env.create_string_latin1(&c.text).map(Either3::A),
            Taken::Chunk(c) => env.create_string(&json_text(c.text)).map(Either3::A),
            Taken::Pending => Ok(Either3::C(())),
            Taken::Done => Ok(Either3::B(Null)),
            Taken::Failed(e) => Err(Error::from_reason(e)),
        }
    }

    /// The count the producing job reported (events evicted by `compactAndReadAll`).
    #[napi]
    pub fn count(&self) -> f64 {
        self.queue.count() as f64
    }

    /// Resolves when `take` has something to give.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn wait<'e>(&self, env: &'e Env) -> Result<Object<'e>> {
        let (deferred, p) = promise::new::<()>(env)?;
        self.queue
            .on_ready(Box::new(move || promise::settle(deferred, Ok(()))));
        Ok(p)
    }
}
