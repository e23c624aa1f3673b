//! Sending one request: the connection pool (per process and per calling thread, see `runtime.rs` beside it
//! for why) and reading the answer.

use std::cell::RefCell;
use std::collections::HashMap;
use std::error::Error as _;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Once, OnceLock, Weak};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE, USER_AGENT};

use crate::http::config::{ApiKey, Endpoint, Options};
use crate::error::{Error, Result};
use crate::http::request::ApiRequest;
use crate::pid::PidSlot;

pub const USER_AGENT_VALUE: &str = concat!("cryptomate-python/", env!("CARGO_PKG_VERSION"));
const API_KEY_HEADER: &str = "x-api-key";
const RETRY_COUNT_HEADER: &str = "x-retry-count";

/// An HTTP answer, read in full.
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl RawResponse {
    /// A header's value, when it is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn trace_id(&self) -> Option<&str> {
        self.header("x-trace-id")
    }

    /// `Retry-After` in seconds from now (delta-seconds or an HTTP date).
    pub fn retry_after(&self) -> Option<f64> {
        self.header("retry-after").and_then(crate::http::response::parse_retry_after)
    }
}

/// The connections of one client: a reqwest client (its pool) for the SDK's runtime, and one per thread
/// that makes blocking calls (kept by that thread, see `ThreadPools`). Created on first use; a forked child
/// builds its own, since the parent's connections belong to a runtime that does not exist there.
pub struct ConnectionPool {
    /// Names this pool in the threads' `ThreadPools`.
    id: u64,
    connect_timeout: Duration,
    /// Whether the base URL is https (a plain-http client never loads the TLS roots).
    https: bool,
    http: PidSlot<reqwest::Client>,
    /// Shared with sibling pools: closing one copy of a client closes them all.
    closed: Arc<AtomicBool>,
}

impl ConnectionPool {
    pub fn new(connect_timeout: Duration, https: bool) -> Arc<ConnectionPool> {
        Self::with_closed_flag(connect_timeout, https, Arc::new(AtomicBool::new(false)))
    }

    fn with_closed_flag(connect_timeout: Duration, https: bool, closed: Arc<AtomicBool>) -> Arc<ConnectionPool> {
        static NEXT_ID: AtomicU64 = AtomicU64::new(0);
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        Arc::new(ConnectionPool { id, connect_timeout, https, http: PidSlot::empty(), closed })
    }

    /// A pool with another connect timeout (a property of the connections) that closes with this one.
    pub fn sibling(&self, connect_timeout: Duration) -> Arc<ConnectionPool> {
        Self::with_closed_flag(connect_timeout, self.https, Arc::clone(&self.closed))
    }

    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// Closes idle connections; requests made afterwards fail. In-flight requests finish.
    pub fn close(&self) {
        self.closed.store(true, Ordering::Release);
        self.http.clear();
        ThreadPools::pools_changed();
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// The reqwest client for where the caller runs: the calling thread's own, or the SDK runtime's.
    fn client(self: &Arc<Self>) -> Result<reqwest::Client> {
        if crate::http::runtime::on_calling_thread() {
            return ThreadPools::client(self);
        }
        if self.is_closed() {
            return Err(Error::Closed);
        }
        Ok(self.http.get_or_try_init(|| self.build())?.1.clone())
    }

    fn build(&self) -> Result<reqwest::Client> {
        reqwest::Client::builder()
            .tls_backend_preconfigured(tls_config(self.https)?)
            .connect_timeout(self.connect_timeout)
            // Never follow redirects: following one to another host would hand it the API key.
            .redirect(reqwest::redirect::Policy::none())
            .tcp_nodelay(true)
            .build()
            .map_err(|e| Error::Configuration(format!("cannot build the HTTP client: {}", describe(&e))))
    }
}

impl Drop for ConnectionPool {
    fn drop(&mut self) {
        ThreadPools::pools_changed();
    }
}

/// The connections a thread opened for its blocking calls, by pool. They are driven by that thread's
/// runtime only, so no other thread may use them; they close when the thread ends, and, once their pool is
/// closed or dropped, at the thread's next call (through any client).
struct ThreadPools {
    pid: u32,
    /// `POOLS_CHANGED` when the entries were last checked for closed or dropped pools.
    checked: u64,
    clients: HashMap<u64, (Weak<ConnectionPool>, reqwest::Client)>,
}

/// Counts pools closed or dropped, so that a thread looks for stale entries only after one was.
static POOLS_CHANGED: AtomicU64 = AtomicU64::new(0);

thread_local! {
    static THREAD_POOLS: RefCell<ThreadPools> = RefCell::new(ThreadPools { pid: 0, checked: 0, clients: HashMap::new() });
}

impl ThreadPools {
    fn pools_changed() {
        POOLS_CHANGED.fetch_add(1, Ordering::AcqRel);
    }

