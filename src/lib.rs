//! native-ledger: a pure-Rust storage core, and (feature `node`) its N-API binding.
//!
//! Core modules know nothing of N-API and are tested with `cargo test`.

pub mod append_log;
pub mod fsutil;
pub mod json_line;
pub mod store;

#[cfg(feature = "node")]
mod binding;
