//! The emulator's HTTP side: accepting connections, recording requests, injected faults, routing.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE, RETRY_AFTER};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Map, Value};
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::store::{code_for_status, Refusal};
use super::{Fault, RecordedRequest, State, READ_LEVEL, WRITE_LEVEL};

const CLIENTS: &str = "/management/clients";
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
        Ok(collected) => collected.to_bytes(),
        Err(_) => return Err(DropConnection),
    };
    let json: Option<Value> = serde_json::from_slice(&body).ok();
    let received_at = lock(&state).started.elapsed();
    let recorded = RecordedRequest {
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
    };
    let (delay, fault, trace_id) = {
        let mut state = lock(&state);
        state.requests_served += 1;
        let trace_id = trace_id(state.requests_served, peer);
        state.journal.push(recorded.clone());
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

enum Answer {
    Json(u16, Value),
    Refused(Refusal),
    RateLimited { wait: Duration, time_scale: f64 },
    Injected { status: u16, retry_after: Option<f64>, body: Option<Bytes> },
}

impl Answer {
    fn into_response(self, trace_id: &str) -> Response<Full<Bytes>> {
        let error_body = |code: &str, message: &str| json!({"code": code, "message": message, "trace_id": trace_id});
        let (status, body, retry_after) = match self {
            Answer::Json(status, value) => (status, serde_json::to_vec(&value).unwrap_or_default().into(), None),
            Answer::Refused(refusal) => (refusal.status, to_bytes(&error_body(refusal.code, &refusal.message)), None),
            Answer::RateLimited { wait, time_scale } => {
                // Whole seconds as documented; fractions when the schedule runs scaled (tests).
                let seconds = if time_scale == 1.0 { wait.as_secs_f64().ceil().to_string() } else { format!("{:.3}", wait.as_secs_f64()) };
                let message = format!("Rate limit exceeded. Retry after {seconds} seconds");
                // The documented 429 body names the code `error_code`; `code` is there too, as in every error.
                let body = json!({"code": "TOO_MANY_REQUESTS", "error_code": "TOO_MANY_REQUESTS", "message": message, "trace_id": trace_id});
                (429, to_bytes(&body), Some(seconds))
            }
            Answer::Injected { status, retry_after, body } => {
                let reason = StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("Injected failure");
                let body = body.unwrap_or_else(|| to_bytes(&error_body(code_for_status(status), reason)));
                (status, body, retry_after.map(|s| s.to_string()))
            }
        };
        let is_json = serde_json::from_slice::<serde::de::IgnoredAny>(&body).is_ok();
        let mut response = Response::new(Full::new(body));
        *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let headers = response.headers_mut();
        let content_type = if is_json { "application/json" } else { "text/html; charset=utf-8" };
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
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

/// The documented behaviour of the Clients endpoints for one request.
fn route(state: &mut State, address: IpAddr, request: &RecordedRequest, now: Instant) -> Answer {
    let key = request.headers.iter().find(|(name, _)| name == "x-api-key").map(|(_, v)| v.as_str());
    if let Some(limiter) = state.limiter.as_mut() {
        if let Err(wait) = limiter.admit(key, address, now) {
            return Answer::RateLimited { wait, time_scale: state.config.time_scale };
        }
    }
    let Some(&level) = key.and_then(|k| state.keys.get(k)) else {
        return Answer::Refused(Refusal::new(401, "Invalid or missing API key"));
    };
    let (path, query) = request.path.split_once('?').unwrap_or((request.path.as_str(), ""));
    let Some(rest) = path.strip_prefix(CLIENTS) else {
        return Answer::Refused(Refusal::new(404, format!("No endpoint {} {path}", request.method)));
    };
    let id = match rest.strip_prefix('/') {
        None if rest.is_empty() => None,
        Some(segment) if !segment.is_empty() && !segment.contains('/') => match percent_decode(segment) {
            Some(id) => Some(id),
            None => return Answer::Refused(Refusal::new(400, "The client id is not valid percent-encoded UTF-8")),
        },
        _ => return Answer::Refused(Refusal::new(404, format!("No endpoint {} {path}", request.method))),
    };
    let Ok(method) = Method::from_bytes(request.method.as_bytes()) else {
        return Answer::Refused(Refusal::new(405, format!("Method {} is not allowed", request.method)));
    };
    let needed = if method == Method::GET { READ_LEVEL } else { WRITE_LEVEL };
    if level < needed {
        return Answer::Refused(Refusal::new(401, format!("The API key does not have access level {needed} required by this endpoint")));
    }
    let now = now_timestamp();
    let store = &mut state.store;
    let result = match (&method, id.as_deref()) {
        (&Method::GET, None) => match list_filters(query) {
            Ok(filters) => return Answer::Json(200, Value::Array(store.list(&filters))),
            Err(refusal) => Err(refusal),
        },
        (&Method::POST, None) => json_object(request).and_then(|body| store.create(body, &now)),
        (&Method::GET, Some(id)) => store.get(id).cloned().ok_or_else(|| Refusal::not_found(id)),
        (&Method::PUT, Some(id)) => json_object(request).and_then(|body| store.update(id, body, &now)),
        (&Method::DELETE, Some(id)) => store.delete(id),
        _ => Err(Refusal::new(405, format!("Method {} is not allowed on {path}", request.method))),
    };
    match result {
        Ok(client) => Answer::Json(200, Value::Object(client)),
        Err(refusal) => Answer::Refused(refusal),
    }
}

fn json_object(request: &RecordedRequest) -> Result<Map<String, Value>, Refusal> {
    match &request.json {
        Some(Value::Object(map)) => Ok(map.clone()),
        Some(_) => Err(Refusal::new(400, "The request body must be a JSON object")),
        None => Err(Refusal::new(400, "The request body is not valid JSON")),
    }
}

/// The boolean filters of `GET /management/clients`.
fn list_filters(query: &str) -> Result<Vec<(String, bool)>, Refusal> {
    let mut filters = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        if !matches!(name, "otp" | "sms" | "whatsapp" | "telegram") {
            return Err(Refusal::new(400, format!("Unknown query parameter {name:?}")));
        }
        let wanted = match value {
            "true" => true,
            "false" => false,
            other => return Err(Refusal::new(400, format!("Query parameter {name} must be true or false, got {other:?}"))),
        };
        filters.push((name.to_owned(), wanted));
    }
    Ok(filters)
}

fn percent_decode(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
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
    fn percent_decoding_and_filters() {
        assert_eq!(percent_decode("a%2Fb").as_deref(), Some("a/b"));
        assert_eq!(percent_decode("%C3%BC").as_deref(), Some("ü"));
        assert_eq!(percent_decode("%G1"), None);
        assert_eq!(percent_decode("%FF"), None);
        assert_eq!(list_filters("sms=true&otp=false").unwrap(), vec![("sms".into(), true), ("otp".into(), false)]);
        assert!(list_filters("sms=yes").is_err());
        assert!(list_filters("color=red").is_err());
    }

    #[test]
    fn timestamps_parse_as_the_sdk_expects() {
        let now = now_timestamp();
        assert!(crate::api::schema::parse_timestamp(&now).is_ok(), "{now}");
        assert!(now.ends_with('Z'));
    }
}
