//! Error kinds of the core. No pyo3 here: the binding layer maps each kind to a Python exception class.

use serde_json::Value;

/// A response body as the error carries it: parsed JSON when it is JSON, else the text.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Json(Value),
    Text(String),
}

impl Body {
    /// JSON when the bytes are JSON (which must be UTF-8), else the text with invalid bytes replaced.
    pub fn from_bytes(bytes: &[u8]) -> Body {
        match serde_json::from_slice(bytes) {
            Ok(value) => Body::Json(value),
            Err(_) => Body::Text(String::from_utf8_lossy(bytes).into_owned()),
        }
    }
}

/// An HTTP error answer of the API (any status outside 2xx).
#[derive(Debug, Clone, PartialEq)]
pub struct StatusError {
    pub status: u16,
    /// The body's `code` (or the older `error_code`).
    pub code: Option<String>,
    /// The body's `message`, else a description of the status.
    pub message: String,
    /// The body's `trace_id`, else the `X-Trace-Id` header.
    pub trace_id: Option<String>,
    pub body: Body,
    pub headers: Vec<(String, String)>,
    /// Seconds from `Retry-After` (delta-seconds or an HTTP date).
    pub retry_after: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// Missing key, bad base URL, conflicting settings.
    Configuration(String),
    /// A bad argument value (Python `ValueError`).
    InvalidValue(String),
    /// Required fields missing from a request body (Python `TypeError`), every one named.
    MissingFields { call: &'static str, fields: Vec<String> },
    /// No connection could be made (refused, DNS, or the connect timeout when `timeout`): nothing was sent.
    Connect { message: String, timeout: bool },
    /// No HTTP response on a connection that was made: reset, closed, truncated. The request may have been
    /// processed.
    Connection(String),
    /// The TLS handshake failed (certificate not trusted, wrong host): no HTTP response, not retried.
    Tls(String),
    /// The client was closed; nothing was sent.
    Closed,
    /// The request timed out after it was sent.
    Timeout(String),
    /// A response that could not be taken in whole (too large).
    Response(String),
    /// A 2xx whose body does not decode into the expected model.
    ResponseValidation { message: String, status: u16, body: Body },
    Status(Box<StatusError>),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Configuration(m)
            | Error::InvalidValue(m)
            | Error::Connect { message: m, .. }
            | Error::Connection(m)
            | Error::Tls(m)
            | Error::Timeout(m)
            | Error::Response(m)
            | Error::ResponseValidation { message: m, .. } => f.write_str(m),
            Error::Closed => f.write_str("the client is closed"),
            Error::MissingFields { call, fields } => {
                write!(f, "{call}(): missing required field{}: {}", if fields.len() == 1 { "" } else { "s" }, fields.join(", "))
            }
            Error::Status(e) => write!(f, "{} {}", e.status, e.message),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;
