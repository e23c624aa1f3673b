//! `cryptomate.Client` and its `individuals`: each call waits on the calling thread with the GIL released.

use std::future::Future;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::api::endpoints;
use crate::client::Client as CoreClient;
use crate::error::Error;
use crate::http::config;
use crate::http::runtime::block_on_call;

use super::calls::{self, CoreCall};
use super::client::{self, client_class, individuals_class};
use super::errors::to_py;

#[pyclass(module = "cryptomate", name = "Client", frozen)]
pub struct Client {
    core: CoreClient,
}

/// `client.individuals`: the Gen 2 individual clients, on the client's connections and pacer.
#[pyclass(module = "cryptomate", name = "Individuals", frozen)]
pub struct Individuals {
    core: CoreClient,
}

/// Runs a core future on the runtime with the GIL released, staying responsive to Ctrl-C: the wait wakes
/// every 50 ms to run Python's signal handlers, and a raised `KeyboardInterrupt` drops (cancels) the request.
/// The calling thread is not one of the runtime's, so this works inside a running event loop too.
pub fn wait<T: Send>(py: Python<'_>, future: impl Future<Output = Result<T, Error>> + Send) -> PyResult<T> {
    super::logging::refresh(py);
    py.detach(|| block_on_call(future, || Python::attach(|py| py.check_signals())))?
    .map_err(|e| to_py(py, e))
}

fn run(py: Python<'_>, call: CoreCall) -> PyResult<Bound<'_, PyAny>> {
    let answered = wait(py, call)?;
    calls::answered_to_py(py, answered)
}

client_class!(Client, "Client", run, Individuals, "run", {
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
});

individuals_class!(Individuals, "Individuals", run);
