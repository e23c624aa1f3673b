//! Records: API objects decoded and checked against their schema.

use serde_json::{Map, Value};

use crate::api::schema::{Body, Schema, ShapeError, UnknownKeys};

/// One API object. `values` follows `schema.fields` (`Value::Null` where the answer lacks the field);
/// keys the schema does not know are kept in `extra`, so a new server field never breaks a call.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub schema: &'static Schema,
    pub values: Vec<Value>,
    pub extra: Map<String, Value>,
}

impl Record {
    /// Decodes a JSON object, checking every known field's shape (nested objects keep unknown keys).
    pub fn from_json(schema: &'static Schema, value: Value) -> Result<Record, ShapeError> {
        let Value::Object(map) = value else {
            return Err(ShapeError {
                path: schema.name.to_owned(),
                problem: format!("expected an object, got {}", crate::api::schema::json_type_name(&value)),
            });
        };
        let mut values = vec![Value::Null; schema.fields.len()];
        let mut extra = Map::new();
        for (key, item) in map {
            match schema.index_of(&key) {
                Some(i) => {
                    schema.fields[i].kind.check(&item, &key, UnknownKeys::Allow)?;
                    values[i] = item;
                }
                None => {
                    extra.insert(key, item);
                }
            }
        }
        Ok(Record { schema, values, extra })
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.schema.index_of(name).map(|i| &self.values[i]).filter(|v| !v.is_null())
    }

    /// The wire form: known fields that are set, in table order, then the unknown ones.
    pub fn to_json(&self) -> Map<String, Value> {
        let mut map = Map::new();
        for (field, value) in self.schema.fields.iter().zip(&self.values) {
            if !value.is_null() {
                map.insert(field.name.to_owned(), value.clone());
            }
        }
        map.extend(self.extra.iter().map(|(k, v)| (k.clone(), v.clone())));
        map
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
