//! `cryptomate.Client`: argument conversion, then the core's one request path with the GIL released.

use std::future::Future;
use std::time::Duration;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};

use crate::client::Client as CoreClient;
use crate::http::config::{self, ConfigInput, Endpoint, Options};
use crate::error::Error;
use crate::api::fields::COMPANY_CLIENT;
use crate::http::request::ApiRequest;
use crate::http::runtime::block_on_interruptible;

use super::convert::fields_to_json;
use super::errors::to_py;
use super::models::instance_from_record;

#[pyclass(module = "cryptomate", name = "Client", frozen)]
pub struct Client {
    core: CoreClient,
}

/// Runs a core future on the runtime with the GIL released, staying responsive to Ctrl-C: the wait wakes
/// every 50 ms to run Python's signal handlers, and a raised `KeyboardInterrupt` drops (cancels) the request.
fn wait<T: Send>(py: Python<'_>, future: impl Future<Output = Result<T, Error>> + Send) -> PyResult<T> {
    super::logging::refresh(py);
    let outcome = py.detach(|| block_on_interruptible(future, || Python::attach(|py| py.check_signals())));
    outcome?.map_err(|e| to_py(py, e))
}

fn core_error(py: Python<'_>) -> impl Fn(Error) -> PyErr + '_ {
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

#[pymethods]
impl Client {
    #[new]
    // The defaults are config::DEFAULT_*. pyo3 cannot show constant defaults to `inspect.signature`, so
    // text_signature spells them out; stubtest checks it against the stub, whose defaults are rendered from
    // the same constants (src/stubs.rs), so a changed constant cannot leave the signature behind.
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
    ) -> PyResult<Client> {
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
        Ok(Client { core: CoreClient::new(endpoint, options) })
    }

    /// `PUT /management/clients/{id}` with exactly the given fields; `None` is sent as null.
    #[pyo3(signature = (id, /, **fields))]
    fn update_client<'py>(
        &self,
        py: Python<'py>,
        id: &Bound<'py, PyAny>,
        fields: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let id = client_id(id)?;
        let body = match fields {
            Some(fields) => fields_to_json(&COMPANY_CLIENT, fields, "", "update_client()", true)?,
            None => Default::default(),
        };
        let request = ApiRequest::update_client(&id, &body).map_err(core_error(py))?;
        let record = wait(py, self.core.fetch_record(&request, &COMPANY_CLIENT))?;
        instance_from_record(py, record)
    }

    /// `GET /management/clients/{id}`.
    #[pyo3(signature = (id, /))]
    fn get_client<'py>(&self, py: Python<'py>, id: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let request = ApiRequest::get_client(&client_id(id)?).map_err(core_error(py))?;
        let record = wait(py, self.core.fetch_record(&request, &COMPANY_CLIENT))?;
        instance_from_record(py, record)
    }

    /// A copy with other settings that shares this client's connection pool (and, later, its rate limiter).
    #[pyo3(signature = (*, timeout = None, connect_timeout = None, max_retries = None, default_headers = None))]
    fn with_options(
        &self,
        py: Python<'_>,
        timeout: Option<f64>,
        connect_timeout: Option<f64>,
        max_retries: Option<i64>,
        default_headers: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Client> {
        let mut options = self.core.options().clone();
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
        Ok(Client { core: self.core.with_options(options) })
    }

    /// Closes the connection pool (shared with `with_options` copies); later calls raise `APIConnectionError`.
    fn close(&self) {
        self.core.close();
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_exc_info))]
    fn __exit__(&self, _exc_info: &Bound<'_, PyTuple>) {
        self.core.close();
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
        let options = self.core.options();
        format!(
            "cryptomate.Client(base_url='{}', api_key=[redacted], timeout={:?}, max_retries={})",
            self.core.endpoint().base_url,
            options.timeout.as_secs_f64(),
            options.max_retries
        )
    }

    /// A pickled client would carry the API key; make a new client in the other process instead.
    fn __reduce__(&self) -> PyResult<()> {
        Err(PyTypeError::new_err(
            "cannot pickle a cryptomate.Client (it holds the API key); create a client in each process instead",
        ))
    }
}
