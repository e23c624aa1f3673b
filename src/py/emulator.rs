//! `cryptomate.testing.Emulator` and `RecordedRequest`: thin wrappers over `crate::emulator`.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};
use serde_json::Value;

use crate::emulator::{self, EmulatorConfig, Fault, RecordedRequest as CoreRequest};
use crate::api::fields::{COMPANY_CLIENT, INDIVIDUAL_CLIENT};
use crate::api::schema::Schema;

use super::convert::{fields_to_json, Accepts};
use super::models::instance;

const _: () = assert!(emulator::DEFAULT_JOURNAL_LIMIT == 10_000, "update Emulator.__new__'s default");

#[pyclass(module = "cryptomate.testing", name = "Emulator", frozen)]
pub struct Emulator {
    inner: emulator::Emulator,
}

/// A stored client as its model (`CompanyClient`, `IndividualClient`).
fn model<'py>(py: Python<'py>, schema: &'static Schema, client: serde_json::Map<String, Value>) -> PyResult<Bound<'py, PyAny>> {
    instance(py, schema, Value::Object(client))
}

/// A seed the emulator refused (a duplicate id or phone), as Python's `ValueError`.
fn refused(refusal: emulator::Refusal) -> PyErr {
    PyValueError::new_err(refusal.message)
}

/// The fields given to `call` (`add_client()`), checked like the model's of `schema`.
fn seed_fields(schema: &'static Schema, fields: Option<&Bound<'_, PyDict>>, call: &str) -> PyResult<serde_json::Map<String, Value>> {
    fields.map_or_else(|| Ok(Default::default()), |fields| fields_to_json(Accepts::Model(schema), fields, "", call))
}

#[pymethods]
impl Emulator {
    #[new]
    // The literal default shows in `inspect.signature` (and so to stubtest); the assertion below keeps it the
    // core's.
    #[pyo3(signature = (*, rate_limit = None, time_scale = 1.0, port = 0, journal_limit = 10_000))]
    fn new(rate_limit: Option<f64>, time_scale: f64, port: u16, journal_limit: usize) -> PyResult<Emulator> {
        let config = EmulatorConfig { port, rate_limit, time_scale, journal_limit, ..Default::default() };
        let inner = emulator::Emulator::start(config).map_err(|e| match e.kind() {
            std::io::ErrorKind::InvalidInput => PyValueError::new_err(e.to_string()),
            _ => PyOSError::new_err(format!("cannot start the emulator on 127.0.0.1:{port}: {e}")),
        })?;
        Ok(Emulator { inner })
    }

    /// `http://127.0.0.1:<port>`.
    #[getter]
    fn base_url(&self) -> String {
        self.inner.base_url()
    }

    #[getter]
    fn port(&self) -> u16 {
        self.inner.port()
    }

    /// A key with access level 3.
    #[getter]
    fn api_key(&self) -> &str {
        self.inner.api_key()
    }

    #[getter]
    fn running(&self) -> bool {
        self.inner.is_running()
    }

    /// Adds a key with an access level: 1 may read, 3 may also write.
    #[pyo3(signature = (key, level = 3))]
    fn add_api_key(&self, key: &str, level: u8) -> PyResult<()> {
        if !(1..=3).contains(&level) {
            return Err(PyValueError::new_err(format!("level must be 1, 2 or 3, got {level}")));
        }
        self.inner.add_api_key(key, level);
        Ok(())
    }

    /// Stores a client directly (no HTTP, no rate limit) and returns it; fields are checked like a model's.
    #[pyo3(signature = (**fields))]
    fn add_client<'py>(&self, py: Python<'py>, fields: Option<&Bound<'py, PyDict>>) -> PyResult<Bound<'py, PyAny>> {
        let stored = self.inner.add_client(seed_fields(&COMPANY_CLIENT, fields, "add_client()")?).map_err(refused)?;
        model(py, &COMPANY_CLIENT, stored)
    }

