//! Python values <-> JSON, driven by the field table's kinds.
//!
//! `to_json` is the argument check: every Python value a caller passes goes through it before anything is
//! sent, and a wrong type or value becomes a `TypeError` or `ValueError` that names the field.

use chrono::{Datelike, Timelike};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyInt, PyList, PyString, PyTuple, PyType};
use serde_json::{Map, Value};

use crate::api::schema::{body, parse_date, parse_timestamp, Body, Field, Kind, Schema};

use super::models::{self, Model};

/// What a set of keyword arguments may name: every field of a model (its constructor, `replace`), or the
/// fields a request body accepts.
#[derive(Debug, Clone, Copy)]
pub enum Accepts {
    Model(&'static Schema),
    Body(Body),
}

impl Accepts {
    /// An object of `schema` nested in this one: in a body, the fields any body accepts.
    fn nested(self, schema: &'static Schema) -> Accepts {
        match self {
            Accepts::Model(_) => Accepts::Model(schema),
            Accepts::Body(_) => Accepts::Body(Body { schema, mask: body::ANY, extra: None }),
        }
    }

    fn schema(self) -> &'static Schema {
        match self {
            Accepts::Model(schema) => schema,
            Accepts::Body(body) => body.schema,
        }
    }

    fn field(self, name: &str) -> Option<&'static Field> {
        match self {
            Accepts::Model(schema) => schema.field(name),
            Accepts::Body(body) => body.field(name),
        }
    }

    fn closest(self, name: &str) -> Option<&'static str> {
        match self {
            Accepts::Model(schema) => schema.closest(name),
            Accepts::Body(body) => body.closest(name),
        }
    }
}

/// Converts the caller's `value` for a field of `kind` at `path` (e.g. `address.city`) into JSON; `within`
/// says what the enclosing arguments accept (nested objects follow it).
pub fn to_json(kind: &Kind, value: &Bound<'_, PyAny>, path: &str, within: Accepts) -> PyResult<Value> {
    if value.is_none() {
        return Ok(Value::Null);
    }
    let py = value.py();
    let wrong_type = |expected: &str| {
        PyTypeError::new_err(format!("{path}: expected {expected}, got {}", type_name(value)))
    };
    match kind {
        Kind::Str => match value.cast::<PyString>() {
            Ok(s) => s.to_cow().map(|text| Value::String(text.into_owned())).map_err(|_| {
                PyValueError::new_err(format!("{path}: the string cannot be sent as UTF-8 (it holds a lone surrogate)"))
            }),
            Err(_) => Err(wrong_type("str")),
        },
        Kind::Bool => match value.cast::<PyBool>() {
            Ok(b) => Ok(Value::Bool(b.is_true())),
            Err(_) => Err(wrong_type("bool")),
        },
        Kind::I32 | Kind::I64 => {
            if value.is_instance_of::<PyBool>() || !value.is_instance_of::<PyInt>() {
                return Err(wrong_type("int"));
            }
            let (bits, fits) = match kind {
                Kind::I32 => (32, value.extract::<i32>().map(i64::from)),
                _ => (64, value.extract::<i64>()),
            };
            fits.map(Value::from).map_err(|_| {
                PyValueError::new_err(format!("{path}: {value} does not fit a signed {bits}-bit integer"))
            })
        }
        Kind::Date => {
            if value.is_instance(datetime_type(py)?)? {
                return Err(wrong_type("datetime.date or a 'YYYY-MM-DD' string (a datetime is not a date)"));
            }
            let text = iso_text(value, date_type(py)?).ok_or_else(|| wrong_type("datetime.date or a 'YYYY-MM-DD' string"))??;
            parse_date(&text).map_err(|e| PyValueError::new_err(format!("{path}: {e}")))?;
            Ok(Value::String(text))
        }
        Kind::Timestamp => {
            let text = iso_text(value, datetime_type(py)?).ok_or_else(|| wrong_type("datetime.datetime or an ISO-8601 string"))??;
            parse_timestamp(&text).map_err(|e| PyValueError::new_err(format!("{path}: {e}")))?;
            Ok(Value::String(text))
        }
        Kind::Object(schema) => {
            let nested = within.nested(schema);
            if let Ok(model) = value.cast::<Model>() {
                let record = &model.get().record;
                if record.schema != *schema {
                    return Err(wrong_type(&format!("{} or dict", schema.name)));
                }
                // Only the known fields it accepts: the API refuses keys it does not document.
                let known = schema.fields.iter().zip(record.values()).filter(|(f, v)| !v.is_null() && nested.field(f.name).is_some());
                return Ok(Value::Object(known.map(|(f, v)| (f.name.to_owned(), v.clone())).collect()));
            }
            let dict = value.cast::<PyDict>().map_err(|_| wrong_type(&format!("{} or dict", schema.name)))?;
            Ok(Value::Object(fields_to_json(nested, dict, path, path)?))
        }
        Kind::List(item) => {
            if !(value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>()) {
                return Err(wrong_type(&format!("a list of {}", item_name(item))));
            }
            let items = value
                .try_iter()?
                .enumerate()
                .map(|(i, item_value)| to_json(item, &item_value?, &format!("{path}[{i}]"), within))
                .collect::<PyResult<Vec<_>>>()?;
            Ok(Value::Array(items))
        }
        Kind::Json => pythonize::depythonize(value).map_err(|e| PyTypeError::new_err(format!("{path}: {e}"))),
    }
}

