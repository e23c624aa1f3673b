//! What `Client` and `AsyncClient` share: the constructor, `with_options`, the properties, and turning
//! Python arguments into the core's requests. The classes differ only in how they wait (`sync_client.rs`,
//! `async_client.rs`); both go through the core's one request path.

use std::time::Duration;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyMapping, PyString, PyTuple};

use crate::api::fields::COMPANY_CLIENT;
use crate::client::Client as CoreClient;
use crate::error::Error;
use crate::http::config::{self, ConfigInput, Endpoint, Options};
use crate::http::request::ApiRequest;

use super::convert::fields_to_json;
use super::errors::to_py;

pub fn core_error(py: Python<'_>) -> impl Fn(Error) -> PyErr + '_ {
    move |e| to_py(py, e)
}

fn client_id(id: &Bound<'_, PyAny>) -> PyResult<String> {
    match id.cast::<PyString>() {
        Ok(s) => Ok(s.to_cow()?.into_owned()),
        Err(_) => Err(PyTypeError::new_err(format!(
            "id must be a str, got {}",
            id.get_type().name().map(|n| n.to_string()).unwrap_or_default()
        ))),
    }
}

fn header_map(headers: &Bound<'_, PyAny>) -> PyResult<reqwest::header::HeaderMap> {
    let pairs: Vec<(String, String)> = headers
        .call_method0("items")
        .and_then(|items| items.try_iter()?.map(|item| item?.extract()).collect())
        .map_err(|_| PyTypeError::new_err("default_headers must be a mapping of str to str"))?;
    config::headers(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).map_err(|e| PyValueError::new_err(e.to_string()))
}

fn max_retries(value: i64) -> PyResult<u32> {
    u32::try_from(value).map_err(|_| PyValueError::new_err(format!("max_retries must be a non-negative integer, got {value}")))
}

fn seconds(py: Python<'_>, name: &str, value: f64) -> PyResult<Duration> {
    config::seconds(name, value).map_err(core_error(py))
}

/// The constructor's arguments, checked, as a core client.
#[allow(clippy::too_many_arguments)]
pub fn new_core(
    py: Python<'_>,
    api_key: Option<String>,
    base_url: Option<String>,
    environment: Option<String>,
    timeout: f64,
    connect_timeout: f64,
    max_retries: i64,
    rate_limit: Option<f64>,
    default_headers: Option<&Bound<'_, PyAny>>,
    max_response_size: i64,
    allow_http: bool,
) -> PyResult<CoreClient> {
    let input = ConfigInput { api_key, base_url, environment, allow_http };
    let endpoint = Endpoint::resolve(input, |name| std::env::var(name).ok()).map_err(core_error(py))?;
    let options = Options {
        timeout: seconds(py, "timeout", timeout)?,
        connect_timeout: seconds(py, "connect_timeout", connect_timeout)?,
        max_retries: self::max_retries(max_retries)?,
        rate_limit: config::rate_limit(rate_limit).map_err(core_error(py))?,
        max_response_size: u64::try_from(max_response_size)
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| PyValueError::new_err("max_response_size must be a positive number of bytes"))?,
        default_headers: default_headers.map(header_map).transpose()?.unwrap_or_default(),
    };
    Ok(CoreClient::new(endpoint, options))
}

/// `with_options`: a copy of `core` with the given settings changed.
pub fn core_with_options(
    py: Python<'_>,
    core: &CoreClient,
    timeout: Option<f64>,
    connect_timeout: Option<f64>,
    max_retries: Option<i64>,
    default_headers: Option<&Bound<'_, PyAny>>,
) -> PyResult<CoreClient> {
    let mut options = core.options().clone();
    if let Some(t) = timeout {
        options.timeout = seconds(py, "timeout", t)?;
    }
    if let Some(t) = connect_timeout {
        options.connect_timeout = seconds(py, "connect_timeout", t)?;
    }
    if let Some(n) = max_retries {
        options.max_retries = self::max_retries(n)?;
    }
    if let Some(headers) = default_headers {
        options.default_headers.extend(header_map(headers)?);
    }
    Ok(core.with_options(options))
}

pub fn repr(class: &str, core: &CoreClient) -> String {
    let options = core.options();
    format!(
        "cryptomate.{class}(base_url='{}', api_key=[redacted], timeout={:?}, max_retries={})",
        core.endpoint().base_url,
        options.timeout.as_secs_f64(),
        options.max_retries
    )
}

pub fn refuse_pickle(class: &str) -> PyErr {
    PyTypeError::new_err(format!(
        "cannot pickle a cryptomate.{class} (it holds the API key); create a client in each process instead"
    ))
}

