//! Feeds arbitrary answers to the response decoding: whatever the server sends, decoding returns a record
//! or an error, never panics, a decoded record round-trips through its wire form, and the fast path
//! (fields kept as JSON text, src/api/decode.rs) agrees with decoding through a `Value`.
#![no_main]

use bytes::Bytes;
use cryptomate::http::config::ApiKey;
use cryptomate::api::fields::COMPANY_CLIENT;
use cryptomate::api::model::Record;
use cryptomate::http::response::{decode_record, parse_retry_after};
use cryptomate::http::transport::RawResponse;
use libfuzzer_sys::fuzz_target;
use reqwest::header::{HeaderMap, HeaderValue};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    // The first byte picks a status among those that take different paths.
    let status = [200, 201, 204, 400, 404, 412, 429, 500, 503, 302][usize::from(selector) % 10];
    let (header, body) = rest.split_at(rest.len().min(usize::from(selector >> 4)));
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_bytes(header) {
        if let Ok(text) = value.to_str() {
            let _ = parse_retry_after(text);
        }
        headers.insert("retry-after", value.clone());
        headers.insert("x-trace-id", value);
    }
    let key = ApiKey::new("fuzz-key".into()).unwrap();
    let response = RawResponse { status, headers, body: Bytes::copy_from_slice(body) };
    if let Ok(record) = decode_record(response, &COMPANY_CLIENT, &key) {
        let value = serde_json::from_slice(body).expect("an accepted body is JSON");
        let slow = Record::from_json(&COMPANY_CLIENT, value).expect("an accepted body is a record");
        assert_eq!(slow, record);
        let wire = serde_json::Value::Object(record.to_json());
        let again = Record::from_json(&COMPANY_CLIENT, wire).expect("a decoded record re-decodes");
        assert_eq!(again.to_json(), record.to_json());
    }
});
