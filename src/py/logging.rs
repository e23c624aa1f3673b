//! Forwards the core's `log` records (target `cryptomate`) to Python's `logging.getLogger("cryptomate")`.
//!
//! Whether a level is enabled is answered from a cached copy of the Python logger's effective level,
//! refreshed when Python's levels change (see `refresh`), so a disabled debug line costs an atomic load, not a trip into Python.

use std::sync::atomic::{AtomicU8, Ordering};

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;

/// Python's numeric level (DEBUG = 10, INFO = 20, ...), capped to fit; starts at WARNING.
static PYTHON_LEVEL: AtomicU8 = AtomicU8::new(30);

fn python_level(level: log::Level) -> u8 {
    match level {
        log::Level::Error => 40,
        log::Level::Warn => 30,
        log::Level::Info => 20,
        log::Level::Debug | log::Level::Trace => 10,
    }
}

fn logger(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static LOGGER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    LOGGER
        .get_or_try_init(py, || Ok::<_, PyErr>(py.import("logging")?.call_method1("getLogger", ("cryptomate",))?.unbind()))
        .map(|l| l.bind(py))
}

/// Reads the Python logger's effective level (called with the GIL at the start of each API call).
///
/// Asking `getEffectiveLevel()` costs a Python call each time, so the answer is remembered in the logger's
/// own `_cache` dict under a key of ours: Python's logging empties every logger's `_cache` whenever any
/// level changes (`setLevel`, `logging.disable`), exactly when it must be asked again. Without a `_cache`
/// (another Python), it is asked on every call.
pub fn refresh(py: Python<'_>) {
    let Ok(logger) = logger(py) else { return };
    let mark = pyo3::intern!(py, "cryptomate._native level");
    let cache = logger.getattr(pyo3::intern!(py, "_cache")).ok().and_then(|c| c.cast_into::<PyDict>().ok());
    if let Some(cache) = &cache {
        if cache.contains(mark).unwrap_or(false) {
            return;
        }
    }
    if let Ok(level) = logger.call_method0("getEffectiveLevel").and_then(|l| l.extract::<i64>()) {
        PYTHON_LEVEL.store(level.clamp(0, 255) as u8, Ordering::Relaxed);
        if let Some(cache) = cache {
            let _ = cache.set_item(mark, level);
        }
    }
}

struct PythonLogger;

impl log::Log for PythonLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.target().starts_with("cryptomate") && python_level(metadata.level()) >= PYTHON_LEVEL.load(Ordering::Relaxed)
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            Python::attach(|py| {
                if let Ok(logger) = logger(py) {
                    // A failing handler must not turn into an error of the API call.
                    let _ = logger.call_method1("log", (python_level(record.level()), record.args().to_string()));
                }
            });
        }
    }

    fn flush(&self) {}
}

/// Installs the bridge (once per process; another logger already installed in this module wins).
pub fn install() {
    static BRIDGE: PythonLogger = PythonLogger;
    if log::set_logger(&BRIDGE).is_ok() {
        log::set_max_level(log::LevelFilter::Debug);
    }
}
