//! An emulator of the CryptoMate Clients API: real HTTP on 127.0.0.1, an in-memory company, the documented
//! rules, errors and rate limits, and hooks for tests (journal, injected faults, delays).
//!
//! It runs on the SDK's runtime, so starting one costs a socket bind and a task, not a thread.

mod business;
mod catalog;
mod ids;
mod individuals;
mod rate_limit;
mod refusal;
mod routes;
mod server;
mod store;

use std::collections::{HashMap, VecDeque};
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use serde_json::{Map, Value};
use tokio::sync::watch;

use crate::api::endpoints;

pub use individuals::Individuals;
pub use rate_limit::RateLimiter;
pub use refusal::{code_for_status, Refusal};
pub use store::Store;

#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// 0 picks a free port.
    pub port: u16,
    /// Requests per second per key and per address; `None` = no limit.
    pub rate_limit: Option<f64>,
    /// Multiplies every rate-limit duration (windows, penalties); 0.01 runs the schedule 100 times faster.
    pub time_scale: f64,
    /// Seeds the ids, so a seeded emulator hands out the same ids every run.
    pub seed: u64,
    /// How many of the most recent requests the journal keeps: a long-running emulator stays flat in memory.
    pub journal_limit: usize,
}

/// Enough for any test: about 10 MB at most.
pub const DEFAULT_JOURNAL_LIMIT: usize = 10_000;

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig { port: 0, rate_limit: None, time_scale: 1.0, seed: 0, journal_limit: DEFAULT_JOURNAL_LIMIT }
    }
}

/// One request as the emulator received it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    pub method: String,
    /// The request target as sent (percent-encoding and query kept).
    pub path: String,
    /// Lower-case names.
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    /// The parsed body, when it is JSON.
    pub json: Option<Value>,
    /// When the request arrived, from the emulator's start.
    pub received_at: Duration,
}

/// An answer forced onto the next requests by a test.
#[derive(Debug, Clone)]
pub enum Fault {
    Status { status: u16, retry_after: Option<f64>, body: Option<Bytes> },
    /// Close the connection without answering.
    Disconnect,
}

/// Everything the server and the test share; one lock, held only for bookkeeping (never across I/O).
#[derive(Debug)]
pub(crate) struct State {
    /// Gen 1 clients.
    pub store: Store,
    /// Gen 2 individual clients, a collection of their own.
    pub individuals: Individuals,
    pub keys: HashMap<String, u8>,
    /// The most recent requests, oldest first (shared with readers: reading the journal copies no request).
    pub journal: VecDeque<Arc<RecordedRequest>>,
    pub faults: VecDeque<Fault>,
    pub delays: VecDeque<Duration>,
    pub limiter: Option<RateLimiter>,
    pub requests_served: u64,
    pub started: std::time::Instant,
    config: EmulatorConfig,
}

impl State {
    /// Records a request, forgetting the oldest beyond the journal's limit.
    pub(crate) fn record(&mut self, request: Arc<RecordedRequest>) {
        if self.config.journal_limit == 0 {
            return;
        }
        if self.journal.len() == self.config.journal_limit {
            self.journal.pop_front();
        }
        self.journal.push_back(request);
    }

    fn new(config: EmulatorConfig) -> State {
        State {
            store: Store::new(config.seed),
            individuals: Individuals::new(config.seed),
            keys: HashMap::new(),
            journal: VecDeque::new(),
            faults: VecDeque::new(),
            delays: VecDeque::new(),
            limiter: State::fresh_limiter(&config),
            requests_served: 0,
            started: std::time::Instant::now(),
            config,
        }
    }

    fn fresh_limiter(config: &EmulatorConfig) -> Option<RateLimiter> {
        config.rate_limit.map(|rate| RateLimiter::new(rate, config.time_scale))
    }
}

pub struct Emulator {
    address: SocketAddr,
    api_key: String,
    state: Arc<Mutex<State>>,
    shutdown: watch::Sender<bool>,
    /// Disconnects when the accept loop and every connection task have ended.
    server_gone: Mutex<Option<std::sync::mpsc::Receiver<()>>>,
    /// The process that runs the server: a forked child has the handle but not the server's tasks.
    pid: u32,
}

