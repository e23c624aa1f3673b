//! Client configuration: where to send requests, with which key, and the per-copy options.

use std::borrow::Cow;
use std::net::IpAddr;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::error::{Body, Error, Result};
use crate::pacing::StoreUrl;

pub const PRODUCTION_URL: &str = "https://api.cryptomate.me";
pub const SANDBOX_URL: &str = "https://api.sandbox.cryptomate.me";
pub const ENV_API_KEY: &str = "CRYPTOMATE_API_KEY";
pub const ENV_BASE_URL: &str = "CRYPTOMATE_BASE_URL";
pub const ENV_RATE_LIMIT_STORE: &str = "CRYPTOMATE_RATE_LIMIT_STORE";
pub const DEFAULT_TIMEOUT: f64 = 30.0;
pub const DEFAULT_CONNECT_TIMEOUT: f64 = 5.0;
pub const DEFAULT_MAX_RETRIES: u32 = 2;
pub const DEFAULT_RATE_LIMIT: f64 = 15.0;
pub const DEFAULT_MAX_RESPONSE_SIZE: u64 = 10 * 1024 * 1024;
const REDACTED: &str = "[redacted]";

/// The API key. It has no `Display`, and its `Debug` never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String, HeaderValue);

impl ApiKey {
    pub fn new(key: String) -> Result<ApiKey> {
        if key.trim().is_empty() {
            return Err(Error::Configuration("the API key is empty".into()));
        }
        let Ok(mut header) = HeaderValue::from_str(&key) else {
            return Err(Error::Configuration("the API key contains characters not allowed in an HTTP header".into()));
        };
        header.set_sensitive(true);
        Ok(ApiKey(key, header))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The key as a header value, built once (marked sensitive: HTTP/2 would not index it, debug output hides it).
    pub fn header(&self) -> &HeaderValue {
        &self.1
    }

    /// `text` with every occurrence of the key replaced, for anything that may reach a user or a log.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if text.contains(&self.0) {
            Cow::Owned(text.replace(&self.0, REDACTED))
        } else {
            Cow::Borrowed(text)
        }
    }

    /// A response body with the key replaced: in the text, and in every string and key of parsed JSON
    /// (where the raw bytes may have spelt it with escapes such as `\/` or `\u0041`).
    pub fn redact_body(&self, body: Body) -> Body {
        match body {
            Body::Text(text) => Body::Text(self.redact(&text).into_owned()),
            Body::Json(mut value) => {
                self.redact_json(&mut value);
                Body::Json(value)
            }
        }
    }

    fn redact_json(&self, value: &mut serde_json::Value) {
        use serde_json::Value;
        match value {
            Value::String(s) if s.contains(&self.0) => *s = self.redact(s).into_owned(),
            Value::Array(items) => items.iter_mut().for_each(|v| self.redact_json(v)),
            Value::Object(map) => {
                if map.keys().any(|k| k.contains(&self.0)) {
                    *map = std::mem::take(map).into_iter().map(|(k, v)| (self.redact(&k).into_owned(), v)).collect();
                }
                map.values_mut().for_each(|v| self.redact_json(v));
            }
            _ => {}
        }
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(REDACTED)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Production,
    Sandbox,
}

impl Environment {
    pub fn parse(name: &str) -> Result<Environment> {
        match name {
            "production" => Ok(Environment::Production),
            "sandbox" => Ok(Environment::Sandbox),
            other => Err(Error::Configuration(format!(
                "unknown environment {other:?}: expected \"production\" or \"sandbox\""
            ))),
        }
    }

    pub fn base_url(self) -> &'static str {
        match self {
            Environment::Production => PRODUCTION_URL,
            Environment::Sandbox => SANDBOX_URL,
        }
    }
}

/// What the caller passed; `None` means "not given".
#[derive(Debug, Default, Clone)]
pub struct ConfigInput {
    pub api_key: Option<String>,
    pub base_url: Option<String>,
    pub environment: Option<String>,
    pub allow_http: bool,
}

/// Where requests go and with which key: fixed for a client and all its `with_options` copies.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub api_key: ApiKey,
    /// Without a trailing slash, as shown to users.
    pub base_url: String,
    /// `base_url` parsed, once: requests are built from it without parsing it again.
    pub url: url::Url,
}

