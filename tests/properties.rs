//! Property tests of the core's input handling: id encoding, argument-shaped bodies, response decoding.

use cryptomate::http::config::ApiKey;
use cryptomate::api::endpoints::UPDATE_CLIENT;
use cryptomate::api::fields::COMPANY_CLIENT;
use cryptomate::api::model::{check_request_body, Record};
use cryptomate::http::request::path_segment;
use cryptomate::http::response::{decode_record, parse_retry_after};
use cryptomate::http::transport::RawResponse;
use proptest::prelude::*;
use serde_json::{Map, Value};

fn percent_decode(encoded: &str) -> Vec<u8> {
    let bytes = encoded.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&encoded[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// Any JSON value, nested a few levels.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        "[a-zA-Z0-9 :.+-]{0,24}".prop_map(Value::from),
        Just(Value::from("1990-05-17")),
        Just(Value::from("2026-04-15T10:30:00Z")),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((field_name(), inner), 0..5).prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

/// Mostly names from the table (nested ones included), sometimes unknown ones.
fn field_name() -> impl Strategy<Value = String> {
    let known: Vec<String> = cryptomate::api::fields::ALL_SCHEMAS.iter().flat_map(|s| s.fields.iter().map(|f| f.name.to_owned())).collect();
    prop_oneof![4 => prop::sample::select(known), 1 => "[a-z_]{1,12}"]
}

fn client_object() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::vec((field_name(), json_value()), 0..12).prop_map(|pairs| pairs.into_iter().collect())
}

proptest! {
    // CI runs from a fresh clone: report a failing case in the output instead of a regressions file.
    #![proptest_config(ProptestConfig { failure_persistence: None, cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn an_id_is_always_one_segment_that_decodes_back(id in any::<String>()) {
        match path_segment(&id) {
            Ok(segment) => {
                prop_assert!(segment.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)));
                prop_assert!(segment != "." && segment != "..");
                prop_assert_eq!(percent_decode(&segment), id.as_bytes().to_vec());
            }
            Err(_) => prop_assert!(id.is_empty() || id == "." || id == ".."),
        }
    }

    #[test]
    fn decoding_accepts_or_refuses_but_never_panics(object in client_object()) {
        if let Ok(record) = Record::from_json(&COMPANY_CLIENT, Value::Object(object.clone())) {
            // the wire form is the input without the known fields that are null (unknown keys kept as sent)
            let expected: Map<String, Value> =
                object.into_iter().filter(|(k, v)| !(v.is_null() && COMPANY_CLIENT.field(k).is_some())).collect();
            prop_assert_eq!(Value::Object(record.to_json()), Value::Object(expected));
        }
    }

    #[test]
    fn a_checked_request_body_decodes_as_a_record(object in client_object()) {
        if check_request_body(&UPDATE_CLIENT.body.unwrap(), &object).is_ok() {
            prop_assert!(Record::from_json(&COMPANY_CLIENT, Value::Object(object)).is_ok());
        }
    }

    #[test]
    fn arbitrary_answers_decode_to_a_record_or_an_error(status in 100u16..600, body in prop::collection::vec(any::<u8>(), 0..256)) {
        let key = ApiKey::new("k".into()).unwrap();
        let response = RawResponse { status, headers: Default::default(), body: body.into() };
        let decoded = decode_record(response, &COMPANY_CLIENT, &key);
        prop_assert!(decoded.is_err() || (200..300).contains(&status));
    }

    #[test]
    fn retry_after_is_never_negative(text in ".{0,40}") {
        if let Some(seconds) = parse_retry_after(&text) {
            prop_assert!(seconds >= 0.0 && seconds.is_finite());
        }
    }
}
