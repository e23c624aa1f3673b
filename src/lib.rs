//! cryptomate: the CryptoMate API client core, and (feature `python`) its Python bindings.
//!
//! Data flows one way: Python arguments -> checked request (`request`) -> `transport` -> `response` ->
//! `model::Record` -> Python. Everything outside `py/` is pure Rust and knows nothing of Python.

pub mod client;
pub mod config;
pub mod emulator;
pub mod error;
pub mod fields;
pub mod model;
pub mod pacing;
pub mod request;
pub mod response;
pub mod retry;
pub mod runtime;
pub mod schema;
pub mod stubs;
pub mod transport;

#[cfg(feature = "python")]
mod py;