impl Endpoint {
    /// Resolves the endpoint. Explicit arguments beat the environment variables read through `env`.
    pub fn resolve(input: ConfigInput, env: impl Fn(&str) -> Option<String>) -> Result<Endpoint> {
        let api_key = match input.api_key.or_else(|| env(ENV_API_KEY).filter(|k| !k.is_empty())) {
            Some(key) => ApiKey::new(key)?,
            None => {
                return Err(Error::Configuration(format!(
                    "no API key: pass api_key=... or set the {ENV_API_KEY} environment variable"
                )))
            }
        };
        let environment = input.environment.as_deref().map(Environment::parse).transpose()?;
        let base_url = match (input.base_url, environment) {
            (Some(url), Some(env)) => {
                let url = normalize_base_url(&url, input.allow_http)?;
                if url != env.base_url() {
                    return Err(Error::Configuration(format!(
                        "base_url {url:?} contradicts environment {:?} ({}); pass one of them",
                        input.environment.unwrap_or_default(),
                        env.base_url()
                    )));
                }
                url
            }
            (Some(url), None) => normalize_base_url(&url, input.allow_http)?,
            (None, Some(env)) => env.base_url().to_owned(),
            (None, None) => match env(ENV_BASE_URL).filter(|u| !u.is_empty()) {
                Some(url) => normalize_base_url(&url, input.allow_http)
                    .map_err(|e| Error::Configuration(format!("{ENV_BASE_URL}: {e}")))?,
                None => PRODUCTION_URL.to_owned(),
            },
        };
        let url = url::Url::parse(&base_url).map_err(|e| Error::Configuration(format!("invalid base_url {base_url:?}: {e}")))?;
        Ok(Endpoint { api_key, base_url, url })
    }
}

