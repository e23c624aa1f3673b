//! `cryptomate.AsyncClient` and its `individuals`: the same calls as `Client`, as coroutines. Arguments are
//! checked when the method is called; the request runs on the SDK's runtime while the event loop goes on
//! (see `aio.rs`).

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::api::endpoints;
use crate::client::Client as CoreClient;
use crate::http::config;

use super::aio::{coroutine, ready, Deliver};
use super::calls::{self, CoreCall};
use super::client::{self, client_class, individuals_class};

#[pyclass(module = "cryptomate", name = "AsyncClient", frozen)]
pub struct AsyncClient {
    core: CoreClient,
}

/// `client.individuals` of an `AsyncClient`.
#[pyclass(module = "cryptomate", name = "AsyncIndividuals", frozen)]
pub struct AsyncIndividuals {
    core: CoreClient,
}

/// A coroutine that runs the call and returns what it answered.
fn run(py: Python<'_>, call: CoreCall) -> PyResult<Bound<'_, PyAny>> {
    super::logging::refresh(py);
    coroutine(py, async move {
        let answered = call.await;
        Deliver::new(move |py| calls::answered_to_py(py, answered.map_err(|e| super::errors::to_py(py, e))?))
    })
}

client_class!(AsyncClient, "AsyncClient", run, AsyncIndividuals, "run_async", {
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

individuals_class!(AsyncIndividuals, "AsyncIndividuals", run);
