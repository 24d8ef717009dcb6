//! Promises settled from a store's worker thread.

use std::io;

use napi::bindgen_prelude::*;
use napi::JsDeferred;

use crate::store::worker::StoreHandle;
use crate::store::EventStore;

type Resolver<T> = Box<dyn FnOnce(Env) -> Result<T> + Send>;
pub type Deferred<T> = JsDeferred<T, Resolver<T>>;

pub fn io_error(e: io::Error) -> Error {
    Error::from_reason(e.to_string())
}

pub fn new<T: ToNapiValue + Send + 'static>(env: &Env) -> Result<(Deferred<T>, Object<'_>)> {
    env.create_deferred::<T, Resolver<T>>()
}

pub fn settle<T: ToNapiValue + Send + 'static>(deferred: Deferred<T>, r: io::Result<T>) {
    match r {
        Ok(v) => deferred.resolve(Box::new(move |_| Ok(v))),
        Err(e) => deferred.reject(io_error(e)),
    }
}

/// Runs `work` on the store's worker and settles the returned promise with its result. A panic
/// in `work` rejects the promise instead of leaving it pending (or aborting Node).
pub fn on_worker<'e, T: ToNapiValue + Send + 'static>(
    env: &'e Env,
    handle: &StoreHandle,
    writes: bool,
    work: impl FnOnce(&EventStore) -> io::Result<T> + Send + 'static,
) -> Result<Object<'e>> {
    let (deferred, p) = new::<T>(env)?;
    let work = move |s: &EventStore| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(s))).unwrap_or_else(|_| {
            Err(io::Error::other(
                "native-ledger: internal error (panic) in the storage engine",
            ))
        })
    };
    if writes {
        handle.run_write(work, move |r| settle(deferred, r));
    } else {
        handle.run(move |s| settle(deferred, work(s)));
    }
    Ok(p)
}