/// Checks a base URL and strips its trailing slash. Plain http is only for loopback unless `allow_http`:
/// over http the key would cross the network in clear text.
pub fn normalize_base_url(raw: &str, allow_http: bool) -> Result<String> {
    let bad = |why: &str| Error::Configuration(format!("invalid base_url {raw:?}: {why}"));
    let url = url::Url::parse(raw).map_err(|e| bad(&e.to_string()))?;
    let host = url.host().ok_or_else(|| bad("no host"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("credentials in the URL are not supported"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("a query or fragment is not allowed"));
    }
    match url.scheme() {
        "https" => {}
        "http" if allow_http || is_loopback(&host) => {}
        "http" => return Err(bad("http is only allowed for loopback hosts; use https (or allow_http=True for a test proxy)")),
        other => return Err(bad(&format!("unsupported scheme {other:?}"))),
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

fn is_loopback(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        url::Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

/// A client's settings. A `with_options` copy may change the timeouts, `max_retries` and `default_headers`;
/// `rate_limit` and `rate_limit_store` are read once, to build the pacer that every copy shares.
#[derive(Debug, Clone)]
pub struct Options {
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub max_retries: u32,
    /// `None` = no pacing. Used by the resilience layer.
    pub rate_limit: Option<f64>,
    /// The Redis store whose budget every client on the key shares; `None`: this process paces alone.
    pub rate_limit_store: Option<StoreUrl>,
    pub max_response_size: u64,
    pub default_headers: HeaderMap,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            timeout: Duration::from_secs_f64(DEFAULT_TIMEOUT),
            connect_timeout: Duration::from_secs_f64(DEFAULT_CONNECT_TIMEOUT),
            max_retries: DEFAULT_MAX_RETRIES,
            rate_limit: Some(DEFAULT_RATE_LIMIT),
            rate_limit_store: None,
            max_response_size: DEFAULT_MAX_RESPONSE_SIZE,
            default_headers: HeaderMap::new(),
        }
    }
}

/// A positive, finite number of seconds.
pub fn seconds(name: &str, value: f64) -> Result<Duration> {
    if value.is_finite() && value > 0.0 && value < 1e9 {
        Ok(Duration::from_secs_f64(value))
    } else {
        Err(Error::InvalidValue(format!("{name} must be a positive number of seconds, got {value}")))
    }
}

pub fn rate_limit(value: Option<f64>) -> Result<Option<f64>> {
    match value {
        Some(v) if !(v.is_finite() && v > 0.0) => {
            Err(Error::InvalidValue(format!("rate_limit must be a positive number of requests per second or None, got {v}")))
        }
        other => Ok(other),
    }
}

/// The shared budget's store: the argument, else `$CRYPTOMATE_RATE_LIMIT_STORE` (read through `env`).
pub fn rate_limit_store(value: Option<String>, env: impl Fn(&str) -> Option<String>) -> Result<Option<StoreUrl>> {
    match value.or_else(|| env(ENV_RATE_LIMIT_STORE)).filter(|v| !v.trim().is_empty()) {
        Some(url) => StoreUrl::parse(url.trim()).map(Some),
        None => Ok(None),
    }
}

/// Checks caller-supplied headers: names must be tokens, values must not contain CR, LF or other controls
/// (they would split the request).
pub fn headers<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<HeaderMap> {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        let header_name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::InvalidValue(format!("invalid header name {name:?}")))?;
        let header_value = HeaderValue::from_str(value)
            .map_err(|_| Error::InvalidValue(format!("invalid value for header {name:?}: control characters (CR, LF) are not allowed")))?;
        map.insert(header_name, header_value);
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(input: ConfigInput, vars: &[(&str, &str)]) -> Result<Endpoint> {
        let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Endpoint::resolve(input, move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
    }

    fn key(k: &str) -> ConfigInput {
        ConfigInput { api_key: Some(k.into()), ..Default::default() }
    }

    #[test]
    fn key_comes_from_argument_then_environment() {
        assert_eq!(resolve(key("arg"), &[(ENV_API_KEY, "env")]).unwrap().api_key.expose(), "arg");
        assert_eq!(resolve(ConfigInput::default(), &[(ENV_API_KEY, "env")]).unwrap().api_key.expose(), "env");
        assert!(matches!(resolve(ConfigInput::default(), &[]), Err(Error::Configuration(_))));
        assert!(matches!(resolve(key("a\r\nb"), &[]), Err(Error::Configuration(_))));
    }

    #[test]
    fn base_url_precedence() {
        assert_eq!(resolve(key("k"), &[]).unwrap().base_url, PRODUCTION_URL);
        let sandbox = ConfigInput { environment: Some("sandbox".into()), ..key("k") };
        assert_eq!(resolve(sandbox.clone(), &[(ENV_BASE_URL, "https://env.example")]).unwrap().base_url, SANDBOX_URL);
        assert_eq!(resolve(key("k"), &[(ENV_BASE_URL, "https://env.example/")]).unwrap().base_url, "https://env.example");
        let both = ConfigInput { base_url: Some("https://other.example".into()), ..sandbox };
        assert!(matches!(resolve(both, &[]), Err(Error::Configuration(_))));
        let agreeing = ConfigInput { base_url: Some(format!("{SANDBOX_URL}/")), environment: Some("sandbox".into()), ..key("k") };
        assert_eq!(resolve(agreeing, &[]).unwrap().base_url, SANDBOX_URL);
        let unknown = ConfigInput { environment: Some("staging".into()), ..key("k") };
        assert!(matches!(resolve(unknown, &[]), Err(Error::Configuration(_))));
    }

    #[test]
    fn http_only_for_loopback_unless_allowed() {
        for ok in ["http://127.0.0.1:8080", "http://localhost", "http://[::1]:1", "https://api.example/v2/"] {
            assert!(normalize_base_url(ok, false).is_ok(), "{ok}");
        }
        assert!(normalize_base_url("http://api.example", false).is_err());
        assert!(normalize_base_url("http://api.example", true).is_ok());
        for bad in ["ftp://x", "not a url", "https://u:p@host", "https://host/?q=1"] {
            assert!(normalize_base_url(bad, true).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_key_never_shows() {
        let k = ApiKey::new("sk_live_secret".into()).unwrap();
        assert!(!format!("{k:?}").contains("secret"));
        assert_eq!(k.redact("echo sk_live_secret!"), "echo [redacted]!");
        let escaped = Body::from_bytes(br#"{"message": "sk_live\u005fsecret", "sk_live_secret": ["x sk_live_secret"]}"#);
        let expected = serde_json::json!({"message": "[redacted]", "[redacted]": ["x [redacted]"]});
        assert_eq!(k.redact_body(escaped), Body::Json(expected));
    }

    #[test]
    fn header_values_with_newlines_are_refused() {
        assert!(headers([("X-Tag", "a\r\nX-Evil: 1")]).is_err());
        assert!(headers([("Bad Name", "v")]).is_err());
        assert_eq!(headers([("X-Tag", "ok")]).unwrap().len(), 1);
    }
}
