//! The partial update that Gen 2 lacks: its `PUT` replaces the whole record (reference §3.5), so
//! `individuals.update` reads the record, applies the changes and sends the whole merged record back.

use serde_json::{Map, Value};

use crate::api::endpoints::{GET_INDIVIDUAL, REPLACE_INDIVIDUAL};
use crate::api::model::Record;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::http::request::ApiRequest;
use crate::http::response::Answered;

/// The call's name in messages (it has no endpoint of its own).
pub const UPDATE_CALL: &str = "individuals.update";

/// `GET` then `PUT /management/clients/individuals/{id}`. `changes` are checked body fields; those named in
/// `merge` are objects merged key by key into the stored ones (an address given as a dict), the others
/// replace what is stored, and `null` removes a field.
pub async fn update(client: &Client, id: &str, changes: Map<String, Value>, merge: &[String]) -> Result<Answered> {
    let current = client.fetch_one(&ApiRequest::new(&GET_INDIVIDUAL, &[id], &[], None)?).await?;
    let body = merged(&current, changes, merge);
    let replace = ApiRequest::new(&REPLACE_INDIVIDUAL, &[id], &[], Some(&body)).map_err(|e| match e {
        Error::MissingFields { fields, .. } => Error::MissingFields { call: UPDATE_CALL, fields },
        other => other,
    })?;
    client.call(&replace).await
}

/// The body of the replacing `PUT`: the stored record's writable fields (never `.extra`), with `changes`.
pub fn merged(current: &Record, changes: Map<String, Value>, merge: &[String]) -> Map<String, Value> {
    let writable = REPLACE_INDIVIDUAL.body.expect("a replace has a body");
    let mut body: Map<String, Value> = current.schema.fields.iter().enumerate()
        .filter(|&(i, field)| field.in_body(writable.mask) && current.is_set(i))
        .map(|(i, field)| (field.name.to_owned(), current.value(i).clone()))
        .collect();
    for (name, change) in changes {
        match (body.get_mut(&name), change) {
            (_, Value::Null) => {
                body.shift_remove(&name);
            }
            (Some(Value::Object(stored)), Value::Object(fields)) if merge.contains(&name) => {
                for (key, value) in fields {
                    if value.is_null() {
                        stored.shift_remove(&key);
                    } else {
                        stored.insert(key, value);
                    }
                }
            }
            (_, value) => {
                body.insert(name, value);
            }
        }
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::fields::INDIVIDUAL_CLIENT;
    use serde_json::json;

    fn stored() -> Record {
        Record::from_json(
            &INDIVIDUAL_CLIENT,
            json!({"id": "i1", "status": "pending", "first_name": "Ada", "last_name": "L", "email": "a@x.io",
                   "birth_date": "1990-01-02", "address": {"street_line1": "1 Main", "city": "Paris", "postal_code": "75001",
                   "state": "FRA-75", "country": "FRA"}, "created_at": "2026-01-01T00:00:00Z", "loyalty": "gold"}),
        )
        .unwrap()
    }

    fn changes(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn only_writable_fields_go_back_and_changes_win() {
        let body = merged(&stored(), changes(json!({"first_name": "Grace", "phone_number": 5})), &[]);
        assert_eq!(body["first_name"], "Grace");
        assert_eq!(body["phone_number"], 5);
        for absent in ["id", "status", "created_at", "loyalty"] {
            assert!(!body.contains_key(absent), "{absent}");
        }
        assert_eq!(body["address"]["city"], "Paris");
    }

    #[test]
    fn a_dict_address_merges_and_a_whole_one_replaces() {
        let body = merged(&stored(), changes(json!({"address": {"city": "Lyon", "street_line2": null}})), &["address".into()]);
        assert_eq!(body["address"], json!({"street_line1": "1 Main", "city": "Lyon", "postal_code": "75001", "state": "FRA-75", "country": "FRA"}));
        let body = merged(&stored(), changes(json!({"address": {"city": "Lyon"}})), &[]);
        assert_eq!(body["address"], json!({"city": "Lyon"}));
    }

    #[test]
    fn null_removes_a_field() {
        let body = merged(&stored(), changes(json!({"first_name": null})), &[]);
        assert!(!body.contains_key("first_name"));
    }
}
