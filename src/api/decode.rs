//! Decoding a record straight from a response's bytes, guided by its schema.
//!
//! Parsing the whole answer into a `serde_json::Value` first and sorting its keys into the record second
//! was the largest part of a call's own CPU (a full client is about 50 fields and 7 nested objects; every
//! key hashed into an ordered map, then looked up again). Here each top-level key is matched against the
//! schema while parsing (in table order first, since servers answer that way), its value goes straight to
//! its slot, and nested objects get maps sized for their schema. The values kept are the same `Value`s
//! `Record::from_json` keeps, checked the same way.
//!
//! This is the fast path only: on any problem it gives up, and the caller decodes again through
//! `Record::from_json`, which says what is wrong.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize as _;
use serde_json::{Map, Value};

use crate::api::model::Record;
use crate::api::schema::{Kind, Schema, UnknownKeys};

/// The record of `schema` that `json` holds, or `None` when it is not one (malformed JSON, trailing data,
/// not an object, a field of the wrong shape).
pub fn record_from_slice(schema: &'static Schema, json: &[u8]) -> Option<Record> {
    let mut deserializer = serde_json::Deserializer::from_slice(json);
    let record = RecordSeed(schema).deserialize(&mut deserializer).ok()?;
    deserializer.end().ok()?;
    Some(record)
}

struct RecordSeed(&'static Schema);

impl<'de> DeserializeSeed<'de> for RecordSeed {
    type Value = Record;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Record, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RecordSeed {
    type Value = Record;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} object", self.0.name)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Record, A::Error> {
        let schema = self.0;
        let mut values = vec![Value::Null; schema.fields.len()];
        let mut extra = Map::new();
        let mut next = 0;
        while let Some(key) = map.next_key_seed(KeySeed { schema, next })? {
            match key {
                Key::Known(i) => {
                    let field = &schema.fields[i];
                    let value = map.next_value_seed(ValueSeed(&field.kind))?;
                    if field.kind.check(&value, field.name, UnknownKeys::Allow).is_err() {
                        return Err(de::Error::custom("a field of the wrong shape"));
                    }
                    values[i] = value;
                    next = i + 1;
                }
                Key::Unknown(name) => {
                    extra.insert(name, map.next_value()?);
                }
            }
        }
        Ok(Record { schema, values, extra })
    }
}

enum Key {
    Known(usize),
    Unknown(String),
}

/// Finds a key's field while the key is still in the parser's buffer (no copy for a known field).
struct KeySeed {
    schema: &'static Schema,
    /// Where the search starts: the field after the last one seen.
    next: usize,
}

impl KeySeed {
    fn find(&self, name: &str) -> Option<usize> {
        let fields = self.schema.fields;
        let start = self.next.min(fields.len());
        (start..fields.len()).chain(0..start).find(|&i| fields[i].name == name)
    }
}

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Key, E> {
        Ok(self.find(name).map_or_else(|| Key::Unknown(name.to_owned()), Key::Known))
    }
}

/// A field's value as a `Value`; an object of a known schema is collected into a map of its size.
struct ValueSeed(&'static Kind);

impl<'de> DeserializeSeed<'de> for ValueSeed {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        match self.0 {
            Kind::Object(_) | Kind::List(_) => deserializer.deserialize_any(self),
            _ => Value::deserialize(deserializer),
        }
    }
}

impl<'de> Visitor<'de> for ValueSeed {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.describe())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let Kind::Object(schema) = self.0 else { return Err(de::Error::custom("not an object")) };
        let mut object = Map::with_capacity(schema.fields.len());
        while let Some(key) = map.next_key::<String>()? {
            let value = match schema.field(&key) {
                Some(field) => map.next_value_seed(ValueSeed(&field.kind))?,
                None => map.next_value()?,
            };
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let Kind::List(item) = self.0 else { return Err(de::Error::custom("not an array")) };
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(value) = seq.next_element_seed(ValueSeed(item))? {
            items.push(value);
        }
        Ok(Value::Array(items))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::fields::COMPANY_CLIENT;
    use serde_json::json;

    fn both(json: &Value) -> (Option<Record>, Option<Record>) {
        let text = serde_json::to_vec(json).unwrap();
        (record_from_slice(&COMPANY_CLIENT, &text), Record::from_json(&COMPANY_CLIENT, json.clone()).ok())
    }

    #[test]
    fn decodes_what_from_json_decodes() {
        let body = json!({
            "id": "client_1", "first_name": "Ada", "loyalty_tier": "gold", "sms": null, "phone_country_code": 54,
            "address": {"city": "Paris", "floor": 3}, "documents": [{"name": "passport", "pages": 32}],
            "wallet_ids": ["w1", "w2"], "birth_date": "1990-05-17", "zzz": {"nested": [1, 2.5, null]},
            "last_name": "Lovelace", "id2": 1
        });
        let (fast, slow) = both(&body);
        assert!(fast.is_some());
        assert_eq!(fast, slow);
        let fast = fast.unwrap();
        assert_eq!(fast.extra.keys().collect::<Vec<_>>(), ["loyalty_tier", "zzz", "id2"]);
    }

    #[test]
    fn a_repeated_key_keeps_its_last_value_like_from_json() {
        let text = br#"{"first_name": "A", "x": 1, "first_name": "B", "x": 2}"#;
        let fast = record_from_slice(&COMPANY_CLIENT, text).unwrap();
        let slow = Record::from_json(&COMPANY_CLIENT, serde_json::from_slice(text).unwrap()).unwrap();
        assert_eq!(fast, slow);
        assert_eq!(fast.get("first_name"), Some(&json!("B")));
    }

    #[test]
    fn escaped_keys_and_values_are_read() {
        let text = br#"{"first\u005fname": "A\u00e9", "caf\u00e9": 1}"#;
        let fast = record_from_slice(&COMPANY_CLIENT, text).unwrap();
        assert_eq!(fast.get("first_name"), Some(&json!("A\u{e9}")));
        assert_eq!(fast.extra.get("caf\u{e9}"), Some(&json!(1)));
    }

    #[test]
    fn gives_up_on_anything_from_json_refuses_or_bad_json() {
        for body in [json!([]), json!({"sms": "yes"}), json!({"birth_date": "not-a-date"}), json!({"address": 5}),
                     json!({"created_at": "later"}), json!({"documents": [{"name": 5}]}), json!("text"), json!(null)] {
            assert_eq!(both(&body), (None, None), "{body}");
        }
        for text in [&b"{"[..], b"{\"id\": \"a\"} trailing", b"", b"{\"id\": \"a\",}"] {
            assert!(record_from_slice(&COMPANY_CLIENT, text).is_none());
        }
    }
}
