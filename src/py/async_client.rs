//! `cryptomate.AsyncClient`: the same calls as `Client`, as coroutines. Arguments are checked when the
//! method is called; the request runs on the SDK's runtime while the event loop goes on (see `aio.rs`).

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::api::fields::COMPANY_CLIENT;
use crate::client::Client as CoreClient;
use crate::http::config;
use crate::http::request::ApiRequest;

use super::aio::{coroutine, ready, Deliver};
use super::bulk;
use super::client::{self, client_class};
use super::errors::to_py;
use super::models::instance_from_record;

#[pyclass(module = "cryptomate", name = "AsyncClient", frozen)]
pub struct AsyncClient {
    core: CoreClient,
}

/// A coroutine that sends `request` through the core's request path and returns the `CompanyClient`.
fn fetch_client<'py>(py: Python<'py>, core: &CoreClient, request: ApiRequest) -> PyResult<Bound<'py, PyAny>> {
    super::logging::refresh(py);
    let core = core.clone();
    coroutine(py, async move {
        let outcome = core.fetch_record(&request, &COMPANY_CLIENT).await;
        Deliver::new(move |py| instance_from_record(py, outcome.map_err(|e| to_py(py, e))?))
    })
}

client_class!(AsyncClient, "AsyncClient", {
    /// `PUT /management/clients/{id}` with exactly the given fields; `None` is sent as null.
    #[pyo3(signature = (id, /, **fields))]
    fn update_client<'py>(
        &self,
        py: Python<'py>,
        id: &Bound<'py, PyAny>,
        fields: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        fetch_client(py, &self.core, client::update_request(py, id, fields)?)
    }

    /// `GET /management/clients/{id}`.
    #[pyo3(signature = (id, /))]
    fn get_client<'py>(&self, py: Python<'py>, id: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        fetch_client(py, &self.core, client::get_request(py, id)?)
    }

    /// `Client.update_clients` as a coroutine; `progress` is called on the event loop's thread.
    #[pyo3(signature = (updates, *, concurrency = 8, progress = None))]
    fn update_clients<'py>(
        &self,
        py: Python<'py>,
        updates: &Bound<'py, PyAny>,
        concurrency: i64,
        progress: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        bulk::update_clients(py, &self.core, "run_async", updates, concurrency, progress)
    }

    /// Closes the connection pool (shared with `with_options` copies); later calls raise `APIConnectionError`.
    fn close<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.core.close();
        ready(py, py.None().into_bound(py))
    }

    fn __aenter__<'py>(slf: Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        ready(slf.py(), slf.into_any())
    }

    #[pyo3(signature = (*_exc_info))]
    fn __aexit__<'py>(&self, py: Python<'py>, _exc_info: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, PyAny>> {
        self.close(py)
    }
});
