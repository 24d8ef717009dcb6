//! The N-API layer: converts arguments and delegates to the core. No storage logic here.

mod append_log;
mod event_store;
mod promise;
