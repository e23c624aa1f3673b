//! What `Client` and `AsyncClient` share: the constructor, `with_options`, the properties, and the
//! `#[pymethods]` of every API call (built by `calls.rs`). The classes differ only in how they wait
//! (`sync_client.rs`, `async_client.rs`); both go through the core's one request path.

use std::time::Duration;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

use crate::client::Client as CoreClient;
use crate::error::Error;
use crate::http::config;

use super::errors::to_py;

pub fn core_error(py: Python<'_>) -> impl Fn(Error) -> PyErr + '_ {
    move |e| to_py(py, e)
}

pub fn header_map(headers: &Bound<'_, PyAny>) -> PyResult<reqwest::header::HeaderMap> {
    let pairs: Vec<(String, String)> = headers
        .call_method0("items")
        .and_then(|items| items.try_iter()?.map(|item| item?.extract()).collect())
        .map_err(|_| PyTypeError::new_err("default_headers must be a mapping of str to str"))?;
    config::headers(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).map_err(|e| PyValueError::new_err(e.to_string()))
}

pub fn max_retries(value: i64) -> PyResult<u32> {
    u32::try_from(value).map_err(|_| PyValueError::new_err(format!("max_retries must be a non-negative integer, got {value}")))
}

pub fn seconds(py: Python<'_>, name: &str, value: f64) -> PyResult<Duration> {
    config::seconds(name, value).map_err(core_error(py))
}

pub fn max_response_size(value: i64) -> PyResult<u64> {
    u64::try_from(value)
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| PyValueError::new_err("max_response_size must be a positive number of bytes"))
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
    let store = options.rate_limit_store.as_ref().map(|s| format!(", rate_limit_store='{s}'")).unwrap_or_default();
    format!(
        "cryptomate.{class}(base_url='{}', api_key=[redacted], timeout={:?}, max_retries={}{store})",
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

/// The `#[pymethods]` block of a client class: what every client has, every API call (each builds a
/// `CoreCall` and hands it to `$run`, which waits or makes a coroutine), plus the class's own `$methods`.
/// `$individuals` is the class of its `individuals` resource, `$bulk_driver` the function of
/// `cryptomate._bulk` that drives its `update_clients`.
macro_rules! client_class {
    ($class:ident, $name:literal, $run:path, $individuals:ident, $bulk_driver:literal, { $($methods:tt)* }) => {
        #[pymethods]
        impl $class {
            #[new]
            // The defaults are config::DEFAULT_*. pyo3 cannot show constant defaults to `inspect.signature`, so
            // text_signature spells them out; stubtest checks it against the stub, whose defaults are rendered
            // from the same constants (src/stubs.rs), so a changed constant cannot leave the signature behind.
            #[pyo3(signature = (
                api_key = None, *, base_url = None, environment = None, timeout = config::DEFAULT_TIMEOUT,
                connect_timeout = config::DEFAULT_CONNECT_TIMEOUT, max_retries = config::DEFAULT_MAX_RETRIES as i64,
                rate_limit = Some(config::DEFAULT_RATE_LIMIT), rate_limit_store = None, default_headers = None,
                max_response_size = config::DEFAULT_MAX_RESPONSE_SIZE as i64, allow_http = false,
            ))]
            #[pyo3(text_signature = "(api_key=None, *, base_url=None, environment=None, timeout=30.0, connect_timeout=5.0, \
                max_retries=2, rate_limit=15.0, rate_limit_store=None, default_headers=None, max_response_size=10485760, \
                allow_http=False)")]
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
                rate_limit_store: Option<String>,
                default_headers: Option<&Bound<'_, PyAny>>,
                max_response_size: i64,
                allow_http: bool,
            ) -> PyResult<Self> {
                let input = config::ConfigInput { api_key, base_url, environment, allow_http };
                let env = |name: &str| std::env::var(name).ok();
                let endpoint = config::Endpoint::resolve(input, env).map_err(client::core_error(py))?;
                let options = config::Options {
                    timeout: client::seconds(py, "timeout", timeout)?,
                    connect_timeout: client::seconds(py, "connect_timeout", connect_timeout)?,
                    max_retries: client::max_retries(max_retries)?,
                    rate_limit: config::rate_limit(rate_limit).map_err(client::core_error(py))?,
                    rate_limit_store: config::rate_limit_store(rate_limit_store, env).map_err(client::core_error(py))?,
                    max_response_size: client::max_response_size(max_response_size)?,
                    default_headers: default_headers.map(client::header_map).transpose()?.unwrap_or_default(),
                };
                Ok($class { core: CoreClient::new(endpoint, options) })
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

            /// `PUT /management/clients/{id}` with exactly the given fields; `None` is sent as null.
            #[pyo3(signature = (id, /, **fields))]
            fn update_client<'py>(&self, py: Python<'py>, id: &Bound<'py, PyAny>, fields: Option<&Bound<'py, PyDict>>) -> PyResult<Bound<'py, PyAny>> {
                $run(py, calls::send(&self.core, calls::update_request(py, id, fields)?))
            }

            /// `GET /management/clients/{id}`.
            #[pyo3(signature = (id, /))]
            fn get_client<'py>(&self, py: Python<'py>, id: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
                $run(py, calls::send(&self.core, calls::plain_request(py, &endpoints::GET_CLIENT, Some(id))?))
            }

            /// `GET /management/clients`, only the filters given.
            #[pyo3(signature = (*, otp = None, sms = None, whatsapp = None, telegram = None))]
            fn list_clients<'py>(
                &self,
                py: Python<'py>,
                otp: Option<&Bound<'py, PyAny>>,
                sms: Option<&Bound<'py, PyAny>>,
                whatsapp: Option<&Bound<'py, PyAny>>,
                telegram: Option<&Bound<'py, PyAny>>,
            ) -> PyResult<Bound<'py, PyAny>> {
                $run(py, calls::send(&self.core, calls::list_request(py, &[("otp", otp), ("sms", sms), ("whatsapp", whatsapp), ("telegram", telegram)])?))
            }

            /// `POST /management/clients`: a new individual client.
            #[pyo3(signature = (**fields))]
            fn create_client<'py>(&self, py: Python<'py>, fields: Option<&Bound<'py, PyDict>>) -> PyResult<Bound<'py, PyAny>> {
                $run(py, calls::send(&self.core, calls::body_request(py, &endpoints::CREATE_CLIENT, &[], fields)?))
            }

            /// `POST /management/clients/business`: a new business client (KYB).
            #[pyo3(signature = (**fields))]
            fn create_business_client<'py>(&self, py: Python<'py>, fields: Option<&Bound<'py, PyDict>>) -> PyResult<Bound<'py, PyAny>> {
                $run(py, calls::send(&self.core, calls::body_request(py, &endpoints::CREATE_BUSINESS_CLIENT, &[], fields)?))
            }

            /// `DELETE /management/clients/{id}`: deletes the client for good.
            #[pyo3(signature = (id, /))]
            fn delete_client<'py>(&self, py: Python<'py>, id: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
                $run(py, calls::send(&self.core, calls::plain_request(py, &endpoints::DELETE_CLIENT, Some(id))?))
            }

            /// `PATCH /management/clients/{id}/enable-otp`.
            #[pyo3(signature = (id, /))]
            fn enable_otp<'py>(&self, py: Python<'py>, id: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
                $run(py, calls::send(&self.core, calls::plain_request(py, &endpoints::ENABLE_OTP, Some(id))?))
            }

            /// `GET /management/clients/by-phone-whatsapp?full_phone_number=...` (WhatsApp-enabled clients only).
            #[pyo3(signature = (full_phone_number, /))]
            fn get_client_by_whatsapp_phone<'py>(&self, py: Python<'py>, full_phone_number: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
                $run(py, calls::send(&self.core, calls::by_phone_request(py, full_phone_number)?))
            }

            /// Many `update_client` calls, at most `concurrency` in flight under this client's pacing and retries.
            /// Returns, in input order, the `CompanyClient` or the exception of each item.
            #[pyo3(signature = (updates, *, concurrency = 8, progress = None))]
            fn update_clients<'py>(
                &self,
                py: Python<'py>,
                updates: &Bound<'py, PyAny>,
                concurrency: i64,
                progress: Option<&Bound<'py, PyAny>>,
            ) -> PyResult<Bound<'py, PyAny>> {
                super::bulk::update_clients(py, &self.core, $bulk_driver, updates, concurrency, progress)
            }

            /// The Gen 2 individual clients (`/management/clients/individuals`).
            #[getter]
            fn individuals(&self) -> $individuals {
                $individuals { core: self.core.clone() }
            }

            $($methods)*
        }
    };
}