    fn client(pool: &Arc<ConnectionPool>) -> Result<reqwest::Client> {
        THREAD_POOLS.with(|own| {
            let mut own = own.borrow_mut();
            let pid = crate::pid::pid();
            if own.pid != pid {
                // Connections copied by fork(): their runtime is not this process's (see runtime.rs).
                std::mem::forget(std::mem::take(&mut own.clients));
                own.pid = pid;
            }
            let changed = POOLS_CHANGED.load(Ordering::Acquire);
            if own.checked != changed {
                own.checked = changed;
                own.clients.retain(|_, (pool, _)| pool.upgrade().is_some_and(|pool| !pool.is_closed()));
            }
            if pool.is_closed() {
                return Err(Error::Closed); // after the prune above: this thread's connections of it are gone
            }
            if let Some((_, client)) = own.clients.get(&pool.id) {
                return Ok(client.clone());
            }
            let client = pool.build()?;
            own.clients.insert(pool.id, (Arc::downgrade(pool), client.clone()));
            Ok(client)
        })
    }
}

/// ring instead of aws-lc (see Cargo.toml); rustls needs a process-wide provider installed.
fn install_crypto_provider() {
    static CRYPTO: Once = Once::new();
    CRYPTO.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// The TLS settings of every connection: certificates verified against the system's trust store. Built once
/// per process, since loading the system's roots takes milliseconds that a new client's first call should
/// not pay again; a client of a plain-http base URL (the emulator, a test server) never speaks TLS and
/// does not load them at all.
pub fn tls_config(https: bool) -> Result<rustls::ClientConfig> {
    use rustls_platform_verifier::ConfigVerifierExt;
    static VERIFIED: OnceLock<std::result::Result<rustls::ClientConfig, String>> = OnceLock::new();
    static PLAIN: OnceLock<rustls::ClientConfig> = OnceLock::new();
    install_crypto_provider();
    if !https {
        let plain = PLAIN.get_or_init(|| {
            rustls::ClientConfig::builder().with_root_certificates(rustls::RootCertStore::empty()).with_no_client_auth()
        });
        return Ok(plain.clone());
    }
    VERIFIED
        .get_or_init(|| rustls::ClientConfig::with_platform_verifier().map_err(|e| e.to_string()))
        .clone()
        .map_err(|e| Error::Configuration(format!("cannot load the system's TLS trust store: {e}")))
}

/// Sends one attempt of `request` and reads the whole answer (at most `options.max_response_size` bytes).
/// `retry` is 0 for the first attempt, n for the n-th retry (sent as `X-Retry-Count`).
pub async fn send(
    pool: &Arc<ConnectionPool>,
    endpoint: &Endpoint,
    options: &Options,
    request: &ApiRequest,
    retry: u32,
) -> Result<RawResponse> {
    let http = pool.client()?;
    let api_key = &endpoint.api_key;
    let mut builder = http
        .request(request.method.clone(), request_url(&endpoint.url, &request.path))
        .timeout(options.timeout)
        .header(API_KEY_HEADER, api_key.header().clone())
        .header(ACCEPT, "application/json")
        .header(USER_AGENT, USER_AGENT_VALUE)
        .headers(options.default_headers.clone());
    if let Some(body) = &request.body {
        builder = builder.header(CONTENT_TYPE, "application/json").body(body.clone());
    }
    if retry > 0 {
        builder = builder.header(RETRY_COUNT_HEADER, retry);
    }
    let mut response = builder.send().await.map_err(|e| transport_error(&e, options))?;
    let status = response.status().as_u16();
    let limit = options.max_response_size;
    if response.content_length().is_some_and(|len| len > limit) {
        return Err(too_large(limit));
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| transport_error(&e, options))? {
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    let mut headers = std::mem::take(response.headers_mut());
    redact_headers(&mut headers, api_key);
    Ok(RawResponse { status, headers, body: body.freeze() })
}

/// `base` followed by `path` (which starts with `/` and may end with a query), without parsing the base
/// again for every request.
fn request_url(base: &url::Url, path: &str) -> url::Url {
    let (path, query) = match path.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (path, None),
    };
    let mut url = base.clone();
    match base.path() {
        "/" => url.set_path(path),
        prefix => url.set_path(&format!("{prefix}{path}")),
    }
    url.set_query(query);
    url
}

/// Replaces the key in any header that echoes it (a trace id, a proxy's diagnostics), before the headers can
/// reach an exception or a log line.
fn redact_headers(headers: &mut HeaderMap, api_key: &ApiKey) {
    for value in headers.values_mut() {
        if let Ok(text) = value.to_str() {
            if let std::borrow::Cow::Owned(redacted) = api_key.redact(text) {
                *value = HeaderValue::from_str(&redacted).unwrap_or_else(|_| HeaderValue::from_static("[redacted]"));
            }
        }
    }
}

fn too_large(limit: u64) -> Error {
    Error::Response(format!("the response body is larger than max_response_size ({limit} bytes); it was not kept"))
}

fn transport_error(error: &reqwest::Error, options: &Options) -> Error {
    let cause = describe(error);
    if is_tls_failure(error) {
        Error::Tls(cause)
    } else if error.is_connect() {
        let timeout = error.is_timeout();
        let message = if timeout { format!("connect timeout ({} s): {cause}", options.connect_timeout.as_secs_f64()) } else { cause };
        Error::Connect { message, timeout }
    } else if error.is_timeout() {
        Error::Timeout(format!("request timed out ({} s): {cause}", options.timeout.as_secs_f64()))
    } else {
        Error::Connection(cause)
    }
}

/// A failed TLS handshake (an untrusted or mismatched certificate, say): retrying cannot fix it.
fn is_tls_failure(error: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = error.source();
    while let Some(cause) = source {
        // io::Error hides its payload from source(): look inside explicitly.
        let inner = cause.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()).map(|e| e as &(dyn std::error::Error + 'static));
        if cause.is::<rustls::Error>() || inner.is_some_and(|e| e.is::<rustls::Error>()) {
            return true;
        }
        source = cause.source();
    }
    false
}

/// The whole cause chain: reqwest's own message stops at "error sending request".
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let part = cause.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::request_url;

    #[test]
    fn a_request_url_is_the_base_followed_by_the_path() {
        for base in ["http://127.0.0.1:8080", "https://api.example", "https://api.example/v2", "http://[::1]:1/a/b"] {
            for path in ["/management/clients/c%2F1", "/management/clients?status=ACTIVE&x=a%20b", "/x/y?"] {
                let expected = url::Url::parse(&format!("{base}{path}")).unwrap();
                assert_eq!(request_url(&url::Url::parse(base).unwrap(), path), expected, "{base} {path}");
            }
        }
    }
}
