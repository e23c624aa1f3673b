//! The binding layer: every line of pyo3 lives under this module.

mod client;
mod convert;
mod emulator;
mod errors;
mod logging;
mod models;

use pyo3::prelude::*;

#[pymodule]
#[pyo3(name = "_native")]
fn native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    logging::install();
    module.add_class::<client::Client>()?;
    module.add_class::<emulator::Emulator>()?;
    module.add_class::<emulator::RecordedRequest>()?;
    models::register(module)
}
