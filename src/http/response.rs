//! Reading an answer: a 2xx becomes a record, anything else a `StatusError`.

use serde_json::Value;

use crate::http::config::ApiKey;
use crate::error::{Body, Error, Result, StatusError};
use crate::api::decode::{record_from_body, records_from_body};
use crate::api::model::Record;
use crate::api::endpoints::Answer;
use crate::api::schema::{json_type_name, Schema};
use crate::http::transport::RawResponse;

/// What a successful call returns, as its endpoint's `Answer` says.
#[derive(Debug, Clone, PartialEq)]
pub enum Answered {
    One(Record),
    Many(Vec<Record>),
    Nothing,
}

/// Decodes an answer as `answer` describes it; a non-2xx is a `StatusError`.
pub fn decode(response: RawResponse, answer: Answer, api_key: &ApiKey) -> Result<Answered> {
    match answer {
        Answer::One(schema) => decode_record(response, schema, api_key).map(Answered::One),
        Answer::Many(schema) => decode_records(response, schema, api_key).map(Answered::Many),
        Answer::Nothing => success(&response, api_key).map(|()| Answered::Nothing),
    }
}

fn success(response: &RawResponse, api_key: &ApiKey) -> Result<()> {
    if (200..300).contains(&response.status) {
        Ok(())
    } else {
        Err(Error::Status(Box::new(status_error(response, api_key))))
    }
}

/// The body of a 2xx answer as JSON; `expected` names what it should be, for the error.
fn json_body(response: &RawResponse, api_key: &ApiKey, expected: &str) -> Result<Value> {
    success(response, api_key)?;
    if response.body.iter().all(u8::is_ascii_whitespace) {
        return Err(invalid(response, api_key, format!("expected {expected}, got status {} with an empty body", response.status)));
    }
    serde_json::from_slice(&response.body)
        .map_err(|e| invalid(response, api_key, format!("the response ({expected}) is not valid JSON: {e}")))
}

fn invalid(response: &RawResponse, api_key: &ApiKey, message: String) -> Error {
    Error::ResponseValidation { message, status: response.status, body: api_key.redact_body(Body::from_bytes(&response.body)) }
}

/// Decodes a 2xx answer that must carry one object of `schema`.
pub fn decode_record(response: RawResponse, schema: &'static Schema, api_key: &ApiKey) -> Result<Record> {
    if (200..300).contains(&response.status) {
        if let Some(record) = record_from_body(schema, &response.body) {
            return Ok(record);
        }
    }
    // Not a good answer: decoded again the long way, which says what is wrong with it.
    let value = json_body(&response, api_key, &format!("a {} object", schema.name))?;
    Record::from_json(schema, value)
        .map_err(|e| invalid(&response, api_key, format!("the response does not match {}: {e}", schema.name)))
}

/// Decodes a 2xx answer that must carry a list of `schema` objects: a bare array, or an object holding it
/// under `data` (as the countries catalog does).
pub fn decode_records(response: RawResponse, schema: &'static Schema, api_key: &ApiKey) -> Result<Vec<Record>> {
    if (200..300).contains(&response.status) {
        if let Some(records) = records_from_body(schema, &response.body) {
            return Ok(records);
        }
    }
    let expected = format!("a list of {} objects", schema.name);
    let items = match json_body(&response, api_key, &expected)? {
        Value::Array(items) => items,
        Value::Object(mut map) => match map.remove("data") {
            Some(Value::Array(items)) => items,
            _ => return Err(invalid(&response, api_key, format!("expected {expected}, got an object without a `data` array"))),
        },
        other => return Err(invalid(&response, api_key, format!("expected {expected}, got {}", json_type_name(&other)))),
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            Record::from_json(schema, item)
                .map_err(|e| invalid(&response, api_key, format!("item {i} of the response does not match {}: {e}", schema.name)))
        })
        .collect()
}

/// Builds the error for a non-2xx answer. The key is scrubbed from the body, in case a proxy or a
/// misbehaving server echoes it (the transport already scrubbed the headers).
pub fn status_error(response: &RawResponse, api_key: &ApiKey) -> StatusError {
    let body = api_key.redact_body(Body::from_bytes(&response.body));
    let headers: Vec<(String, String)> = response
        .headers
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
        .collect();
    let field = |name: &str| match &body {
        Body::Json(Value::Object(map)) => map.get(name).and_then(Value::as_str).map(str::to_owned),
        _ => None,
    };
    let status = response.status;
    StatusError {
        status,
        code: field("code").or_else(|| field("error_code")),
        message: field("message").unwrap_or_else(|| status_description(status)),
        trace_id: field("trace_id").or_else(|| response.trace_id().map(str::to_owned)),
        retry_after: response.retry_after(),
        body,
        headers,
    }
}

