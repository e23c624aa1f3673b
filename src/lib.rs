//! cryptomate: the CryptoMate API client core, and (feature `python`) its Python bindings.
//!
//! Data flows one way: Python arguments -> checked request (`http::request`) -> `http::transport` ->
//! `http::response` -> `api::model::Record` -> Python. The folders show the layers:
//!
//! - `api/`: the API's vocabulary (the field table, schemas, records), written once;
//! - `http/`: the request path every call takes (config, request, runtime, transport, response, retry);
//! - `pacing`, `client`, `bulk`, `individuals`: pacing, the client that ties the path together, many requests
//!   at once, the read-merge-replace update of Gen 2; `pid`: the process id that fork-aware state is keyed on;
//! - `emulator/`: the testing kit's server (it reads `api/`, never `http/`'s transport);
//! - `py/`: every line of pyo3. Everything outside `py/` is pure Rust and knows nothing of Python.

pub mod api;
pub mod bulk;
pub mod client;
pub mod emulator;
pub mod error;
pub mod http;
pub mod individuals;
pub mod pacing;
pub mod percent;
pub mod pid;
pub mod stubs;

#[cfg(feature = "python")]
mod py;
