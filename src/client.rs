//! The core client: configuration plus the one request path every call goes through.

use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::http::config::{Endpoint, Options};
use crate::error::{Error, Result};
use crate::api::model::Record;
use crate::http::request::ApiRequest;
use crate::pacing::Pacer;
use crate::http::response::{decode, decode_record, Answered};
use crate::http::retry::{self, Verdict};
use crate::api::endpoints::Answer;
use crate::http::transport::{self, ConnectionPool, RawResponse};

/// Cheap to clone (every call of the binding takes a clone); clones and `with_options` copies share the
/// endpoint, the pacer and, when the connect timeout is the same, the connection pool.
#[derive(Clone)]
pub struct Client {
    endpoint: Arc<Endpoint>,
    pool: Arc<ConnectionPool>,
    pacer: Arc<Pacer>,
    options: Arc<Options>,
}

impl Client {
    pub fn new(endpoint: Endpoint, options: Options) -> Client {
        let pool = ConnectionPool::new(options.connect_timeout, endpoint.url.scheme() == "https");
        let pacer = Arc::new(Pacer::new(options.rate_limit, options.rate_limit_store.as_ref(), &endpoint.api_key));
        Client { endpoint: Arc::new(endpoint), pool, pacer, options: Arc::new(options) }
    }

    /// A copy with other options. The connect timeout is a property of a connection pool, so a copy with a
    /// different one gets its own pool (which still closes with this client).
    pub fn with_options(&self, options: Options) -> Client {
        let pool = if options.connect_timeout == self.pool.connect_timeout() {
            Arc::clone(&self.pool)
        } else {
            self.pool.sibling(options.connect_timeout)
        };
        Client { endpoint: Arc::clone(&self.endpoint), pool, pacer: Arc::clone(&self.pacer), options: Arc::new(options) }
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    pub fn close(&self) {
        self.pool.close();
    }

    pub fn is_closed(&self) -> bool {
        self.pool.is_closed()
    }

    /// THE request path: every call, sync or async, single or bulk, comes through here. Each attempt waits
    /// for its turn with the pacer; failed attempts are retried as `retry.rs` decides, resending the
    /// identical request.
    pub async fn execute(&self, request: &ApiRequest) -> Result<RawResponse> {
        let mut retry = 0;
        loop {
            self.pacer.wait_turn().await;
            let started = Instant::now();
            let outcome = transport::send(&self.pool, &self.endpoint, &self.options, request, retry).await;
            log_attempt(request, &outcome, started.elapsed(), retry);
            let jitter = jitter();
            if let Some(pause) = outcome.as_ref().ok().and_then(|r| retry::rate_limit_pause(r, retry + 1, jitter)) {
                // The server is counting this client's requests: hold all of them, retried or not.
                self.pacer.pause_until(Instant::now() + pause).await;
            }
            let wait = match retry::verdict(&outcome, retry + 1, self.options.max_retries, jitter, request.endpoint.is_idempotent()) {
                Verdict::Done => return outcome,
                Verdict::RetryAfter(wait) => wait,
            };
            retry += 1;
            log::info!(
                target: "cryptomate",
                "retrying {} {} in {:.2} s (retry {retry} of {}) after {}",
                request.method, request.path_for_logs(), wait.as_secs_f64(), self.options.max_retries, describe(&outcome)
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// Executes a request and decodes its answer as its endpoint says.
    pub async fn call(&self, request: &ApiRequest) -> Result<Answered> {
        let response = self.execute(request).await?;
        decode(response, request.endpoint.answer, &self.endpoint.api_key)
    }

    /// Executes a request of an endpoint that answers one record, and decodes it.
    pub async fn fetch_one(&self, request: &ApiRequest) -> Result<Record> {
        let Answer::One(schema) = request.endpoint.answer else {
            return Err(Error::InvalidValue(format!("{} does not answer with one record", request.endpoint.call)));
        };
        let response = self.execute(request).await?;
        decode_record(response, schema, &self.endpoint.api_key)
    }
}

/// Debug line for one attempt: method, path, status, elapsed time, attempt, trace id. Never the key or a body.
/// (The transport has already scrubbed the key from the headers, the trace id included.)
fn log_attempt(request: &ApiRequest, outcome: &Result<RawResponse>, elapsed: Duration, retry: u32) {
    if log::log_enabled!(target: "cryptomate", log::Level::Debug) {
        let trace_id = outcome.as_ref().ok().and_then(RawResponse::trace_id);
        log::debug!(
            target: "cryptomate",
            "{} {} -> {} in {:.1} ms (attempt {}, trace_id {})",
            request.method, request.path_for_logs(), describe(outcome), elapsed.as_secs_f64() * 1000.0, retry + 1,
            trace_id.unwrap_or("-")
        );
    }
}

fn describe(outcome: &Result<RawResponse>) -> String {
    match outcome {
        Ok(response) => response.status.to_string(),
        Err(Error::Timeout(_) | Error::Connect { timeout: true, .. }) => "timeout".into(),
        Err(Error::Connect { timeout: false, .. }) => "connection refused or unreachable".into(),
        Err(Error::Connection(_)) => "connection error".into(),
        Err(other) => format!("error ({other})"),
    }
}

/// A random number in [0, 1) for backoff jitter (std's per-instance random hasher keys; no RNG crate).
fn jitter() -> f64 {
    let bits = std::collections::hash_map::RandomState::new().build_hasher().finish();
    (bits >> 11) as f64 / (1u64 << 53) as f64
}
