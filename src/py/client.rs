//! What `Client` and `AsyncClient` share: the constructor, `with_options`, the properties, and turning
//! Python arguments into the core's requests. The classes differ only in how they wait (`sync_client.rs`,
//! `async_client.rs`); both go through the core's one request path.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt, PyList, PyMapping, PyString, PyTuple};
use serde_json::{Map, Value};

use crate::api::endpoints::{Endpoint, GET_CLIENT_BY_WHATSAPP_PHONE, LIST_CLIENTS, REPLACE_INDIVIDUAL, UPDATE_CLIENT};
use crate::client::Client as CoreClient;
use crate::error::Error;
use crate::http::config::{self, ConfigInput, Options};
use crate::http::request::ApiRequest;
use crate::http::response::Answered;

use super::convert::{fields_to_json, Accepts};
use super::errors::to_py;
use super::models::instance_from_record;

pub fn core_error(py: Python<'_>) -> impl Fn(Error) -> PyErr + '_ {
    move |e| to_py(py, e)
}

pub fn client_id(id: &Bound<'_, PyAny>) -> PyResult<String> {
    path_param(id, "id")
}

/// A path parameter (`id`, `country_code`): a str, sent as one encoded segment.
fn path_param(value: &Bound<'_, PyAny>, name: &str) -> PyResult<String> {
    match value.cast::<PyString>() {
        Ok(s) => Ok(s.to_cow()?.into_owned()),
        Err(_) => Err(PyTypeError::new_err(format!("{name} must be a str, got {}", type_name(value)))),
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
    rate_limit_store: Option<String>,
    default_headers: Option<&Bound<'_, PyAny>>,
    max_response_size: i64,
    allow_http: bool,
) -> PyResult<CoreClient> {
    let input = ConfigInput { api_key, base_url, environment, allow_http };
    let endpoint = config::Endpoint::resolve(input, |name| std::env::var(name).ok()).map_err(core_error(py))?;
    let options = Options {
        timeout: seconds(py, "timeout", timeout)?,
        connect_timeout: seconds(py, "connect_timeout", connect_timeout)?,
        max_retries: self::max_retries(max_retries)?,
        rate_limit: config::rate_limit(rate_limit).map_err(core_error(py))?,
        rate_limit_store: config::rate_limit_store(rate_limit_store, |name| std::env::var(name).ok()).map_err(core_error(py))?,
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

/// A request on its way: the core future every API method builds, run by `Client` (blocking) or
/// `AsyncClient` (a coroutine).
pub type CoreCall = Pin<Box<dyn Future<Output = Result<Answered, Error>> + Send>>;

pub fn send(core: &CoreClient, request: ApiRequest) -> CoreCall {
    let core = core.clone();
    Box::pin(async move { core.call(&request).await })
}

/// What a call returns to Python: a model, a list of models, or None.
pub fn answered_to_py(py: Python<'_>, answered: Answered) -> PyResult<Bound<'_, PyAny>> {
    match answered {
        Answered::One(record) => instance_from_record(py, record),
        Answered::Many(records) => {
            let items = records.into_iter().map(|r| instance_from_record(py, r)).collect::<PyResult<Vec<_>>>()?;
            Ok(PyList::new(py, items)?.into_any())
        }
        Answered::Nothing => Ok(py.None().into_bound(py)),
    }
}

/// A request of `endpoint` whose body is `fields`, checked against what the body accepts and requires.
pub fn body_request(
    py: Python<'_>,
    endpoint: &'static Endpoint,
    params: &[&str],
    fields: Option<&Bound<'_, PyDict>>,
) -> PyResult<ApiRequest> {
    let body = body_fields(endpoint, endpoint.call, fields)?;
    ApiRequest::new(endpoint, params, &[], Some(&body)).map_err(core_error(py))
}

/// `fields` as a JSON body of `endpoint` (required fields not yet checked); `call` names the method in errors.
pub fn body_fields(endpoint: &'static Endpoint, call: &str, fields: Option<&Bound<'_, PyDict>>) -> PyResult<Map<String, Value>> {
    let body = endpoint.body.expect("an endpoint with a body");
    match fields {
        Some(fields) => fields_to_json(Accepts::Body(body), fields, "", &format!("{call}()")),
        None => Ok(Map::new()),
    }
}

/// A request of `endpoint` without a body; `id` fills its one path parameter, if it has one.
pub fn plain_request(py: Python<'_>, endpoint: &'static Endpoint, id: Option<&Bound<'_, PyAny>>) -> PyResult<ApiRequest> {
    let name = endpoint.path.split('/').find_map(|s| s.strip_prefix('{')?.strip_suffix('}')).unwrap_or("id");
    let id = id.map(|value| path_param(value, name)).transpose()?;
    let params: Vec<&str> = id.iter().map(String::as_str).collect();
    ApiRequest::new(endpoint, &params, &[], None).map_err(core_error(py))
}

/// `PUT /management/clients/{id}` from `update_client`'s arguments, checked before anything is sent.
pub fn update_request(py: Python<'_>, id: &Bound<'_, PyAny>, fields: Option<&Bound<'_, PyDict>>) -> PyResult<ApiRequest> {
    let id = client_id(id)?;
    ApiRequest::update_client(&id, &body_fields(&UPDATE_CLIENT, UPDATE_CLIENT.call, fields)?).map_err(core_error(py))
}

/// One item of `update_clients`: an `(id, fields)` pair, `fields` a mapping of `update_client`'s arguments.
pub fn bulk_update_request(item: &Bound<'_, PyAny>) -> PyResult<ApiRequest> {
    let malformed = || {
        PyTypeError::new_err(format!(
            "update_clients(): each item must be an (id, fields) pair with fields a mapping, got {}",
            type_name(item)
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

/// `GET /management/clients` with the boolean filters given (the others are left out).
pub fn list_request(py: Python<'_>, filters: [(&'static str, Option<bool>); 4]) -> PyResult<ApiRequest> {
    let query: Vec<(&str, String)> =
        filters.iter().filter_map(|(name, value)| value.map(|v| (*name, v.to_string()))).collect();
    ApiRequest::new(&LIST_CLIENTS, &[], &query, None).map_err(core_error(py))
}

/// `GET /management/clients/by-phone-whatsapp`: the full number (country code first) as digits, or an int.
pub fn by_phone_request(py: Python<'_>, number: &Bound<'_, PyAny>) -> PyResult<ApiRequest> {
    let digits = if number.is_instance_of::<PyBool>() {
        None
    } else if let Ok(n) = number.cast::<PyInt>() {
        Some(n.to_string())
    } else {
        Some(number.cast::<PyString>().map_err(|_| {
            PyTypeError::new_err(format!("full_phone_number must be a str of digits or an int, got {}", type_name(number)))
        })?.to_cow()?.into_owned())
    };
    let digits = digits.ok_or_else(|| PyTypeError::new_err("full_phone_number must be a str of digits or an int, got bool"))?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PyValueError::new_err(format!(
            "full_phone_number must be the digits of the number with its country code (e.g. '14155551234'), got {digits:?}"
        )));
    }
    ApiRequest::new(&GET_CLIENT_BY_WHATSAPP_PHONE, &[], &[("full_phone_number", digits)], None).map_err(core_error(py))
}

/// `individuals.update`: the changes, checked like a replace's fields; an object given as a dict is merged
/// into the stored one, a model replaces it.
pub fn individual_update(core: &CoreClient, id: &Bound<'_, PyAny>, changes: Option<&Bound<'_, PyDict>>) -> PyResult<CoreCall> {
    let id = client_id(id)?;
    let changed = body_fields(&REPLACE_INDIVIDUAL, "individuals.update", changes)?;
    let mut merge = Vec::new();
    if let Some(changes) = changes {
        for (name, value) in changes.iter() {
            if value.is_instance_of::<PyDict>() {
                merge.push(name.extract::<String>()?);
            }
        }
    }
    let core = core.clone();
    Ok(Box::pin(async move { crate::individuals::update(&core, &id, changed, &merge).await }))
}

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value.get_type().name().map(|n| n.to_string()).unwrap_or_default()
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
                let core = client::new_core(
                    py, api_key, base_url, environment, timeout, connect_timeout, max_retries, rate_limit,
                    rate_limit_store, default_headers, max_response_size, allow_http,
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

            /// `PUT /management/clients/{id}` with exactly the given fields; `None` is sent as null.
            #[pyo3(signature = (id, /, **fields))]
            fn update_client<'py>(&self, py: Python<'py>, id: &Bound<'py, PyAny>, fields: Option<&Bound<'py, PyDict>>) -> PyResult<Bound<'py, PyAny>> {
                $run(py, client::send(&self.core, client::update_request(py, id, fields)?))
            }

            /// `GET /management/clients/{id}`.
            #[pyo3(signature = (id, /))]
            fn get_client<'py>(&self, py: Python<'py>, id: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
                $run(py, client::send(&self.core, client::plain_request(py, &endpoints::GET_CLIENT, Some(id))?))
            }

            /// `GET /management/clients`, only the filters given.
            #[pyo3(signature = (*, otp = None, sms = None, whatsapp = None, telegram = None))]
            fn list_clients<'py>(&self, py: Python<'py>, otp: Option<bool>, sms: Option<bool>, whatsapp: Option<bool>, telegram: Option<bool>) -> PyResult<Bound<'py, PyAny>> {
                let filters = [("otp", otp), ("sms", sms), ("whatsapp", whatsapp), ("telegram", telegram)];
                $run(py, client::send(&self.core, client::list_request(py, filters)?))
            }

            /// `POST /management/clients`: a new individual client.
            #[pyo3(signature = (**fields))]
            fn create_client<'py>(&self, py: Python<'py>, fields: Option<&Bound<'py, PyDict>>) -> PyResult<Bound<'py, PyAny>> {
                $run(py, client::send(&self.core, client::body_request(py, &endpoints::CREATE_CLIENT, &[], fields)?))
            }

            /// `POST /management/clients/business`: a new business client (KYB).
            #[pyo3(signature = (**fields))]
            fn create_business_client<'py>(&self, py: Python<'py>, fields: Option<&Bound<'py, PyDict>>) -> PyResult<Bound<'py, PyAny>> {
                $run(py, client::send(&self.core, client::body_request(py, &endpoints::CREATE_BUSINESS_CLIENT, &[], fields)?))
            }

            /// `DELETE /management/clients/{id}`: deletes the client for good.
            #[pyo3(signature = (id, /))]
            fn delete_client<'py>(&self, py: Python<'py>, id: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
                $run(py, client::send(&self.core, client::plain_request(py, &endpoints::DELETE_CLIENT, Some(id))?))
            }

            /// `PATCH /management/clients/{id}/enable-otp`.
            #[pyo3(signature = (id, /))]
            fn enable_otp<'py>(&self, py: Python<'py>, id: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
                $run(py, client::send(&self.core, client::plain_request(py, &endpoints::ENABLE_OTP, Some(id))?))
            }

            /// `GET /management/clients/by-phone-whatsapp?full_phone_number=...` (WhatsApp-enabled clients only).
            #[pyo3(signature = (full_phone_number, /))]
            fn get_client_by_whatsapp_phone<'py>(&self, py: Python<'py>, full_phone_number: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
                $run(py, client::send(&self.core, client::by_phone_request(py, full_phone_number)?))
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
                $run(py, client::send(&self.core, client::body_request(py, &endpoints::CREATE_INDIVIDUAL, &[], fields)?))
            }

            /// `GET /management/clients/individuals`.
            fn list<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                $run(py, client::send(&self.core, client::plain_request(py, &endpoints::LIST_INDIVIDUALS, None)?))
            }

            /// `GET /management/clients/individuals/{id}`.
            #[pyo3(signature = (id, /))]
            fn get<'py>(&self, py: Python<'py>, id: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
                $run(py, client::send(&self.core, client::plain_request(py, &endpoints::GET_INDIVIDUAL, Some(id))?))
            }

            /// `PUT /management/clients/individuals/{id}` with exactly these fields: the API replaces the record.
            #[pyo3(signature = (id, /, **fields))]
            fn replace<'py>(&self, py: Python<'py>, id: &Bound<'py, PyAny>, fields: Option<&Bound<'py, PyDict>>) -> PyResult<Bound<'py, PyAny>> {
                let id = client::client_id(id)?;
                $run(py, client::send(&self.core, client::body_request(py, &endpoints::REPLACE_INDIVIDUAL, &[&id], fields)?))
            }

            /// Reads the record, applies `changes`, sends the whole merged record back (two requests).
            #[pyo3(signature = (id, /, **changes))]
            fn update<'py>(&self, py: Python<'py>, id: &Bound<'py, PyAny>, changes: Option<&Bound<'py, PyDict>>) -> PyResult<Bound<'py, PyAny>> {
                $run(py, client::individual_update(&self.core, id, changes)?)
            }

            /// `DELETE /management/clients/individuals/{id}`.
            #[pyo3(signature = (id, /))]
            fn delete<'py>(&self, py: Python<'py>, id: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
                $run(py, client::send(&self.core, client::plain_request(py, &endpoints::DELETE_INDIVIDUAL, Some(id))?))
            }

            /// `GET /management/clients/individuals/countries`.
            fn countries<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                $run(py, client::send(&self.core, client::plain_request(py, &endpoints::COUNTRIES, None)?))
            }

            /// `GET /management/clients/individuals/identifications/{country_code}`.
            #[pyo3(signature = (country_code, /))]
            fn identification_types<'py>(&self, py: Python<'py>, country_code: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
                $run(py, client::send(&self.core, client::plain_request(py, &endpoints::IDENTIFICATION_TYPES, Some(country_code))?))
            }

            fn __repr__(&self) -> String {
                format!("<cryptomate.{} of {}>", $name, self.core.endpoint().base_url)
            }
        }
    };
}

pub(crate) use {client_class, individuals_class};