/// The ISO text of an instance of `class` (`isoformat()`) or of a str; `None` for any other type.
fn iso_text(value: &Bound<'_, PyAny>, class: &Bound<'_, PyType>) -> Option<PyResult<String>> {
    if value.is_instance(class).unwrap_or(false) {
        Some(value.call_method0("isoformat").and_then(|text| text.extract()))
    } else {
        value.cast::<PyString>().ok().map(|s| s.to_cow().map(|text| text.into_owned()))
    }
}

/// Converts keyword arguments into a JSON object of the fields `accepts` names, in the caller's order.
/// `context` names the call in errors (`update_client()`).
pub fn fields_to_json(accepts: Accepts, fields: &Bound<'_, PyDict>, path: &str, context: &str) -> PyResult<Map<String, Value>> {
    let mut map = Map::with_capacity(fields.len());
    for (key, value) in fields.iter() {
        let name = key.cast::<PyString>().map_err(|_| PyTypeError::new_err(format!("{context}: field names must be str")))?;
        let name = name.to_cow()?;
        let name: &str = &name;
        let field = accepts.field(name).ok_or_else(|| unknown_field(accepts, name, context))?;
        let field_path = if path.is_empty() { name.to_owned() } else { format!("{path}.{name}") };
        map.insert(name.to_owned(), to_json(&field.kind, &value, &field_path, accepts)?);
    }
    Ok(map)
}

/// `TypeError` for a name the arguments do not accept, with the closest one they do.
fn unknown_field(accepts: Accepts, name: &str, context: &str) -> PyErr {
    let read_only = matches!(accepts, Accepts::Body(_)) && accepts.schema().field(name).is_some();
    let mut message = if read_only {
        format!("{context}: '{name}' is read-only and cannot be sent")
    } else {
        format!("{context}: unknown field '{name}'")
    };
    if let Some(suggestion) = accepts.closest(name).filter(|s| *s != name) {
        message.push_str(&format!("; did you mean '{suggestion}'?"));
    }
    PyTypeError::new_err(message)
}

/// Converts a JSON value that has already passed `Kind::check` into the Python value of its field.
pub fn to_python<'py>(py: Python<'py>, kind: &Kind, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    if value.is_null() {
        return Ok(py.None().into_bound(py));
    }
    match (kind, value) {
        (Kind::Date, Value::String(s)) => {
            let d = parse_date(s).map_err(PyValueError::new_err)?;
            date_type(py)?.call1((d.year(), d.month(), d.day()))
        }
        (Kind::Timestamp, Value::String(s)) => {
            let t = parse_timestamp(s).map_err(PyValueError::new_err)?;
            let tz = timezone(py, t.offset().local_minus_utc())?;
            let micros = t.nanosecond() / 1000 % 1_000_000;
            datetime_type(py)?.call1((t.year(), t.month(), t.day(), t.hour(), t.minute(), t.second(), micros, tz))
        }
        (Kind::Object(schema), Value::Object(_)) => models::instance(py, schema, value.clone()),
        (Kind::List(item), Value::Array(items)) => {
            let converted = items.iter().map(|v| to_python(py, item, v)).collect::<PyResult<Vec<_>>>()?;
            Ok(PyTuple::new(py, converted)?.into_any())
        }
        _ => Ok(pythonize::pythonize(py, value)?),
    }
}

fn item_name(kind: &Kind) -> String {
    match kind {
        Kind::Object(schema) => format!("{} or dict", schema.name),
        Kind::Str => "str".into(),
        other => other.describe(),
    }
}

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into())
}

fn date_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    static DATE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    DATE.import(py, "datetime", "date")
}

fn datetime_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    static DATETIME: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    DATETIME.import(py, "datetime", "datetime")
}

fn timezone(py: Python<'_>, offset_seconds: i32) -> PyResult<Bound<'_, PyAny>> {
    static UTC: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let datetime = py.import("datetime")?;
    if offset_seconds == 0 {
        return UTC.get_or_try_init(py, || datetime.getattr("timezone")?.getattr("utc").map(Bound::unbind)).map(|u| u.bind(py).clone());
    }
    let delta = datetime.getattr("timedelta")?.call1((0, offset_seconds))?;
    datetime.getattr("timezone")?.call1((delta,))
}
