//! Building requests: paths with safely encoded ids, JSON bodies.

use bytes::Bytes;
use reqwest::Method;
use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// A request ready for the transport: everything but the connection-level headers.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    pub method: Method,
    /// Starts with `/`; appended to the base URL.
    pub path: String,
    pub body: Option<Bytes>,
}

impl ApiRequest {
    pub fn get_client(id: &str) -> Result<ApiRequest> {
        Ok(ApiRequest { method: Method::GET, path: client_path(id)?, body: None })
    }

    /// `PUT /management/clients/{id}` with exactly the given fields (`null` included).
    pub fn update_client(id: &str, fields: &Map<String, Value>) -> Result<ApiRequest> {
        if fields.is_empty() {
            return Err(Error::InvalidValue("update_client needs at least one field to change".into()));
        }
        let body = serde_json::to_vec(fields).map_err(|e| Error::InvalidValue(e.to_string()))?;
        Ok(ApiRequest { method: Method::PUT, path: client_path(id)?, body: Some(Bytes::from(body)) })
    }
}

fn client_path(id: &str) -> Result<String> {
    Ok(format!("/management/clients/{}", path_segment(id)?))
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
    for byte in id.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
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
}
