//! asyncio <-> the SDK's runtime, through pyo3-async-runtimes' generic API.
//!
//! pyo3-async-runtimes' own tokio runtime is one process-global runtime, which is dead in a forked child;
//! `SdkRuntime` runs its tasks on the SDK's pid-aware runtime instead (`http::runtime`), so async calls
//! survive `fork` like sync ones.
//!
//! A call returns a real coroutine (`asyncio.run(client.get_client(id))` works; an un-awaited call sends
//! nothing). The Rust future is bound to the event loop only when the coroutine is first awaited, and is
//! dropped, closing its connection, when the awaiting task is cancelled.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3_async_runtimes::generic::{self, ContextExt, Runtime};
use pyo3_async_runtimes::TaskLocals;

use crate::http::runtime::runtime;

pub struct SdkRuntime;

impl Runtime for SdkRuntime {
    type JoinError = tokio::task::JoinError;
    type JoinHandle = tokio::task::JoinHandle<()>;

    fn spawn<F>(fut: F) -> Self::JoinHandle
    where
        F: Future<Output = ()> + Send + 'static,
    {
        runtime().spawn(fut)
    }

    fn spawn_blocking<F>(f: F) -> Self::JoinHandle
    where
        F: FnOnce() + Send + 'static,
    {
        runtime().spawn_blocking(f)
    }
}

/// The SDK's futures never ask for the event loop from inside Rust, so no task-local state is kept.
impl ContextExt for SdkRuntime {
    fn scope<F, R>(_locals: TaskLocals, fut: F) -> Pin<Box<dyn Future<Output = R> + Send>>
    where
        F: Future<Output = R> + Send + 'static,
    {
        Box::pin(fut)
    }

    fn get_task_locals() -> Option<TaskLocals> {
        None
    }
}

/// What a finished future hands to Python: converted with the GIL held, on the event loop's side.
pub struct Deliver(Box<dyn for<'py> FnOnce(Python<'py>) -> PyResult<Bound<'py, PyAny>> + Send>);

impl Deliver {
    pub fn new(convert: impl for<'py> FnOnce(Python<'py>) -> PyResult<Bound<'py, PyAny>> + Send + 'static) -> Deliver {
        Deliver(Box::new(convert))
    }
}

impl<'py> IntoPyObject<'py> for Deliver {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        (self.0)(py)
    }
}

type Work = Pin<Box<dyn Future<Output = Deliver> + Send>>;

/// Work not yet bound to an event loop; awaiting it starts it on the loop that awaits.
#[pyclass(module = "cryptomate._native", name = "_Pending", frozen)]
pub struct Pending {
    work: Mutex<Option<Work>>,
}

#[pymethods]
impl Pending {
    fn __await__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let work = self.work.lock().unwrap_or_else(|p| p.into_inner()).take();
        let work = work.ok_or_else(|| PyRuntimeError::new_err("cannot reuse an already awaited coroutine"))?;
        let future = generic::future_into_py::<SdkRuntime, _, _>(py, async move { Ok(work.await) })?;
        future.call_method0(pyo3::intern!(py, "__await__"))
    }
}

/// A coroutine that runs `work` when awaited and returns what `Deliver` makes of its output.
pub fn coroutine<'py>(py: Python<'py>, work: impl Future<Output = Deliver> + Send + 'static) -> PyResult<Bound<'py, PyAny>> {
    static AWAIT: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let pending = Pending { work: Mutex::new(Some(Box::pin(work))) };
    AWAIT.import(py, "cryptomate._aio", "run")?.call1((pending,))
}

/// A coroutine that returns `value` at once (for `close`, `__aenter__`, `__aexit__`).
pub fn ready<'py>(py: Python<'py>, value: Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    static READY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    READY.import(py, "cryptomate._aio", "ready")?.call1((value,))
}
