//! The N-API layer: converts arguments and delegates to the core. No storage logic here.

use napi_derive::napi;

#[napi]
pub fn native_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

mod append_log;
