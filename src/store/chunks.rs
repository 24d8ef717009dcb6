//! A queue of JSON-array chunks from a worker to the JS thread, so that a big read is parsed
//! chunk by chunk while the rest is still being read and checked, instead of all at the end.

use std::collections::VecDeque;
use std::io;
use std::sync::Mutex;

type Waker = Box<dyn FnOnce() + Send>;

#[derive(Default)]
pub struct ChunkQueue {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    ready: VecDeque<Chunk>,
    count: u64,
    outcome: Option<Result<(), String>>,
    waker: Option<Waker>,
}

/// One chunk of text, and whether it is pure ASCII: then it is also Latin-1, which JS strings
/// take as a plain copy instead of a UTF-8 decode.
pub struct Chunk {
    pub text: Vec<u8>,
    pub ascii: bool,
}

pub enum Taken {
    Chunk(Chunk),
    /// Nothing yet: call `on_ready`.
    Pending,
    Done,
    Failed(String),
}

impl ChunkQueue {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn push(&self, text: Vec<u8>) {
        // Checked here, on the producing thread, so the JS thread only copies.
        let chunk = Chunk {
            ascii: text.is_ascii(),
            text,
        };
        let waker = {
            let mut i = self.lock();
            i.ready.push_back(chunk);
            i.waker.take()
        };
        if let Some(w) = waker {
            w();
        }
    }

    pub fn finish(&self, outcome: io::Result<()>) {
        let waker = {
            let mut i = self.lock();
            i.outcome = Some(outcome.map_err(|e| e.to_string()));
            i.waker.take()
        };
        if let Some(w) = waker {
            w();
        }
    }

    pub fn set_count(&self, n: u64) {
        self.lock().count = n;
    }

    pub fn count(&self) -> u64 {
        self.lock().count
    }

    pub fn take(&self) -> Taken {
        let mut i = self.lock();
        if let Some(c) = i.ready.pop_front() {
            return Taken::Chunk(c);
        }
        match &i.outcome {
            None => Taken::Pending,
            Some(Ok(())) => Taken::Done,
            Some(Err(e)) => Taken::Failed(e.clone()),
        }
    }

    /// Calls `waker` once a chunk or the end is available (at once if one already is).
    pub fn on_ready(&self, waker: Waker) {
        let mut i = self.lock();
        if !i.ready.is_empty() || i.outcome.is_some() {
            drop(i);
            waker();
        } else {
            i.waker = Some(waker);
        }
    }
}
