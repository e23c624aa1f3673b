//! Python arguments -> the core's requests, and the core's answers -> Python: one function per API call,
//! shared by `Client`, `AsyncClient` and their `individuals` (they differ only in how they wait).

use std::future::Future;
use std::pin::Pin;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt, PyList, PyMapping, PyString, PyTuple};
use serde_json::{Map, Value};

use crate::api::endpoints::{Endpoint, GET_CLIENT_BY_WHATSAPP_PHONE, LIST_CLIENTS, REPLACE_INDIVIDUAL, UPDATE_CLIENT};
use crate::client::Client as CoreClient;
use crate::error::Error;
use crate::http::request::ApiRequest;
use crate::http::response::Answered;

use super::client::core_error;
use super::convert::{fields_to_json, Accepts};
use super::models::instance_from_record;

pub fn client_id(id: &Bound<'_, PyAny>) -> PyResult<String> {
    path_param(id, "id")
}

/// A path parameter (`id`, `country_code`): a str, sent as one encoded segment.
fn path_param(value: &Bound<'_, PyAny>, name: &str) -> PyResult<String> {
    match value.cast::<PyString>() {
        Ok(s) => Ok(s.to_cow()?.into_owned()),
        Err(_) => Err(PyTypeError::new_err(format!("{name} must be a str, got {}", type_name(value)))),
    }
}

/// A request on its way: the core future every API method builds, run by `Client` (blocking) or
/// `AsyncClient` (a coroutine).
pub type CoreCall = Pin<Box<dyn Future<Output = Result<Answered, Error>> + Send>>;

pub fn send(core: &CoreClient, request: ApiRequest) -> CoreCall {
    let core = core.clone();
    Box::pin(async move { core.call(&request).await })
}

/// What a call returns to Python: a model, a list of models, or None.
pub fn answered_to_py(py: Python<'_>, answered: Answered) -> PyResult<Bound<'_, PyAny>> {
    match answered {
        Answered::One(record) => instance_from_record(py, record),
        Answered::Many(records) => {
            let items = records.into_iter().map(|r| instance_from_record(py, r)).collect::<PyResult<Vec<_>>>()?;
            Ok(PyList::new(py, items)?.into_any())
        }
        Answered::Nothing => Ok(py.None().into_bound(py)),
    }
}

/// A request of `endpoint` whose body is `fields`, checked against what the body accepts and requires.
pub fn body_request(
    py: Python<'_>,
    endpoint: &'static Endpoint,
    params: &[&str],
    fields: Option<&Bound<'_, PyDict>>,
) -> PyResult<ApiRequest> {
    let body = body_fields(endpoint, endpoint.call, fields)?;
    ApiRequest::new(endpoint, params, &[], Some(&body)).map_err(core_error(py))
}

/// `fields` as a JSON body of `endpoint` (required fields not yet checked); `call` names the method in errors.
pub fn body_fields(endpoint: &'static Endpoint, call: &str, fields: Option<&Bound<'_, PyDict>>) -> PyResult<Map<String, Value>> {
    let body = endpoint.body.expect("an endpoint with a body");
    match fields {
        Some(fields) => fields_to_json(Accepts::Body(body), fields, "", &format!("{call}()")),
        None => Ok(Map::new()),
    }
}

/// A request of `endpoint` without a body; `id` fills its one path parameter, if it has one.
pub fn plain_request(py: Python<'_>, endpoint: &'static Endpoint, id: Option<&Bound<'_, PyAny>>) -> PyResult<ApiRequest> {
    let name = endpoint.path_params().next().unwrap_or("id");
    let id = id.map(|value| path_param(value, name)).transpose()?;
    let params: Vec<&str> = id.iter().map(String::as_str).collect();
    ApiRequest::new(endpoint, &params, &[], None).map_err(core_error(py))
}

/// `PUT /management/clients/{id}` from `update_client`'s arguments, checked before anything is sent.
pub fn update_request(py: Python<'_>, id: &Bound<'_, PyAny>, fields: Option<&Bound<'_, PyDict>>) -> PyResult<ApiRequest> {
    let id = client_id(id)?;
    ApiRequest::update_client(&id, &body_fields(&UPDATE_CLIENT, UPDATE_CLIENT.call, fields)?).map_err(core_error(py))
}

/// One item of `update_clients`: an `(id, fields)` pair, `fields` a mapping of `update_client`'s arguments.
pub fn bulk_update_request(item: &Bound<'_, PyAny>) -> PyResult<ApiRequest> {
    let malformed = || {
        PyTypeError::new_err(format!(
            "update_clients(): each item must be an (id, fields) pair with fields a mapping, got {}",
            type_name(item)
        ))
    };
    let pair = item.cast::<PyTuple>().map_err(|_| malformed())?;
    if pair.len() != 2 {
        return Err(malformed());
    }
    let fields = pair.get_item(1)?;
    let fields = match fields.cast::<PyDict>() {
        Ok(dict) => dict.clone(),
        Err(_) => match fields.cast::<PyMapping>() {
            Ok(mapping) => PyDict::from_sequence(&mapping.items()?.into_any())?,
            Err(_) => return Err(malformed()),
        },
    };
    update_request(item.py(), &pair.get_item(0)?, Some(&fields))
}

/// `GET /management/clients` with the boolean filters given (None or left out: not sent). Each filter is
/// named as the endpoint's query names it; a name the table does not have is refused, not sent.
pub fn list_request(py: Python<'_>, filters: &[(&str, Option<&Bound<'_, PyAny>>)]) -> PyResult<ApiRequest> {
    let mut query = Vec::new();
    for &(name, value) in filters {
        if !LIST_CLIENTS.query.contains(&name) {
            return Err(PyTypeError::new_err(format!("list_clients has no filter {name:?}")));
        }
        let Some(value) = value.filter(|value| !value.is_none()) else { continue };
        let value = value.cast::<PyBool>().map_err(|_| {
            PyTypeError::new_err(format!("list_clients(): {name} must be a bool or None, got {}", type_name(value)))
        })?;
        query.push((name, value.is_true().to_string()));
    }
    ApiRequest::new(&LIST_CLIENTS, &[], &query, None).map_err(core_error(py))
}

