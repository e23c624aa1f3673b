//! The layers under a sequential `Client.update_client`, measured without Python, so bench/compare.py can show
//! what each one costs: the same PUT to its nginx, back to back on one keep-alive connection, through
//!
//! - `hyper`: a bare hyper HTTP/1 connection (the floor of the HTTP stack the SDK is built on);
//! - `reqwest`: a reqwest client, the SDK's transport, answer read as bytes;
//! - `core`: the cryptomate core on the calling thread, as a Python call drives it: request built and
//!   checked, sent through reqwest, the answer checked and decoded into a record.
//!
//! Prints one JSON line in the shape of compare.py's measures. compare.py builds and runs it; by hand:
//!
//!     cargo run --profile dev-release --example transport_floor -- core PORT SECONDS WARMUP
//!
//! Loopback only; each loop is bounded by time and by count.

use std::future::Future;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use serde_json::{json, Map, Value};

use cryptomate::client::Client;
use cryptomate::http::config::{ConfigInput, Endpoint, Options};
use cryptomate::http::request::ApiRequest;
use cryptomate::http::runtime::block_on_interruptible;

const PATH: &str = "/management/clients/client_123";
const BODY: &str = r#"{"first_name":"Ada","sms":false}"#;
const MAX_CALLS: u64 = 10_000_000;

type Call = Box<dyn FnMut() -> Result<(), String>>;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [layer, port, seconds, warmup] = args.as_slice() else {
        eprintln!("usage: transport_floor hyper|reqwest|core PORT SECONDS WARMUP");
        std::process::exit(2);
    };
    let port: u16 = port.parse().expect("PORT");
    let (seconds, warmup): (f64, f64) = (seconds.parse().expect("SECONDS"), warmup.parse().expect("WARMUP"));
    let mut call = match layer.as_str() {
        "hyper" => bare_hyper(port),
        "reqwest" => plain_reqwest(port),
        "core" => cryptomate_core(port),
        other => panic!("unknown layer {other}"),
    };
    run_for(&mut call, warmup);
    let (cpu0, t0) = (cpu_seconds(), Instant::now());
    let (calls, errors, first_error) = run_for(&mut call, seconds);
    let (elapsed, cpu) = (t0.elapsed().as_secs_f64(), cpu_seconds() - cpu0);
    let measure = json!({
        "value": calls as f64 / elapsed, "calls": calls, "cpu": cpu, "peak_rss_kib": peak_rss_kib(),
        "errors": errors, "first_error": first_error, "note": "",
    });
    println!("{measure}");
}

/// Calls back to back until `seconds` pass (or MAX_CALLS): (succeeded, failed, the first failure).
fn run_for(call: &mut Call, seconds: f64) -> (u64, u64, String) {
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let (mut calls, mut errors, mut first_error) = (0, 0, String::new());
    while Instant::now() < deadline && calls + errors < MAX_CALLS {
        match call() {
            Ok(()) => calls += 1,
            Err(error) => {
                errors += 1;
                if first_error.is_empty() {
                    first_error = error;
                }
            }
        }
    }
    (calls, errors, first_error)
}

/// A single-threaded runtime driven by the calling thread, as the SDK's blocking calls do.
fn calling_thread_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime")
}

fn bare_hyper(port: u16) -> Call {
    let runtime = calling_thread_runtime();
    let mut sender = runtime.block_on(async {
        let stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        let (sender, connection) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await.expect("handshake");
        tokio::spawn(connection);
        sender
    });
    let host = format!("127.0.0.1:{port}");
    Box::new(move || {
        runtime.block_on(async {
            let request = hyper::Request::put(PATH)
                .header("host", &host)
                .header("x-api-key", "key")
                .header("content-type", "application/json")
                .body(Full::new(Bytes::from_static(BODY.as_bytes())))
                .map_err(|e| e.to_string())?;
            let response = sender.send_request(request).await.map_err(|e| e.to_string())?;
            let status = response.status();
            let body = response.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes();
            answered(status.as_u16(), &body)
        })
    })
}

fn plain_reqwest(port: u16) -> Call {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = calling_thread_runtime();
    let client = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("reqwest client");
    let url = reqwest::Url::parse(&format!("http://127.0.0.1:{port}{PATH}")).expect("url");
    Box::new(move || {
        runtime.block_on(async {
            let response = client
                .put(url.clone())
                .header("x-api-key", "key")
                .header("content-type", "application/json")
                .body(BODY)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let status = response.status();
            let body = response.bytes().await.map_err(|e| e.to_string())?;
            answered(status.as_u16(), &body)
        })
    })
}

fn cryptomate_core(port: u16) -> Call {
    let input = ConfigInput {
        api_key: Some("key".into()),
        base_url: Some(format!("http://127.0.0.1:{port}")),
        ..Default::default()
    };
    let options = Options { rate_limit: None, max_retries: 0, ..Default::default() };
    let client = Client::new(Endpoint::resolve(input, |_| None).expect("endpoint"), options);
    let fields: Map<String, Value> = serde_json::from_str(BODY).expect("fields");
    Box::new(move || {
        let request = ApiRequest::update_client("client_123", &fields).map_err(|e| e.to_string())?;
        let record = run(client.fetch_one(&request)).map_err(|e| e.to_string())?;
        match record.get("first_name") {
            Some(_) => Ok(()),
            None => Err("the answer decoded without first_name".into()),
        }
    })
}

fn run<T: Send>(future: impl Future<Output = T> + Send) -> T {
    block_on_interruptible(future, || Ok::<(), ()>(())).expect("never interrupted")
}

fn answered(status: u16, body: &[u8]) -> Result<(), String> {
    match (status, body.first()) {
        (200, Some(b'{')) => Ok(()),
        _ => Err(format!("HTTP {status}, {} bytes", body.len())),
    }
}

fn cpu_seconds() -> f64 {
    let usage = rusage();
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// VmHWM: getrusage's ru_maxrss would include the forking parent's size (it survives exec).
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let line = status.lines().find(|line| line.starts_with("VmHWM:"));
    line.and_then(|line| line.split_whitespace().nth(1)?.parse().ok()).unwrap_or(0)
}

fn rusage() -> libc::rusage {
    // SAFETY: getrusage fills the struct it is given; a zeroed rusage is a valid value to overwrite.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    }
}