    /// The stored record, or None. No HTTP, no rate limit.
    fn get<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner.get(id).map(|client| model(py, &COMPANY_CLIENT, client)).transpose()
    }

    /// Stores a Gen 2 individual client directly (no HTTP, no rate limit) and returns it; fields are checked
    /// like an `IndividualClient`'s.
    #[pyo3(signature = (**fields))]
    fn add_individual<'py>(&self, py: Python<'py>, fields: Option<&Bound<'py, PyDict>>) -> PyResult<Bound<'py, PyAny>> {
        let stored = self.inner.add_individual(seed_fields(&INDIVIDUAL_CLIENT, fields, "add_individual()")?).map_err(refused)?;
        model(py, &INDIVIDUAL_CLIENT, stored)
    }

    /// The stored Gen 2 individual client, or None. No HTTP, no rate limit.
    fn get_individual<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner.get_individual(id).map(|stored| model(py, &INDIVIDUAL_CLIENT, stored)).transpose()
    }

    /// The requests received so far, oldest first (the most recent `journal_limit` of them).
    #[getter]
    fn requests(&self) -> Vec<RecordedRequest> {
        self.inner.requests().into_iter().map(|inner| RecordedRequest { inner }).collect()
    }

    /// The next `times` requests get this answer instead of the real one (or, with `disconnect=True`, their
    /// connection is closed without an answer). `body` may be a dict/list (sent as JSON), str or bytes.
    #[pyo3(signature = (status = 503, *, times = 1, retry_after = None, body = None, disconnect = false))]
    fn fail_next(
        &self,
        status: u16,
        times: usize,
        retry_after: Option<f64>,
        body: Option<&Bound<'_, PyAny>>,
        disconnect: bool,
    ) -> PyResult<()> {
        let fault = if disconnect {
            Fault::Disconnect
        } else {
            if !(100..=599).contains(&status) {
                return Err(PyValueError::new_err(format!("status must be an HTTP status code, got {status}")));
            }
            let body = body.map(body_bytes).transpose()?;
            Fault::Status { status, retry_after, body }
        };
        self.inner.fail_next(fault, times);
        Ok(())
    }

    /// The next `times` answers come `seconds` late.
    #[pyo3(signature = (seconds, *, times = 1))]
    fn delay_next(&self, seconds: f64, times: usize) -> PyResult<()> {
        let delay = Duration::try_from_secs_f64(seconds)
            .map_err(|_| PyValueError::new_err(format!("seconds must be a non-negative number, got {seconds}")))?;
        self.inner.delay_next(delay, times);
        Ok(())
    }

    /// Empties the store (clients and individuals), the journal, injected faults and delays, and the rate-limit
    /// history.
    fn reset(&self) {
        self.inner.reset();
    }

    /// A `cryptomate.Client` bound to this emulator and its key; keyword arguments pass on. Unless the
    /// emulator applies rate limits, the client does not pace itself (pacing would only slow tests down).
    #[pyo3(signature = (**options))]
    fn client<'py>(&self, py: Python<'py>, options: Option<&Bound<'py, PyDict>>) -> PyResult<Bound<'py, PyAny>> {
        let kwargs = options.map_or_else(|| Ok(PyDict::new(py)), |o| o.copy())?;
        kwargs.set_item("base_url", self.inner.base_url())?;
        if self.inner.rate_limit().is_none() && !kwargs.contains("rate_limit")? {
            kwargs.set_item("rate_limit", py.None())?;
        }
        let api_key = match kwargs.get_item("api_key")? {
            Some(key) => {
                kwargs.del_item("api_key")?;
                key
            }
            None => PyString::new(py, self.inner.api_key()).into_any(),
        };
        py.import("cryptomate")?.getattr("Client")?.call((api_key,), Some(&kwargs))
    }

    /// Stops serving: when it returns no request is answered any more (idempotent; the store stays readable).
    fn stop(&self, py: Python<'_>) {
        py.detach(|| self.inner.stop());
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_exc_info))]
    fn __exit__(&self, py: Python<'_>, _exc_info: &Bound<'_, pyo3::types::PyTuple>) {
        self.stop(py);
    }

    fn __repr__(&self) -> String {
        let state = if self.inner.is_running() { "running" } else { "stopped" };
        format!("<cryptomate.testing.Emulator {} ({state})>", self.inner.base_url())
    }
}

fn body_bytes(body: &Bound<'_, PyAny>) -> PyResult<Bytes> {
    if let Ok(bytes) = body.cast::<PyBytes>() {
        return Ok(Bytes::copy_from_slice(bytes.as_bytes()));
    }
    if let Ok(text) = body.cast::<PyString>() {
        return Ok(Bytes::from(text.to_cow()?.into_owned()));
    }
    let value: Value = pythonize::depythonize(body)?;
    Ok(Bytes::from(serde_json::to_vec(&value).map_err(|e| PyValueError::new_err(e.to_string()))?))
}

/// One request the emulator received.
#[pyclass(module = "cryptomate.testing", name = "RecordedRequest", frozen)]
pub struct RecordedRequest {
    inner: Arc<CoreRequest>,
}

#[pymethods]
impl RecordedRequest {
    #[getter]
    fn method(&self) -> &str {
        &self.inner.method
    }

    /// The request target as sent: percent-encoding and query kept.
    #[getter]
    fn path(&self) -> &str {
        &self.inner.path
    }

    /// Header names in lower case.
    #[getter]
    fn headers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let headers = PyDict::new(py);
        for (name, value) in &self.inner.headers {
            headers.set_item(name, value)?;
        }
        Ok(headers)
    }

    /// The parsed JSON body, or None.
    #[getter]
    fn json<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match &self.inner.json {
            Some(value) => Ok(pythonize::pythonize(py, value)?),
            None => Ok(py.None().into_bound(py)),
        }
    }

    /// Seconds from the emulator's start to the request's arrival.
    #[getter]
    fn received_at(&self) -> f64 {
        self.inner.received_at.as_secs_f64()
    }

    #[getter]
    fn body<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.body)
    }

    fn __repr__(&self) -> String {
        format!("<RecordedRequest {} {}>", self.inner.method, self.inner.path)
    }
}
