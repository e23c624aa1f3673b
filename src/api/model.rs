//! Records: API objects decoded and checked against their schema.

use std::ops::Range;
use std::sync::OnceLock;

use bytes::Bytes;
use serde_json::{Map, Value};

use crate::api::schema::{Body, Schema, ShapeError, UnknownKeys};

/// One API object: a value per field of `schema` (`Value::Null` where the answer lacks it); keys the schema
/// does not know are kept in `extra`, so a new server field never breaks a call.
///
/// A record decoded from a response keeps each field as the checked JSON text it came as, and decodes it
/// to a `Value` on first use (`decode.rs`): a caller that reads three fields of fifty does not pay for
/// building the other forty-seven.
#[derive(Debug, Clone)]
pub struct Record {
    pub schema: &'static Schema,
    values: Vec<OnceLock<Value>>,
    /// The response the undecoded fields are read from.
    raw: Option<RawFields>,
    pub extra: Map<String, Value>,
}

/// Where each field's JSON text is in a response body; an empty span for a field it lacks.
#[derive(Debug, Clone)]
pub struct RawFields {
    pub body: Bytes,
    pub spans: Vec<Range<u32>>,
}

impl Record {
    /// A record with no field set.
    pub fn empty(schema: &'static Schema) -> Record {
        Record { schema, values: unset(schema), raw: None, extra: Map::new() }
    }

    /// A record whose fields are still in `raw` (already checked against the schema).
    pub fn from_raw(schema: &'static Schema, raw: RawFields, extra: Map<String, Value>) -> Record {
        Record { schema, values: unset(schema), raw: Some(raw), extra }
    }

    /// Decodes a JSON object, checking every known field's shape (nested objects keep unknown keys).
    pub fn from_json(schema: &'static Schema, value: Value) -> Result<Record, ShapeError> {
        let Value::Object(map) = value else {
            return Err(ShapeError {
                path: schema.name.to_owned(),
                problem: format!("expected an object, got {}", crate::api::schema::json_type_name(&value)),
            });
        };
        let mut record = Record::empty(schema);
        for (key, item) in map {
            match schema.index_of(&key) {
                Some(i) => {
                    schema.fields[i].kind.check(&item, &key, UnknownKeys::Allow)?;
                    record.set(i, item);
                }
                None => {
                    record.extra.insert(key, item);
                }
            }
        }
        Ok(record)
    }

    /// The value of the field at `index` (decoded now if it was still JSON text).
    pub fn value(&self, index: usize) -> &Value {
        self.values[index].get_or_init(|| match &self.raw {
            Some(raw) => crate::api::decode::field_value(raw, index),
            None => Value::Null,
        })
    }

    pub fn set(&mut self, index: usize, value: Value) {
        self.values[index] = OnceLock::from(value);
    }

    /// Whether the field at `index` holds something other than null (without decoding it).
    pub fn is_set(&self, index: usize) -> bool {
        match (self.values[index].get(), &self.raw) {
            (Some(value), _) => !value.is_null(),
            (None, Some(raw)) => crate::api::decode::field_is_set(raw, index),
            (None, None) => false,
        }
    }

    /// Every field's value, in table order.
    pub fn values(&self) -> impl Iterator<Item = &Value> {
        (0..self.values.len()).map(|i| self.value(i))
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.schema.index_of(name).map(|i| self.value(i)).filter(|v| !v.is_null())
    }

    /// The wire form: known fields that are set, in table order, then the unknown ones.
    pub fn to_json(&self) -> Map<String, Value> {
        let mut map = Map::new();
        for (field, value) in self.schema.fields.iter().zip(self.values()) {
            if !value.is_null() {
                map.insert(field.name.to_owned(), value.clone());
            }
        }
        map.extend(self.extra.iter().map(|(k, v)| (k.clone(), v.clone())));
        map
    }
}

/// Records are equal when their schema and values are, however they were decoded.
impl PartialEq for Record {
    fn eq(&self, other: &Record) -> bool {
        self.schema == other.schema && self.extra == other.extra && self.values().eq(other.values())
    }
}

/// Checks a request body: unknown or read-only keys are refused, values must have their field's shape.
/// (Required fields are `Body::missing_required`'s business.)
pub fn check_request_body(body: &Body, map: &Map<String, Value>) -> Result<(), ShapeError> {
    for (key, value) in map {
        match body.field(key) {
            Some(field) => field.kind.check(value, key, UnknownKeys::Reject)?,
            None => return Err(ShapeError { path: key.clone(), problem: "unknown or read-only field".into() }),
        }
    }
    Ok(())
}

/// One empty slot per field. Built one by one: `vec![OnceLock::new(); n]` would clone, and cloning a
/// `OnceLock` reads its state first (7 % of the time to decode a full client).
fn unset(schema: &Schema) -> Vec<OnceLock<Value>> {
    (0..schema.fields.len()).map(|_| OnceLock::new()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::fields::COMPANY_CLIENT;
    use serde_json::json;

    #[test]
    fn unknown_fields_go_to_extra_and_round_trip() {
        let body = json!({"id": "client_1", "first_name": "Ada", "loyalty_tier": "gold", "address": {"city": "Paris", "floor": 3}});
        let record = Record::from_json(&COMPANY_CLIENT, body).unwrap();
        assert_eq!(record.get("first_name"), Some(&json!("Ada")));
        assert_eq!(record.get("last_name"), None);
        assert_eq!(record.extra.get("loyalty_tier"), Some(&json!("gold")));
        let wire = record.to_json();
        assert_eq!(wire.keys().collect::<Vec<_>>(), ["id", "first_name", "address", "loyalty_tier"]);
        assert_eq!(wire["address"], json!({"city": "Paris", "floor": 3}));
    }

    #[test]
    fn wrong_shapes_are_refused() {
        for body in [json!([]), json!({"sms": "yes"}), json!({"birth_date": "not-a-date"}), json!({"address": 5}),
                     json!({"created_at": "later"}), json!({"documents": [{"name": 5}]})] {
            assert!(Record::from_json(&COMPANY_CLIENT, body.clone()).is_err(), "{body}");
        }
        assert!(Record::from_json(&COMPANY_CLIENT, json!({"sms": null, "birth_date": "1990-05-17"})).is_ok());
    }

    #[test]
    fn request_bodies_accept_only_writable_fields() {
        let body = crate::api::endpoints::UPDATE_CLIENT.body.unwrap();
        let ok = json!({"first_name": "A", "sms": null, "address": {"city": "X"}});
        assert!(check_request_body(&body, ok.as_object().unwrap()).is_ok());
        for bad in [json!({"status": "ACTIVE"}), json!({"nope": 1}), json!({"address": {"planet": "X"}}), json!({"otp": 1}),
                    json!({"business_legal_name": "ACME"})] {
            assert!(check_request_body(&body, bad.as_object().unwrap()).is_err(), "{bad}");
        }
    }
}