/// `PUT /management/clients/{id}` from `update_client`'s arguments, checked before anything is sent.
pub fn update_request(py: Python<'_>, id: &Bound<'_, PyAny>, fields: Option<&Bound<'_, PyDict>>) -> PyResult<ApiRequest> {
    let id = client_id(id)?;
    let body = match fields {
        Some(fields) => fields_to_json(&COMPANY_CLIENT, fields, "", "update_client()", true)?,
        None => Default::default(),
    };
    ApiRequest::update_client(&id, &body).map_err(core_error(py))
}

/// One item of `update_clients`: an `(id, fields)` pair, `fields` a mapping of `update_client`'s arguments.
pub fn bulk_update_request(item: &Bound<'_, PyAny>) -> PyResult<ApiRequest> {
    let malformed = || {
        PyTypeError::new_err(format!(
            "update_clients(): each item must be an (id, fields) pair with fields a mapping, got {}",
            item.get_type().name().map(|n| n.to_string()).unwrap_or_default()
        ))
    };
    let pair = item.cast::<PyTuple>().map_err(|_| malformed())?;
    if pair.len() != 2 {
        return Err(malformed());
    }
    let fields = pair.get_item(1)?;
    let fields = match fields.cast::<PyDict>() {
        Ok(dict) => dict.clone(),
        Err(_) => match fields.cast::<PyMapping>() {
            Ok(mapping) => PyDict::from_sequence(&mapping.items()?.into_any())?,
            Err(_) => return Err(malformed()),
        },
    };
    update_request(item.py(), &pair.get_item(0)?, Some(&fields))
}

/// `GET /management/clients/{id}`.
pub fn get_request(py: Python<'_>, id: &Bound<'_, PyAny>) -> PyResult<ApiRequest> {
    ApiRequest::get_client(&client_id(id)?).map_err(core_error(py))
}

/// The `#[pymethods]` block of a client class: what every client has, plus the class's own `$methods`.
macro_rules! client_class {
    ($class:ident, $name:literal, { $($methods:tt)* }) => {
        #[pymethods]
        impl $class {
            #[new]
            // The defaults are config::DEFAULT_*. pyo3 cannot show constant defaults to `inspect.signature`, so
            // text_signature spells them out; stubtest checks it against the stub, whose defaults are rendered
            // from the same constants (src/stubs.rs), so a changed constant cannot leave the signature behind.
            #[pyo3(signature = (
                api_key = None, *, base_url = None, environment = None, timeout = config::DEFAULT_TIMEOUT,
                connect_timeout = config::DEFAULT_CONNECT_TIMEOUT, max_retries = config::DEFAULT_MAX_RETRIES as i64,
                rate_limit = Some(config::DEFAULT_RATE_LIMIT), default_headers = None,
                max_response_size = config::DEFAULT_MAX_RESPONSE_SIZE as i64, allow_http = false,
            ))]
            #[pyo3(text_signature = "(api_key=None, *, base_url=None, environment=None, timeout=30.0, connect_timeout=5.0, \
                max_retries=2, rate_limit=15.0, default_headers=None, max_response_size=10485760, allow_http=False)")]
            #[allow(clippy::too_many_arguments)]
            fn new(
                py: Python<'_>,
                api_key: Option<String>,
                base_url: Option<String>,
                environment: Option<String>,
                timeout: f64,
                connect_timeout: f64,
                max_retries: i64,
                rate_limit: Option<f64>,
                default_headers: Option<&Bound<'_, PyAny>>,
                max_response_size: i64,
                allow_http: bool,
            ) -> PyResult<Self> {
                let core = client::new_core(
                    py, api_key, base_url, environment, timeout, connect_timeout, max_retries, rate_limit,
                    default_headers, max_response_size, allow_http,
                )?;
                Ok($class { core })
            }

            /// A copy with other settings that shares this client's connection pool and pacer.
            #[pyo3(signature = (*, timeout = None, connect_timeout = None, max_retries = None, default_headers = None))]
            fn with_options(
                &self,
                py: Python<'_>,
                timeout: Option<f64>,
                connect_timeout: Option<f64>,
                max_retries: Option<i64>,
                default_headers: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<Self> {
                let core = client::core_with_options(py, &self.core, timeout, connect_timeout, max_retries, default_headers)?;
                Ok($class { core })
            }

            #[getter]
            fn base_url(&self) -> &str {
                &self.core.endpoint().base_url
            }

            #[getter]
            fn timeout(&self) -> f64 {
                self.core.options().timeout.as_secs_f64()
            }

            #[getter]
            fn max_retries(&self) -> u32 {
                self.core.options().max_retries
            }

            #[getter]
            fn is_closed(&self) -> bool {
                self.core.is_closed()
            }

            fn __repr__(&self) -> String {
                client::repr($name, &self.core)
            }

            /// A pickled client would carry the API key; make a new client in the other process instead.
            fn __reduce__(&self) -> PyResult<()> {
                Err(client::refuse_pickle($name))
            }

            $($methods)*
        }
    };
}

pub(crate) use client_class;
