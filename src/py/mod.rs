//! The binding layer: every line of pyo3 lives under this module.

mod aio;
mod async_client;
mod bulk;
mod calls;
mod client;
mod convert;
mod emulator;
mod errors;
mod logging;
mod models;
mod sync_client;

use pyo3::prelude::*;

/// Panics on purpose: lets the tests prove that a Rust panic reaches Python as an exception
/// (`pyo3_runtime.PanicException`), never an abort of the interpreter.
#[pyfunction]
fn _panic_for_tests(message: &str) {
    panic!("{message}");
}

#[pymodule]
#[pyo3(name = "_native")]
fn native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    logging::install();
    module.add_class::<sync_client::Client>()?;
    module.add_class::<async_client::AsyncClient>()?;
    module.add_class::<sync_client::Individuals>()?;
    module.add_class::<async_client::AsyncIndividuals>()?;
    module.add_class::<bulk::Batch>()?;
    module.add_class::<aio::Pending>()?;
    module.add_class::<aio::LoopWaker>()?;
    module.add_class::<emulator::Emulator>()?;
    module.add_class::<emulator::RecordedRequest>()?;
    module.add_function(wrap_pyfunction!(_panic_for_tests, module)?)?;
    models::register(module)
}
