//! The model classes `CompanyClient`, `Address`, `Document`, generated from the field table.
//!
//! A model holds the checked JSON record and converts a field to Python when it is read: decoding a response
//! costs no Python work beyond wrapping it, and `==`, hashing, `to_dict` and pickling work on the JSON.

use std::hash::{Hash, Hasher};

use pyo3::basic::CompareOp;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use serde_json::Value;

use crate::api::endpoints::ALL_ENDPOINTS;
use crate::api::fields::{self, unraw, ALL_SCHEMAS};
use crate::api::model::Record;
use crate::api::schema::Schema;

use super::convert::{fields_to_json, to_python, Accepts};

/// The behaviour every model shares; the generated subclasses add the constructor and the attributes.
#[pyclass(module = "cryptomate._native", name = "_Model", subclass, frozen)]
pub struct Model {
    pub record: Record,
}

impl Model {
    fn from_kwargs(schema: &'static Schema, fields: Option<&Bound<'_, PyDict>>) -> PyResult<Model> {
        let mut record = Record::empty(schema);
        if let Some(fields) = fields {
            set_fields(&mut record, fields)?;
        }
        Ok(Model { record })
    }

    /// A new instance with some fields changed (checked like the constructor's arguments).
    fn replace<'py>(&self, py: Python<'py>, changes: Option<&Bound<'py, PyDict>>) -> PyResult<Bound<'py, PyAny>> {
        let mut record = self.record.clone();
        if let Some(changes) = changes {
            set_fields(&mut record, changes)?;
        }
        instance_from_record(py, record)
    }

    fn field<'py>(&self, py: Python<'py>, index: usize) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.record.schema.fields[index].kind, self.record.value(index))
    }

    /// `(name, repr(value))` of the fields that are set, in table order.
    fn set_fields_repr(&self, py: Python<'_>) -> PyResult<Vec<(&'static str, String)>> {
        let mut out = Vec::new();
        for (i, field) in self.record.schema.fields.iter().enumerate() {
            if self.record.is_set(i) {
                out.push((field.name, self.field(py, i)?.repr()?.to_string()));
            }
        }
        if !self.record.extra.is_empty() {
            out.push(("extra", self.extra(py)?.repr()?.to_string()));
        }
        Ok(out)
    }
}

fn set_fields(record: &mut Record, fields: &Bound<'_, PyDict>) -> PyResult<()> {
    let context = format!("{}()", record.schema.name);
    for (name, value) in fields_to_json(Accepts::Model(record.schema), fields, "", &context)? {
        let index = record.schema.index_of(&name).expect("fields_to_json accepts table names only");
        record.set(index, value);
    }
    Ok(())
}

#[pymethods]
impl Model {
    /// Fields the API sent that this version of the SDK does not know (a fresh dict).
    #[getter]
    fn extra<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(pythonize::pythonize(py, &self.record.extra)?)
    }

    /// JSON-shaped data: the fields that are set, then `extra`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(pythonize::pythonize(py, &self.record.to_json())?)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let parts: Vec<String> = self.set_fields_repr(py)?.into_iter().map(|(n, v)| format!("{n}={v}")).collect();
        Ok(format!("{}({})", self.record.schema.name, parts.join(", ")))
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp) -> Py<PyAny> {
        let py = other.py();
        let Ok(other) = other.cast::<Model>() else { return py.NotImplemented() };
        let other = &other.get().record;
        let equal = self.record == *other;
        match op {
            CompareOp::Eq => equal.into_pyobject(py).unwrap().to_owned().into_any().unbind(),
            CompareOp::Ne => (!equal).into_pyobject(py).unwrap().to_owned().into_any().unbind(),
            _ => py.NotImplemented(),
        }
    }

    fn __hash__(&self) -> u64 {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        self.record.schema.name.hash(&mut hasher);
        for value in self.record.values().chain(self.record.extra.values()) {
            hash_json(value, &mut hasher);
        }
        hasher.finish()
    }

    /// Pickles as (schema name, JSON text): nothing but the record's own data.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (&'static str, String))> {
        let restore = py.import("cryptomate._native")?.getattr("_unpickle_model")?;
        let json = serde_json::to_string(&self.record.to_json()).map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok((restore, (self.record.schema.name, json)))
    }

    /// IPython's pretty printer: one field a line.
    fn _repr_pretty_(&self, py: Python<'_>, printer: &Bound<'_, PyAny>, cycle: bool) -> PyResult<()> {
        let name = self.record.schema.name;
        let text = if cycle {
            format!("{name}(...)")
        } else {
            let lines: String = self.set_fields_repr(py)?.into_iter().map(|(n, v)| format!("\n    {n}={v},")).collect();
            if lines.is_empty() { format!("{name}()") } else { format!("{name}({lines}\n)") }
        };
        printer.call_method1("text", (text,))?;
        Ok(())
    }

    /// Jupyter's rich display: a table of the fields that are set. Pure formatting, no I/O.
    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        let rows: String = self
            .set_fields_repr(py)?
            .into_iter()
            .map(|(n, v)| format!("<tr><th style=\"text-align:left\">{n}</th><td style=\"text-align:left\"><code>{}</code></td></tr>", escape_html(&v)))
            .collect();
        Ok(format!("<table><caption style=\"text-align:left\"><b>{}</b></caption>{rows}</table>", self.record.schema.name))
    }
}