fn status_description(status: u16) -> String {
    match reqwest::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()) {
        Some(reason) => reason.to_owned(),
        None => format!("HTTP status {status}"),
    }
}

/// `Retry-After` as seconds from now: delta-seconds, or an HTTP date.
pub fn parse_retry_after(value: &str) -> Option<f64> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0).then_some(seconds);
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok()?;
    let delta = at.timestamp_millis() as f64 / 1000.0 - now.as_secs_f64();
    Some(delta.max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::fields::COMPANY_CLIENT;
    use bytes::Bytes;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn answer(status: u16, body: &str, headers: &[(&'static str, &str)]) -> RawResponse {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        RawResponse { status, headers: map, body: Bytes::from(body.to_owned()) }
    }

    fn key() -> ApiKey {
        ApiKey::new("sk_secret".into()).unwrap()
    }

    #[test]
    fn error_body_fields_and_fallbacks() {
        let e = status_error(&answer(404, r#"{"code":"NOT_FOUND","message":"Company client not found with id: c1","trace_id":"t1"}"#, &[]), &key());
        assert_eq!((e.code.as_deref(), e.message.as_str(), e.trace_id.as_deref()), (Some("NOT_FOUND"), "Company client not found with id: c1", Some("t1")));
        let e = status_error(&answer(429, r#"{"error_code":"TOO_MANY_REQUESTS","message":"slow down"}"#, &[("retry-after", "3"), ("x-trace-id", "h1")]), &key());
        assert_eq!((e.code.as_deref(), e.trace_id.as_deref(), e.retry_after), (Some("TOO_MANY_REQUESTS"), Some("h1"), Some(3.0)));
        let e = status_error(&answer(502, "<html>bad gateway</html>", &[]), &key());
        assert_eq!((e.code, e.message.as_str()), (None, "Bad Gateway"));
        assert_eq!(e.body, Body::Text("<html>bad gateway</html>".into()));
    }

    #[test]
    fn an_echoed_key_is_scrubbed() {
        let e = status_error(&answer(401, r#"{"message":"key sk\/secret denied"}"#, &[]), &ApiKey::new("sk/secret".into()).unwrap());
        assert_eq!(e.message, "key [redacted] denied");
    }

    #[test]
    fn bodies_that_are_not_utf8_are_text() {
        let mut response = answer(404, "", &[]);
        response.body = Bytes::from_static(b"{\"code\": \"NOT_FOUND\", \"message\": \"Jos\xe9\"}");
        let e = status_error(&response, &key());
        assert!(matches!(e.body, Body::Text(_)));
        assert_eq!(e.code, None);
    }

    #[test]
    fn two_hundreds_without_a_client_are_invalid() {
        for (status, body) in [(204, ""), (200, ""), (200, "not json"), (200, "[1]"), (200, r#"{"sms":"yes"}"#)] {
            let err = decode_record(answer(status, body, &[]), &COMPANY_CLIENT, &key()).unwrap_err();
            assert!(matches!(err, Error::ResponseValidation { .. }), "{status} {body}: {err:?}");
        }
        let record = decode_record(answer(200, r#"{"id":"c1"}"#, &[]), &COMPANY_CLIENT, &key()).unwrap();
        assert_eq!(record.get("id"), Some(&Value::from("c1")));
    }

    #[test]
    fn lists_are_arrays_or_a_data_member() {
        use crate::api::fields::COUNTRY;
        let bare = decode_records(answer(200, r#"[{"id":"a"},{"id":"b"}]"#, &[]), &COMPANY_CLIENT, &key()).unwrap();
        assert_eq!(bare.len(), 2);
        let wrapped = decode_records(answer(200, r#"{"count":1,"data":[{"name":"Argentina","alpha3":"ARG"}]}"#, &[]), &COUNTRY, &key()).unwrap();
        assert_eq!(wrapped[0].get("alpha3"), Some(&Value::from("ARG")));
        for body in ["{}", "5", r#"[{"sms":"yes"}]"#, ""] {
            assert!(matches!(decode_records(answer(200, body, &[]), &COMPANY_CLIENT, &key()), Err(Error::ResponseValidation { .. })), "{body}");
        }
        assert_eq!(decode(answer(204, "", &[]), Answer::Nothing, &key()).unwrap(), Answered::Nothing);
        assert_eq!(decode(answer(200, "<html>ok</html>", &[]), Answer::Nothing, &key()).unwrap(), Answered::Nothing);
        assert!(matches!(decode(answer(404, "", &[]), Answer::Nothing, &key()), Err(Error::Status(_))));
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("2.5"), Some(2.5));
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(0.0));
        assert_eq!(parse_retry_after("soon"), None);
    }
}
