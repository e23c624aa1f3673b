//! `cryptomate.Client`: each call waits on the calling thread with the GIL released.

use std::future::Future;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::api::fields::COMPANY_CLIENT;
use crate::client::Client as CoreClient;
use crate::error::Error;
use crate::http::config;
use crate::http::runtime::block_on_interruptible;

use super::bulk;
use super::client::{self, client_class};
use super::errors::to_py;
use super::models::instance_from_record;

#[pyclass(module = "cryptomate", name = "Client", frozen)]
pub struct Client {
    core: CoreClient,
}

/// Runs a core future on the runtime with the GIL released, staying responsive to Ctrl-C: the wait wakes
/// every 50 ms to run Python's signal handlers, and a raised `KeyboardInterrupt` drops (cancels) the request.
/// The calling thread is not one of the runtime's, so this works inside a running event loop too.
pub fn wait<T: Send>(py: Python<'_>, future: impl Future<Output = Result<T, Error>> + Send) -> PyResult<T> {
    super::logging::refresh(py);
    let outcome = py.detach(|| block_on_interruptible(future, || Python::attach(|py| py.check_signals())));
    outcome?.map_err(|e| to_py(py, e))
}

client_class!(Client, "Client", {
    /// `PUT /management/clients/{id}` with exactly the given fields; `None` is sent as null.
    #[pyo3(signature = (id, /, **fields))]
    fn update_client<'py>(
        &self,
        py: Python<'py>,
        id: &Bound<'py, PyAny>,
        fields: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let request = client::update_request(py, id, fields)?;
        let record = wait(py, self.core.fetch_record(&request, &COMPANY_CLIENT))?;
        instance_from_record(py, record)
    }

    /// `GET /management/clients/{id}`.
    #[pyo3(signature = (id, /))]
    fn get_client<'py>(&self, py: Python<'py>, id: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let request = client::get_request(py, id)?;
        let record = wait(py, self.core.fetch_record(&request, &COMPANY_CLIENT))?;
        instance_from_record(py, record)
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
        bulk::update_clients(py, &self.core, "run", updates, concurrency, progress)
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
});