/// A hash consistent with `Value`'s `==`, which ignores the order of object keys.
fn hash_json(value: &Value, hasher: &mut impl Hasher) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_unstable();
            for key in keys {
                key.hash(hasher);
                hash_json(&map[key], hasher);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| hash_json(v, hasher)),
        other => other.to_string().hash(hasher),
    }
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

fn match_args<'py>(py: Python<'py>, schema: &Schema) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(py, schema.fields.iter().map(|f| f.name))
}

/// A model instance for a JSON object of `schema` (already checked against it).
pub fn instance<'py>(py: Python<'py>, schema: &'static Schema, value: Value) -> PyResult<Bound<'py, PyAny>> {
    let record = Record::from_json(schema, value).map_err(|e| PyValueError::new_err(e.to_string()))?;
    instance_from_record(py, record)
}

/// Restores a pickled model (see `_Model.__reduce__`).
#[pyfunction]
pub fn _unpickle_model<'py>(py: Python<'py>, schema_name: &str, json: &str) -> PyResult<Bound<'py, PyAny>> {
    let schema = ALL_SCHEMAS
        .iter()
        .find(|s| s.name == schema_name)
        .ok_or_else(|| PyValueError::new_err(format!("unknown model {schema_name:?}")))?;
    let value = serde_json::from_str(json).map_err(|e| PyValueError::new_err(e.to_string()))?;
    instance(py, schema, value)
}

/// The field table as data, for the Python layer (the CLI's typed flags and file columns): `{schema name:
/// [(field, kind family), ...]}` in table order.
#[pyfunction]
pub fn _field_table(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let table = PyDict::new(py);
    for schema in ALL_SCHEMAS {
        let rows: Vec<(&str, &str)> = schema.fields.iter().map(|f| (f.name, f.kind.family())).collect();
        table.set_item(schema.name, rows)?;
    }
    Ok(table)
}

/// The endpoint table as data, for the Python layer (the CLI's commands): `{call: (method, path, query
/// names, body)}`, the body `None` or the fields it accepts as `[(field, kind family, required), ...]` in
/// table order (request-only fields last).
#[pyfunction]
pub fn _endpoint_table(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let table = PyDict::new(py);
    for endpoint in ALL_ENDPOINTS {
        let body: Option<Vec<(&str, &str, bool)>> = endpoint
            .body
            .map(|body| body.fields().map(|f| (f.name, f.kind.family(), body.requires(f))).collect());
        let query = PyTuple::new(py, endpoint.query)?;
        table.set_item(endpoint.call, (endpoint.method, endpoint.path, query, body))?;
    }
    Ok(table)
}

macro_rules! define_models {
    (models { $($models:tt)* } request_only { $($request_only:tt)* }) => { define_models!(@models $($models)*); };
    (@models $( $static:ident $name:ident { $( $field:ident : $kind:ident $(($($arg:tt)+))? $(, $flag:ident)* ; )* } )*) => {
        $(
            #[pyclass(module = "cryptomate", extends = Model, frozen)]
            pub struct $name;

            #[pymethods]
            impl $name {
                #[new]
                #[pyo3(signature = (**fields))]
                fn new(fields: Option<&Bound<'_, PyDict>>) -> PyResult<PyClassInitializer<Self>> {
                    Ok(PyClassInitializer::from(Model::from_kwargs(&fields::$static, fields)?).add_subclass($name))
                }

                /// A new instance with some fields changed.
                #[pyo3(signature = (**changes))]
                fn replace<'py>(slf: &Bound<'py, Self>, changes: Option<&Bound<'py, PyDict>>) -> PyResult<Bound<'py, PyAny>> {
                    slf.as_super().get().replace(slf.py(), changes)
                }

                #[classattr]
                fn __match_args__(py: Python<'_>) -> PyResult<Bound<'_, PyTuple>> {
                    match_args(py, &fields::$static)
                }

                $(
                    #[getter]
                    fn $field<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
                        const INDEX: usize = fields::$static.const_index(unraw(stringify!($field)));
                        slf.as_super().get().field(slf.py(), INDEX)
                    }
                )*
            }
        )*

        /// Wraps a record in the model class of its schema.
        pub fn instance_from_record(py: Python<'_>, record: Record) -> PyResult<Bound<'_, PyAny>> {
            $(
                if record.schema == &fields::$static {
                    return Ok(Bound::new(py, PyClassInitializer::from(Model { record }).add_subclass($name))?.into_any());
                }
            )*
            unreachable!("every schema has a model class")
        }

        pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
            module.add_class::<Model>()?;
            $( module.add_class::<$name>()?; )*
            module.add_function(wrap_pyfunction!(_unpickle_model, module)?)?;
            module.add_function(wrap_pyfunction!(_field_table, module)?)?;
            module.add_function(wrap_pyfunction!(_endpoint_table, module)?)
        }
    };
}

crate::with_schemas!(define_models);