impl Emulator {
    /// Binds 127.0.0.1 and starts serving on the SDK's runtime.
    pub fn start(config: EmulatorConfig) -> std::io::Result<Emulator> {
        if let Some(rate) = config.rate_limit {
            if !(rate.is_finite() && rate >= 1.0) {
                return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "rate_limit must be at least 1 request per second"));
            }
        }
        if !(config.time_scale.is_finite() && config.time_scale > 0.0) {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "time_scale must be positive"));
        }
        let listener = TcpListener::bind(("127.0.0.1", config.port))?;
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        let api_key = format!("emulator-key-{:016x}", config.seed ^ u64::from(address.port()).rotate_left(32));
        let mut state = State::new(config);
        state.keys.insert(api_key.clone(), endpoints::WRITE);
        let state = Arc::new(Mutex::new(state));
        let (shutdown, stopped) = watch::channel(false);
        let (alive, server_gone) = std::sync::mpsc::channel();
        let runtime = crate::http::runtime::runtime();
        let listener = {
            let _entered = runtime.enter();
            tokio::net::TcpListener::from_std(listener)?
        };
        runtime.spawn(server::serve(listener, Arc::clone(&state), stopped, alive));
        Ok(Emulator { address, api_key, state, shutdown, server_gone: Mutex::new(Some(server_gone)), pid: crate::pid::pid() })
    }

    /// Stops serving: when it returns, the port is closed and no request is answered any more (open
    /// connections are dropped, answers in preparation discarded). Idempotent; the store stays readable.
    pub fn stop(&self) {
        if crate::pid::pid() != self.pid {
            return; // a forked child: the server runs (and stays) in the parent
        }
        self.shutdown.send_replace(true);
        let gone = self.server_gone.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(gone) = gone {
            // Bounded: the tasks only have to notice the signal and drop their sockets.
            let _ = gone.recv_timeout(Duration::from_secs(5));
        }
    }

    pub fn is_running(&self) -> bool {
        !*self.shutdown.borrow()
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Requests per second per key and per address, when the emulator applies the API's limits.
    pub fn rate_limit(&self) -> Option<f64> {
        self.state().config.rate_limit
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// The key created with the emulator (access level 3).
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the bookkeeping half-written in a way that matters to
        // a test double; keep serving.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn add_api_key(&self, key: &str, level: u8) {
        self.state().keys.insert(key.to_owned(), level);
    }

    /// Stores a client directly (no HTTP, no rate limit); any field may be given, read-only ones included.
    pub fn add_client(&self, fields: Map<String, Value>) -> Result<Map<String, Value>, Refusal> {
        self.state().store.seed(fields, &server::now_timestamp())
    }

    pub fn get(&self, id: &str) -> Option<Map<String, Value>> {
        self.state().store.get(id).cloned()
    }

    /// Stores a Gen 2 individual client directly (no HTTP, no rate limit): any field may be given, server-set
    /// ones included; only the shapes are checked. The rest (id, `individual`, `pending`, timestamps) is
    /// filled in.
    pub fn add_individual(&self, fields: Map<String, Value>) -> Result<Map<String, Value>, Refusal> {
        self.state().individuals.seed(fields, &server::now_timestamp())
    }

    pub fn get_individual(&self, id: &str) -> Option<Map<String, Value>> {
        self.state().individuals.get(id).cloned()
    }

    pub fn requests(&self) -> Vec<Arc<RecordedRequest>> {
        self.state().journal.iter().cloned().collect()
    }

    pub fn fail_next(&self, fault: Fault, times: usize) {
        self.state().faults.extend(std::iter::repeat_n(fault, times));
    }

    pub fn delay_next(&self, delay: Duration, times: usize) {
        self.state().delays.extend(std::iter::repeat_n(delay, times));
    }

    /// Empty stores (Gen 1 and Gen 2), journal, injected faults and delays, rate-limit history. Keys stay.
    pub fn reset(&self) {
        let mut state = self.state();
        state.store.clear();
        state.individuals.clear();
        state.journal.clear();
        state.faults.clear();
        state.delays.clear();
        state.limiter = State::fresh_limiter(&state.config);
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(n: usize) -> Arc<RecordedRequest> {
        Arc::new(RecordedRequest {
            method: "GET".into(),
            path: format!("/{n}"),
            headers: Vec::new(),
            body: Bytes::new(),
            json: None,
            received_at: Duration::ZERO,
        })
    }

    #[test]
    fn the_default_journal_keeps_the_last_10000_requests() {
        let mut state = State::new(EmulatorConfig::default());
        for n in 0..=DEFAULT_JOURNAL_LIMIT {
            state.record(request(n));
        }
        assert_eq!(state.journal.len(), DEFAULT_JOURNAL_LIMIT);
        assert_eq!(DEFAULT_JOURNAL_LIMIT, 10_000);
        assert_eq!(state.journal.front().unwrap().path, "/1");
        assert_eq!(state.journal.back().unwrap().path, format!("/{DEFAULT_JOURNAL_LIMIT}"));
    }
}
