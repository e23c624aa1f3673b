//! asyncio <-> the SDK's runtime.
//!
//! A call returns a real coroutine (`asyncio.run(client.get_client(id))` works; an un-awaited call sends
//! nothing). When it is awaited, its Rust future is spawned on the SDK's pid-aware runtime (so async calls
//! survive `fork` like sync ones) and an asyncio future of the running loop stands for it. Cancelling that
//! future aborts the task, which drops the request's connection.
//!
//! Results go back to the loop in batches: a finished task puts its result in the loop's queue and, only if
//! the queue was empty, writes one byte to a socket the loop watches (`loop.add_reader`); the loop then
//! resolves every queued future in one callback. No runtime thread ever waits for the GIL, and under load
//! one wake-up of the loop serves many results. (pyo3-async-runtimes' `future_into_py`, tried first, hands
//! each result over from a blocking-pool thread that takes the GIL and calls `call_soon_threadsafe`: at 64
//! calls in flight that ran at 1.1x aiohttp, where this runs at about 2x; see the README's Performance section.)

use std::future::Future;
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::Poll;

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::panic::PanicException;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use tokio::task::AbortHandle;

use crate::http::runtime::runtime;

/// Turns a finished future's output into the Python value (or exception) of the call.
type Convert = Box<dyn for<'py> FnOnce(Python<'py>) -> PyResult<Bound<'py, PyAny>> + Send>;

/// What a finished future hands to Python: converted with the GIL held, on the event loop's thread.
pub struct Deliver(Convert);

impl Deliver {
    pub fn new(convert: impl for<'py> FnOnce(Python<'py>) -> PyResult<Bound<'py, PyAny>> + Send + 'static) -> Deliver {
        Deliver(Box::new(convert))
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
        let event_loop = running_loop(py)?;
        let waker = loop_waker(py, &event_loop)?;
        let future = event_loop.call_method0(pyo3::intern!(py, "create_future"))?;
        let results = Arc::clone(&waker.get().results);
        let target = future.clone().unbind();
        let task = runtime().spawn(async move { results.deliver(target, catch_unwind(work).await) });
        future.call_method1(pyo3::intern!(py, "add_done_callback"), (AbortOnCancel { task: task.abort_handle() },))?;
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

fn running_loop(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    static GET_RUNNING_LOOP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    GET_RUNNING_LOOP.import(py, "asyncio", "get_running_loop")?.call0()
}

/// The waker of `event_loop` in this process (made and registered by `cryptomate._aio.waker`).
fn loop_waker<'py>(py: Python<'py>, event_loop: &Bound<'py, PyAny>) -> PyResult<Bound<'py, LoopWaker>> {
    static WAKER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let waker = WAKER.import(py, "cryptomate._aio", "waker")?.call1((event_loop,))?;
    waker.cast_into::<LoopWaker>().map_err(|_| PyTypeError::new_err("cryptomate._aio.waker returned no _LoopWaker"))
}

/// A panic in the work becomes the awaiting task's exception; its future must still be resolved.
async fn catch_unwind(work: Work) -> Deliver {
    let mut work = work;
    std::future::poll_fn(move |cx| match std::panic::catch_unwind(AssertUnwindSafe(|| work.as_mut().poll(cx))) {
        Ok(poll) => poll,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic in an async call".into());
            Poll::Ready(Deliver::new(move |_| Err(PanicException::new_err(message))))
        }
    })
    .await
}

/// The asyncio future's done-callback: when the awaiting side cancelled it, abort the task.
#[pyclass(module = "cryptomate._native", name = "_AbortOnCancel", frozen)]
struct AbortOnCancel {
    task: AbortHandle,
}

#[pymethods]
impl AbortOnCancel {
    fn __call__(&self, future: &Bound<'_, PyAny>) -> PyResult<()> {
        if future.call_method0(pyo3::intern!(future.py(), "cancelled"))?.is_truthy()? {
            self.task.abort();
        }
        Ok(())
    }
}

/// Finished results waiting for one event loop, and the socket that wakes it.
struct Results {
    queue: Mutex<Vec<(Py<PyAny>, Deliver)>>,
    wake: UnixStream,
}

impl Results {
    /// Called on a runtime thread, without the GIL.
    fn deliver(&self, future: Py<PyAny>, output: Deliver) {
        let was_empty = {
            let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
            queue.push((future, output));
            queue.len() == 1
        };
        if was_empty {
            // A full socket buffer means a wake-up is pending already.
            let _ = (&self.wake).write(&[1]);
        }
    }
}

/// One per event loop and process: `fileno()` is watched with `loop.add_reader(fileno, waker.drain)`.
#[pyclass(module = "cryptomate._native", name = "_LoopWaker", frozen)]
pub struct LoopWaker {
    results: Arc<Results>,
    watched: UnixStream,
    pid: u32,
}

#[pymethods]
impl LoopWaker {
    #[new]
    fn new() -> PyResult<LoopWaker> {
        let (watched, wake) = UnixStream::pair()?;
        watched.set_nonblocking(true)?;
        wake.set_nonblocking(true)?;
        Ok(LoopWaker { results: Arc::new(Results { queue: Mutex::new(Vec::new()), wake }), watched, pid: crate::pid::pid() })
    }

    fn fileno(&self) -> i32 {
        self.watched.as_raw_fd()
    }

    /// Whether it was made in this process (a forked child must make its own); asked on every await, so
    /// from the cached process id rather than `os.getpid()`, a system call.
    #[getter]
    fn current(&self) -> bool {
        self.pid == crate::pid::pid()
    }

    /// Resolves every queued future (on the loop's thread). The socket is emptied before the queue is taken,
    /// so a result queued meanwhile either is taken now or has written a new byte.
    fn drain(&self, py: Python<'_>) -> PyResult<()> {
        let mut buffer = [0u8; 256];
        while matches!((&self.watched).read(&mut buffer), Ok(n) if n > 0) {}
        let finished = std::mem::take(&mut *self.results.queue.lock().unwrap_or_else(|p| p.into_inner()));
        let mut first_error = None;
        for (future, output) in finished {
            // Every future must be resolved: one that fails does not stop the others.
            if let Err(error) = resolve(future.bind(py), output) {
                first_error.get_or_insert(error);
            }
        }
        first_error.map_or(Ok(()), Err)
    }
}

fn resolve(future: &Bound<'_, PyAny>, output: Deliver) -> PyResult<()> {
    let py = future.py();
    if future.call_method0(pyo3::intern!(py, "done"))?.is_truthy()? {
        return Ok(()); // cancelled meanwhile
    }
    match (output.0)(py) {
        Ok(value) => future.call_method1(pyo3::intern!(py, "set_result"), (value,))?,
        Err(error) => future.call_method1(pyo3::intern!(py, "set_exception"), (error.into_value(py),))?,
    };
    Ok(())
}
