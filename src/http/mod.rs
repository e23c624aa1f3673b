//! The request path every call takes: configuration, building the request, the fork-safe runtimes, the
//! transport, decoding the answer, and the retry policy.

pub mod config;
pub mod request;
pub mod response;
pub mod retry;
pub mod runtime;
pub mod transport;
