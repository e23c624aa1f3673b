//! Building requests: paths with safely encoded ids, JSON bodies.

use bytes::Bytes;
use reqwest::Method;
use serde_json::{Map, Value};

use crate::api::endpoints::{Endpoint, UPDATE_CLIENT};
use crate::error::{Error, Result};
use crate::percent::encode_into;

/// A request ready for the transport: everything but the connection-level headers.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    /// The endpoint it calls: how its answer is decoded, whether it may be retried.
    pub endpoint: &'static Endpoint,
    pub method: Method,
    /// Starts with `/`, query included; appended to the base URL.
    pub path: String,
    pub body: Option<Bytes>,
}

impl ApiRequest {
    /// The path as a log line shows it: the query's names without their values, which can be personal data
    /// (the phone number of `get_client_by_whatsapp_phone`), like a body.
    pub fn path_for_logs(&self) -> std::borrow::Cow<'_, str> {
        let Some((path, query)) = self.path.split_once('?') else { return self.path.as_str().into() };
        let names: Vec<String> = query.split('&').map(|pair| format!("{}=...", pair.split('=').next().unwrap_or(pair))).collect();
        format!("{path}?{}", names.join("&")).into()
    }

    /// A request of `endpoint`: `params` fill its `{...}` path segments in order (each encoded as one
    /// segment), `query` is appended encoded, `body` sent as JSON.
    pub fn new(
        endpoint: &'static Endpoint,
        params: &[&str],
        query: &[(&str, String)],
        body: Option<&Map<String, Value>>,
    ) -> Result<ApiRequest> {
        let mut path = String::with_capacity(endpoint.path.len() + 32);
        let mut params = params.iter();
        for segment in endpoint.path.split('/').skip(1) {
            path.push('/');
            if segment.starts_with('{') {
                let value = params.next().ok_or_else(|| Error::InvalidValue(format!("{}: missing {segment}", endpoint.call)))?;
                path.push_str(&path_segment(value)?);
            } else {
                path.push_str(segment);
            }
        }
        if params.next().is_some() {
            return Err(Error::InvalidValue(format!("{}: more path parameters than {}", endpoint.call, endpoint.path)));
        }
        for (i, (name, value)) in query.iter().enumerate() {
            path.push(if i == 0 { '?' } else { '&' });
            path.push_str(name);
            path.push('=');
            encode_into(&mut path, value);
        }
        if let (Some(schema), Some(fields)) = (endpoint.body, body) {
            let missing = schema.missing_required(fields);
            if !missing.is_empty() {
                return Err(Error::MissingFields { call: endpoint.call, fields: missing });
            }
        }
        let body = match body {
            Some(fields) => Some(Bytes::from(serde_json::to_vec(fields).map_err(|e| Error::InvalidValue(e.to_string()))?)),
            None => None,
        };
        let method = Method::from_bytes(endpoint.method.as_bytes()).expect("the endpoint table holds valid methods");
        Ok(ApiRequest { endpoint, method, path, body })
    }

    /// `PUT /management/clients/{id}` with exactly the given fields (`null` included).
    pub fn update_client(id: &str, fields: &Map<String, Value>) -> Result<ApiRequest> {
        if fields.is_empty() {
            return Err(Error::InvalidValue("update_client needs at least one field to change".into()));
        }
        ApiRequest::new(&UPDATE_CLIENT, &[id], &[], Some(fields))
    }
}

/// Encodes an id as exactly one path segment: every byte outside RFC 3986's unreserved set is
/// percent-encoded, so `a/b` can never address another resource. `.` and `..` would be collapsed by URL
/// normalisation, so they are refused.
pub fn path_segment(id: &str) -> Result<String> {
    match id {
        "" => return Err(Error::InvalidValue("id must not be empty".into())),
        "." | ".." => return Err(Error::InvalidValue(format!("id {id:?} is not a valid client id"))),
        _ => {}
    }
    let mut out = String::with_capacity(id.len());
    encode_into(&mut out, id);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_are_one_encoded_segment() {
        assert_eq!(path_segment("client_123").unwrap(), "client_123");
        assert_eq!(path_segment("a/b").unwrap(), "a%2Fb");
        assert_eq!(path_segment("client 1?x=#").unwrap(), "client%201%3Fx%3D%23");
        assert_eq!(path_segment("ü").unwrap(), "%C3%BC");
        assert_eq!(path_segment("a.b-c_d~").unwrap(), "a.b-c_d~");
        assert_eq!(path_segment("%2F").unwrap(), "%252F");
        for bad in ["", ".", ".."] {
            assert!(matches!(path_segment(bad), Err(Error::InvalidValue(_))), "{bad:?}");
        }
    }

    #[test]
    fn update_sends_only_the_given_fields() {
        let fields = json!({"first_name": "John", "sms": false, "email": null});
        let req = ApiRequest::update_client("client_1", fields.as_object().unwrap()).unwrap();
        assert_eq!(req.method, Method::PUT);
        assert_eq!(req.path, "/management/clients/client_1");
        assert_eq!(&req.body.unwrap()[..], br#"{"first_name":"John","sms":false,"email":null}"#);
        assert!(ApiRequest::update_client("client_1", &Map::new()).is_err());
    }

    #[test]
    fn parameters_and_queries_are_encoded() {
        use crate::api::endpoints::{GET_CLIENT_BY_WHATSAPP_PHONE, IDENTIFICATION_TYPES, LIST_CLIENTS};
        let req = ApiRequest::new(&IDENTIFICATION_TYPES, &["U S"], &[], None).unwrap();
        assert_eq!(req.path, "/management/clients/individuals/identifications/U%20S");
        let req = ApiRequest::new(&LIST_CLIENTS, &[], &[("sms", "true".into()), ("otp", "false".into())], None).unwrap();
        assert_eq!(req.path, "/management/clients?sms=true&otp=false");
        let req = ApiRequest::new(&GET_CLIENT_BY_WHATSAPP_PHONE, &[], &[("full_phone_number", "1 415&x".into())], None).unwrap();
        assert_eq!(req.path, "/management/clients/by-phone-whatsapp?full_phone_number=1%20415%26x");
        assert_eq!(req.method, Method::GET);
        assert!(req.body.is_none());
        for params in [&[][..], &["a", "b"]] {
            assert!(matches!(ApiRequest::new(&IDENTIFICATION_TYPES, params, &[], None), Err(Error::InvalidValue(_))), "{params:?}");
        }
    }
}
