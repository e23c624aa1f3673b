//! `_Batch`: the native half of `update_clients`. The Python driver (`cryptomate/_bulk.py`) pulls items from
//! the caller's iterable and submits them; the requests run as tasks of a core `Batch`; the driver collects
//! what has finished, by blocking with the GIL released (`wait`) or by awaiting (`next`).

use std::sync::Arc;

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;

use crate::api::model::Record;
use crate::bulk::Batch as CoreBatch;
use crate::client::Client as CoreClient;
use crate::error::Error;
use crate::http::runtime::runtime;

use super::aio::{coroutine, Deliver};
use super::calls::bulk_update_request;
use super::errors::to_py;
use super::models::instance_from_record;
use super::sync_client::wait;

type Tasks = Arc<tokio::sync::Mutex<CoreBatch<Record>>>;

#[pyclass(module = "cryptomate._native", name = "_Batch", frozen)]
pub struct Batch {
    client: CoreClient,
    concurrency: usize,
    tasks: Tasks,
}

impl Batch {
    fn new(client: CoreClient, concurrency: i64) -> PyResult<Batch> {
        let concurrency = usize::try_from(concurrency)
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| PyValueError::new_err(format!("concurrency must be a positive integer, got {concurrency}")))?;
        Ok(Batch { client, concurrency, tasks: Default::default() })
    }

    fn tasks(&self) -> PyResult<tokio::sync::MutexGuard<'_, CoreBatch<Record>>> {
        self.tasks.try_lock().map_err(|_| PyRuntimeError::new_err("the batch is being waited on"))
    }
}

/// `update_clients` through the Python driver `cryptomate._bulk.<driver>`: `run` blocks, `run_async` is the
/// coroutine.
pub fn update_clients<'py>(
    py: Python<'py>,
    client: &CoreClient,
    driver: &str,
    updates: &Bound<'py, PyAny>,
    concurrency: i64,
    progress: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let batch = Batch::new(client.clone(), concurrency)?;
    py.import("cryptomate._bulk")?.getattr(driver)?.call1((batch, updates, progress))
}

/// Finished items as `(index, CompanyClient or exception)`; an item's error is a value here, not raised.
fn finished_to_py(py: Python<'_>, finished: Vec<(usize, Result<Record, Error>)>) -> PyResult<Vec<(usize, Bound<'_, PyAny>)>> {
    finished
        .into_iter()
        .map(|(index, outcome)| {
            let value = match outcome {
                Ok(record) => instance_from_record(py, record)?,
                Err(error) => to_py(py, error).into_value(py).into_bound(py).into_any(),
            };
            Ok((index, value))
        })
        .collect()
}

#[pymethods]
impl Batch {
    #[getter]
    fn concurrency(&self) -> usize {
        self.concurrency
    }

    /// Items submitted and not yet collected.
    #[getter]
    fn in_flight(&self) -> PyResult<usize> {
        Ok(self.tasks()?.in_flight())
    }

    /// Checks one `(id, fields)` item and starts its request. A malformed item is not sent: its argument
    /// error is returned (for the driver to put in its place in the results).
    fn submit<'py>(&self, py: Python<'py>, index: usize, item: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let request = match bulk_update_request(item) {
            Ok(request) => request,
            Err(error) => return Ok(Some(error.into_value(py).into_bound(py).into_any())),
        };
        let client = self.client.clone();
        self.tasks()?.spawn(index, async move { client.fetch_one(&request).await });
        Ok(None)
    }

    /// Blocks (GIL released, Ctrl-C honoured) until at least one item finishes; returns every finished one.
    fn wait<'py>(&self, py: Python<'py>) -> PyResult<Vec<(usize, Bound<'py, PyAny>)>> {
        super::logging::refresh(py);
        let tasks = Arc::clone(&self.tasks);
        let finished = wait(py, async move { Ok(tasks.lock().await.next_finished().await) })?;
        finished_to_py(py, finished)
    }

    /// `wait` as a coroutine.
    fn next<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        super::logging::refresh(py);
        let tasks = Arc::clone(&self.tasks);
        coroutine(py, async move {
            let finished = tasks.lock().await.next_finished().await;
            Deliver::new(move |py| Ok(finished_to_py(py, finished)?.into_pyobject(py)?.into_any()))
        })
    }

    /// Cancels every item still in flight (their connections are dropped).
    fn cancel(&self) {
        match self.tasks.try_lock() {
            Ok(mut tasks) => tasks.abort(),
            // A cancelled `next` still holds the lock until the runtime drops its future, which is soon.
            Err(_) => {
                let tasks = Arc::clone(&self.tasks);
                runtime().spawn(async move { tasks.lock().await.abort() });
            }
        }
    }
}