/// The `#[pymethods]` block of an `individuals` resource; `$run` as for `client_class!`.
macro_rules! individuals_class {
    ($class:ident, $name:literal, $run:path) => {
        #[pymethods]
        impl $class {
            /// `POST /management/clients/individuals` (the required fields must be given).
            #[pyo3(signature = (**fields))]
            fn create<'py>(&self, py: Python<'py>, fields: Option<&Bound<'py, PyDict>>) -> PyResult<Bound<'py, PyAny>> {
                $run(py, calls::send(&self.core, calls::body_request(py, &endpoints::CREATE_INDIVIDUAL, &[], fields)?))
            }

            /// `GET /management/clients/individuals`.
            fn list<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                $run(py, calls::send(&self.core, calls::plain_request(py, &endpoints::LIST_INDIVIDUALS, None)?))
            }

            /// `GET /management/clients/individuals/{id}`.
            #[pyo3(signature = (id, /))]
            fn get<'py>(&self, py: Python<'py>, id: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
                $run(py, calls::send(&self.core, calls::plain_request(py, &endpoints::GET_INDIVIDUAL, Some(id))?))
            }

            /// `PUT /management/clients/individuals/{id}` with exactly these fields: the API replaces the record.
            #[pyo3(signature = (id, /, **fields))]
            fn replace<'py>(&self, py: Python<'py>, id: &Bound<'py, PyAny>, fields: Option<&Bound<'py, PyDict>>) -> PyResult<Bound<'py, PyAny>> {
                let id = calls::client_id(id)?;
                $run(py, calls::send(&self.core, calls::body_request(py, &endpoints::REPLACE_INDIVIDUAL, &[&id], fields)?))
            }

            /// Reads the record, applies `changes`, sends the whole merged record back (two requests).
            #[pyo3(signature = (id, /, **changes))]
            fn update<'py>(&self, py: Python<'py>, id: &Bound<'py, PyAny>, changes: Option<&Bound<'py, PyDict>>) -> PyResult<Bound<'py, PyAny>> {
                $run(py, calls::individual_update(&self.core, id, changes)?)
            }

            /// `DELETE /management/clients/individuals/{id}`.
            #[pyo3(signature = (id, /))]
            fn delete<'py>(&self, py: Python<'py>, id: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
                $run(py, calls::send(&self.core, calls::plain_request(py, &endpoints::DELETE_INDIVIDUAL, Some(id))?))
            }

            /// `GET /management/clients/individuals/countries`.
            fn countries<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                $run(py, calls::send(&self.core, calls::plain_request(py, &endpoints::COUNTRIES, None)?))
            }

            /// `GET /management/clients/individuals/identifications/{country_code}`.
            #[pyo3(signature = (country_code, /))]
            fn identification_types<'py>(&self, py: Python<'py>, country_code: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
                $run(py, calls::send(&self.core, calls::plain_request(py, &endpoints::IDENTIFICATION_TYPES, Some(country_code))?))
            }

            fn __repr__(&self) -> String {
                format!("<cryptomate.{} of {}>", $name, self.core.endpoint().base_url)
            }
        }
    };
}

pub(crate) use {client_class, individuals_class};
