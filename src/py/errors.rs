//! Core errors -> the Python exception classes of `cryptomate._exceptions`.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyModule};

use crate::error::{Body, Error};

fn exceptions(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    static MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    MODULE
        .get_or_try_init(py, || Ok::<_, PyErr>(py.import("cryptomate._exceptions")?.unbind()))
        .map(|m| m.bind(py))
}

fn body_to_python<'py>(py: Python<'py>, body: &Body) -> PyResult<Bound<'py, PyAny>> {
    match body {
        Body::Json(value) => Ok(pythonize::pythonize(py, value)?),
        Body::Text(text) => Ok(text.into_pyobject(py)?.into_any()),
    }
}

fn build(py: Python<'_>, error: Error) -> PyResult<PyErr> {
    let module = exceptions(py)?;
    let simple = |class: &str, message: String| -> PyResult<PyErr> {
        Ok(PyErr::from_value(module.getattr(class)?.call1((message,))?))
    };
    match error {
        Error::InvalidValue(message) => Ok(PyValueError::new_err(message)),
        missing @ Error::MissingFields { .. } => Ok(PyTypeError::new_err(missing.to_string())),
        Error::Configuration(message) => simple("ConfigurationError", message),
        Error::Connection(message) | Error::Tls(message) => simple("APIConnectionError", message),
        Error::Closed => simple("APIConnectionError", Error::Closed.to_string()),
        Error::Timeout(message) | Error::Connect { message, timeout: true } => simple("APITimeoutError", message),
        Error::Connect { message, timeout: false } => simple("APIConnectionError", message),
        Error::Response(message) => simple("APIError", message),
        Error::ResponseValidation { message, status, body } => {
            let kwargs = PyDict::new(py);
            kwargs.set_item("status_code", status)?;
            kwargs.set_item("body", body_to_python(py, &body)?)?;
            let class = module.getattr("APIResponseValidationError")?;
            Ok(PyErr::from_value(class.call((message,), Some(&kwargs))?))
        }
        Error::Status(e) => {
            let kwargs = PyDict::new(py);
            kwargs.set_item("status_code", e.status)?;
            kwargs.set_item("code", e.code)?;
            kwargs.set_item("trace_id", e.trace_id)?;
            kwargs.set_item("body", body_to_python(py, &e.body)?)?;
            let headers = PyDict::new(py);
            for (name, value) in &e.headers {
                headers.set_item(name, value)?;
            }
            kwargs.set_item("headers", headers)?;
            kwargs.set_item("retry_after", e.retry_after)?;
            let error = module.getattr("_status_error")?.call((e.message,), Some(&kwargs))?;
            Ok(PyErr::from_value(error))
        }
    }
}

/// The Python exception for a core error (or the error raised while building it).
pub fn to_py(py: Python<'_>, error: Error) -> PyErr {
    build(py, error).unwrap_or_else(|e| e)
}