/// `GET /management/clients/by-phone-whatsapp`: the full number (country code first) as digits, or an int.
pub fn by_phone_request(py: Python<'_>, number: &Bound<'_, PyAny>) -> PyResult<ApiRequest> {
    let digits = if number.is_instance_of::<PyBool>() {
        None
    } else if let Ok(n) = number.cast::<PyInt>() {
        Some(n.to_string())
    } else {
        Some(number.cast::<PyString>().map_err(|_| {
            PyTypeError::new_err(format!("full_phone_number must be a str of digits or an int, got {}", type_name(number)))
        })?.to_cow()?.into_owned())
    };
    let digits = digits.ok_or_else(|| PyTypeError::new_err("full_phone_number must be a str of digits or an int, got bool"))?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PyValueError::new_err(format!(
            "full_phone_number must be the digits of the number with its country code (e.g. '14155551234'), got {digits:?}"
        )));
    }
    let [number_parameter] = GET_CLIENT_BY_WHATSAPP_PHONE.query else { unreachable!("one query parameter") };
    ApiRequest::new(&GET_CLIENT_BY_WHATSAPP_PHONE, &[], &[(number_parameter, digits)], None).map_err(core_error(py))
}

/// `individuals.update`: the changes, checked like a replace's fields; an object given as a dict is merged
/// into the stored one, a model replaces it.
pub fn individual_update(core: &CoreClient, id: &Bound<'_, PyAny>, changes: Option<&Bound<'_, PyDict>>) -> PyResult<CoreCall> {
    let id = client_id(id)?;
    let changed = body_fields(&REPLACE_INDIVIDUAL, crate::individuals::UPDATE_CALL, changes)?;
    let mut merge = Vec::new();
    if let Some(changes) = changes {
        for (name, value) in changes.iter() {
            if value.is_instance_of::<PyDict>() {
                merge.push(name.extract::<String>()?);
            }
        }
    }
    let core = core.clone();
    Ok(Box::pin(async move { crate::individuals::update(&core, &id, changed, &merge).await }))
}

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value.get_type().name().map(|n| n.to_string()).unwrap_or_default()
}
