//! The emulator's HTTP side: accepting connections, recording requests, injected faults, and turning an
//! `Answer` into a response (`routes.rs` decides the answer).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE, RETRY_AFTER};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::refusal::{code_for_status, Refusal};
use super::routes::route;
use super::{Fault, RecordedRequest, State};

const MAX_BODY: usize = 16 * 1024 * 1024;

/// Accepts connections until `stopped` turns true; open connections are dropped then too. Every task holds a
/// clone of `alive`, so the owner knows the server is gone when all of them are dropped.
pub(crate) async fn serve(
    listener: TcpListener,
    state: Arc<Mutex<State>>,
    mut stopped: watch::Receiver<bool>,
    alive: std::sync::mpsc::Sender<()>,
) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stopped.wait_for(|stop| *stop) => return,
        };
        let Ok((stream, peer)) = accepted else {
            // Out of file descriptors and the like: back off instead of spinning.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let state = Arc::clone(&state);
        let mut stop = stopped.clone();
        let alive = alive.clone();
        tokio::spawn(async move {
            let _alive = alive;
            let service = service_fn(move |request| handle(Arc::clone(&state), peer, request));
            let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = connection => {}
                _ = stop.wait_for(|stop| *stop) => {}
            }
        });
    }
}

/// Returned by the service to make hyper close the connection without an answer.
#[derive(Debug)]
struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose (fail_next(disconnect=True))")
    }
}

impl std::error::Error for DropConnection {}

async fn handle(
    state: Arc<Mutex<State>>,
    peer: SocketAddr,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, DropConnection> {
    let (parts, body) = request.into_parts();
    let body = match http_body_util::Limited::new(body, MAX_BODY).collect().await {
        // A copy at the body's own size: the collected bytes may share the connection's whole read buffer.
        Ok(collected) => Bytes::copy_from_slice(&collected.to_bytes()),
        Err(_) => return Err(DropConnection),
    };
    let json: Option<Value> = serde_json::from_slice(&body).ok();
    let received_at = lock(&state).started.elapsed();
    let recorded = Arc::new(RecordedRequest {
        method: parts.method.to_string(),
        path: parts.uri.path_and_query().map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned()),
        headers: parts
            .headers
            .iter()
            .map(|(name, value)| (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
            .collect(),
        body,
        json,
        received_at,
    });
    let (delay, fault, trace_id) = {
        let mut state = lock(&state);
        state.requests_served += 1;
        let trace_id = trace_id(state.requests_served, peer);
        state.record(Arc::clone(&recorded));
        (state.delays.pop_front(), state.faults.pop_front(), trace_id)
    };
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    let answer = match fault {
        Some(Fault::Disconnect) => return Err(DropConnection),
        Some(Fault::Status { status, retry_after, body }) => Answer::Injected { status, retry_after, body },
        None => {
            let mut state = lock(&state);
            route(&mut state, peer.ip(), &recorded, Instant::now())
        }
    };
    Ok(answer.into_response(&trace_id))
}

fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub(super) enum Answer {
    Json(u16, Value),
    /// No body (`204 No Content`).
    Empty(u16),
    Refused(Refusal),
    RateLimited { wait: Duration, time_scale: f64 },
    Injected { status: u16, retry_after: Option<f64>, body: Option<Bytes> },
}

impl Answer {
    fn into_response(self, trace_id: &str) -> Response<Full<Bytes>> {
        const JSON: Option<&str> = Some("application/json");
        let error_body = |code: &str, message: &str| json!({"code": code, "message": message, "trace_id": trace_id});
        let (status, body, retry_after, content_type) = match self {
            Answer::Json(status, value) => (status, serde_json::to_vec(&value).unwrap_or_default().into(), None, JSON),
            Answer::Empty(status) => (status, Bytes::new(), None, None),
            Answer::Refused(refusal) => (refusal.status, to_bytes(&error_body(refusal.code, &refusal.message)), None, JSON),
            Answer::RateLimited { wait, time_scale } => {
                // Whole seconds as documented; fractions when the schedule runs scaled (tests).
                let seconds = if time_scale == 1.0 { wait.as_secs_f64().ceil().to_string() } else { format!("{:.3}", wait.as_secs_f64()) };
                let message = format!("Rate limit exceeded. Retry after {seconds} seconds");
                // The documented 429 body names the code `error_code`; `code` is there too, as in every error.
                let body = json!({"code": "TOO_MANY_REQUESTS", "error_code": "TOO_MANY_REQUESTS", "message": message, "trace_id": trace_id});
                (429, to_bytes(&body), Some(seconds), JSON)
            }
            Answer::Injected { status, retry_after, body } => {
                let reason = StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("Injected failure");
                let body = body.unwrap_or_else(|| to_bytes(&error_body(code_for_status(status), reason)));
                // A body the test chose: labelled by what it is.
                let is_json = serde_json::from_slice::<serde::de::IgnoredAny>(&body).is_ok();
                (status, body, retry_after.map(|s| s.to_string()), if is_json { JSON } else { Some("text/html; charset=utf-8") })
            }
        };
        let mut response = Response::new(Full::new(body));
        *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let headers = response.headers_mut();
        if let Some(content_type) = content_type {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        }
        if let Ok(value) = HeaderValue::from_str(trace_id) {
            headers.insert("x-trace-id", value);
        }
        if let Some(value) = retry_after.and_then(|s| HeaderValue::from_str(&s).ok()) {
            headers.insert(RETRY_AFTER, value);
        }
        response
    }
}

fn to_bytes(value: &Value) -> Bytes {
    serde_json::to_vec(value).unwrap_or_default().into()
}

/// Now as the API writes timestamps: ISO-8601 UTC with milliseconds.
pub(crate) fn now_timestamp() -> String {
    let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let millis = i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX);
    chrono::DateTime::from_timestamp_millis(millis)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

fn trace_id(counter: u64, peer: SocketAddr) -> String {
    let mut mixed = counter.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ u64::from(peer.port()).rotate_left(17);
    mixed ^= mixed >> 31;
    format!("{mixed:016x}{counter:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_parse_as_the_sdk_expects() {
        let now = now_timestamp();
        assert!(crate::api::schema::parse_timestamp(&now).is_ok(), "{now}");
        assert!(now.ends_with('Z'));
    }
}
