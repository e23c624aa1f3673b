//! The pure-Rust core end to end: the core client against the emulator over real HTTP on 127.0.0.1.

mod common;

use std::time::Duration;

use common::{client_for, fields, run};
use cryptomate::http::config::{Options, DEFAULT_RATE_LIMIT};
use cryptomate::emulator::{Emulator, EmulatorConfig, Fault};
use cryptomate::error::Error;
use cryptomate::api::endpoints::GET_CLIENT;
use cryptomate::http::request::ApiRequest;
use serde_json::{json, Map};

fn get_client(id: &str) -> Result<ApiRequest, Error> {
    ApiRequest::new(&GET_CLIENT, &[id], &[], None)
}

#[test]
fn update_and_get_round_trip() {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    let seeded = emulator.add_client(fields(json!({"first_name": "Ada", "sms": true}))).unwrap();
    let id = seeded["id"].as_str().unwrap();
    let client = client_for(&emulator, emulator.api_key(), Some(DEFAULT_RATE_LIMIT));

    let update = ApiRequest::update_client(id, &fields(json!({"first_name": "John", "sms": false}))).unwrap();
    let record = run(client.fetch_one(&update)).unwrap();
    assert_eq!(record.get("first_name"), Some(&json!("John")));
    assert_eq!(record.get("sms"), Some(&json!(false)));
    assert_eq!(emulator.get(id).unwrap()["first_name"], "John");

    let journal = emulator.requests();
    assert_eq!(journal.len(), 1);
    assert_eq!(journal[0].method, "PUT");
    assert_eq!(journal[0].json, Some(json!({"first_name": "John", "sms": false})));
    assert!(journal[0].headers.iter().any(|(k, v)| k == "x-api-key" && v == emulator.api_key()));
}

#[test]
fn documented_errors_reach_the_caller_typed() {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    let client = client_for(&emulator, emulator.api_key(), Some(DEFAULT_RATE_LIMIT));
    let missing = get_client("client_missing").unwrap();
    match run(client.fetch_one(&missing)) {
        Err(Error::Status(e)) => {
            assert_eq!((e.status, e.code.as_deref()), (404, Some("NOT_FOUND")));
            assert_eq!(e.message, "Company client not found with id: client_missing");
            assert!(e.trace_id.is_some());
        }
        other => panic!("expected a 404, got {other:?}"),
    }
    let stranger = client_for(&emulator, "not-a-key", Some(DEFAULT_RATE_LIMIT));
    match run(stranger.fetch_one(&missing)) {
        Err(Error::Status(e)) => assert_eq!((e.status, e.code.as_deref()), (401, Some("API_ERROR"))),
        other => panic!("expected a 401, got {other:?}"),
    }
}

#[test]
fn injected_faults_become_typed_errors() {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    let seeded = emulator.add_client(Map::new()).unwrap();
    let get = get_client(seeded["id"].as_str().unwrap()).unwrap();
    let client = client_for(&emulator, emulator.api_key(), Some(DEFAULT_RATE_LIMIT));

    emulator.fail_next(Fault::Disconnect, 1);
    assert!(matches!(run(client.fetch_one(&get)), Err(Error::Connection(_))));
    emulator.fail_next(Fault::Status { status: 503, retry_after: Some(2.0), body: None }, 1);
    match run(client.fetch_one(&get)) {
        Err(Error::Status(e)) => assert_eq!((e.status, e.retry_after), (503, Some(2.0))),
        other => panic!("expected a 503, got {other:?}"),
    }
    emulator.delay_next(Duration::from_millis(500), 1);
    let impatient = client.with_options(Options { timeout: Duration::from_millis(100), ..client.options().clone() });
    assert!(matches!(run(impatient.fetch_one(&get)), Err(Error::Timeout(_))));
    assert!(run(client.fetch_one(&get)).is_ok());
}

#[test]
fn a_stopped_emulator_refuses_connections() {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    let client = client_for(&emulator, emulator.api_key(), Some(DEFAULT_RATE_LIMIT));
    emulator.stop();
    std::thread::sleep(Duration::from_millis(50));
    let get = get_client("x").unwrap();
    assert!(matches!(run(client.fetch_one(&get)), Err(Error::Connect { timeout: false, .. })));
}

#[test]
fn retries_resend_the_identical_request_with_a_retry_count() {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    let seeded = emulator.add_client(Map::new()).unwrap();
    let id = seeded["id"].as_str().unwrap();
    let client = client_for(&emulator, emulator.api_key(), Some(DEFAULT_RATE_LIMIT));
    let client = client.with_options(Options { max_retries: 2, ..client.options().clone() });
    emulator.fail_next(Fault::Status { status: 503, retry_after: Some(0.01), body: None }, 1);
    emulator.fail_next(Fault::Disconnect, 1);
    let update = ApiRequest::update_client(id, &fields(json!({"sms": true}))).unwrap();
    let record = run(client.fetch_one(&update)).unwrap();
    assert_eq!(record.get("sms"), Some(&json!(true)));
    let journal = emulator.requests();
    assert_eq!(journal.len(), 3);
    let retry_count = |i: usize| journal[i].headers.iter().find(|(k, _)| k == "x-retry-count").map(|(_, v)| v.clone());
    assert_eq!((retry_count(0), retry_count(1), retry_count(2)), (None, Some("1".into()), Some("2".into())));
    assert!(journal.windows(2).all(|w| w[0].body == w[1].body && w[0].path == w[1].path));
}
