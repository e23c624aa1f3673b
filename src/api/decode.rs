//! Decoding a record straight from a response's bytes, guided by its schema.
//!
//! Parsing the whole answer into a `serde_json::Value` and sorting its keys into the record afterwards was
//! the largest part of a call's own CPU (a full client is about 50 fields and 7 nested objects, some 100
//! strings, every key hashed into an ordered map). Here each top-level key is matched against the schema
//! while parsing (in table order first, since servers answer that way), and each known field's JSON text
//! is checked against its kind without building anything, then kept where it is: the record decodes it
//! when it is first read (`Record::value`). What is accepted is exactly what `Kind::check` accepts.
//!
//! This is the fast path only: on any problem it gives up, and the caller decodes again through
//! `Record::from_json`, which says what is wrong.

use std::fmt;
use std::ops::Range;

use bytes::Bytes;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::api::model::{RawFields, Record};
use crate::api::schema::{parse_date, parse_timestamp, Field, Kind, Schema};

/// The record of `schema` that `body` holds, or `None` when it is not one (malformed JSON, trailing data,
/// not an object, a field of the wrong shape).
pub fn record_from_body(schema: &'static Schema, body: &Bytes) -> Option<Record> {
    let mut deserializer = serde_json::Deserializer::from_str(utf8(body)?);
    let (spans, extra) = RecordSeed { schema, body }.deserialize(&mut deserializer).ok()?;
    deserializer.end().ok()?;
    Some(Record::from_raw(schema, RawFields { body: body.clone(), spans }, extra))
}

/// The records of `schema` that `body` holds as a bare JSON array, or `None` when it is not one (the caller
/// then decodes it the long way, which also reads the `{"data": [...]}` form and says what is wrong). Every
/// record shares the one body.
pub fn records_from_body(schema: &'static Schema, body: &Bytes) -> Option<Vec<Record>> {
    let mut deserializer = serde_json::Deserializer::from_str(utf8(body)?);
    let records = deserializer.deserialize_seq(ListSeed { schema, body }).ok()?;
    deserializer.end().ok()?;
    Some(records)
}

/// The body as text, checked once: parsing from a `str` spares serde_json a UTF-8 check of every string and
/// of every field's raw text.
fn utf8(body: &[u8]) -> Option<&str> {
    std::str::from_utf8(body).ok()
}

struct ListSeed<'b> {
    schema: &'static Schema,
    body: &'b Bytes,
}

impl<'de> Visitor<'de> for ListSeed<'_> {
    type Value = Vec<Record>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an array of {} objects", self.schema.name)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Record>, A::Error> {
        let mut records = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some((spans, extra)) = seq.next_element_seed(RecordSeed { schema: self.schema, body: self.body })? {
            records.push(Record::from_raw(self.schema, RawFields { body: self.body.clone(), spans }, extra));
        }
        Ok(records)
    }
}

/// The value of a field kept as JSON text (`Null` when the answer lacked it).
pub fn field_value(raw: &RawFields, index: usize) -> Value {
    let text = &raw.body[span(&raw.spans[index])];
    if text.is_empty() {
        return Value::Null;
    }
    // Checked when the record was decoded, so it parses.
    serde_json::from_slice(text).unwrap_or(Value::Null)
}

/// Whether a field kept as JSON text holds something other than null.
pub fn field_is_set(raw: &RawFields, index: usize) -> bool {
    let text = &raw.body[span(&raw.spans[index])];
    !text.is_empty() && text != b"null"
}

fn span(range: &Range<u32>) -> Range<usize> {
    range.start as usize..range.end as usize
}

struct RecordSeed<'b> {
    schema: &'static Schema,
    body: &'b [u8],
}

impl<'de> DeserializeSeed<'de> for RecordSeed<'_> {
    type Value = (Vec<Range<u32>>, Map<String, Value>);

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RecordSeed<'_> {
    type Value = (Vec<Range<u32>>, Map<String, Value>);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} object", self.schema.name)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let fields = self.schema.fields;
        let mut spans = vec![0..0; fields.len()];
        let mut extra = Map::new();
        let mut next = 0;
        while let Some(key) = map.next_key_seed(KeySeed { fields, next })? {
            match key {
                Key::Known(i) => {
                    let raw: &RawValue = map.next_value()?;
                    let text = raw.get();
                    check(&fields[i].kind, text).map_err(|_| de::Error::custom("a field of the wrong shape"))?;
                    // The raw text borrows from the body being parsed: its place there.
                    let start = (text.as_ptr() as usize).wrapping_sub(self.body.as_ptr() as usize);
                    let end = start + text.len();
                    if end > self.body.len() {
                        return Err(de::Error::custom("a field outside the body"));
                    }
                    spans[i] = start as u32..end as u32;
                    next = i + 1;
                }
                Key::Unknown(name) => {
                    extra.insert(name, map.next_value()?);
                }
            }
        }
        Ok((spans, extra))
    }
}

/// Checks a field's JSON text (valid JSON already) against its kind, building nothing. Most fields are
/// plain strings, numbers or booleans, told apart by their first byte; the rest are parsed.
fn check(kind: &'static Kind, text: &str) -> Result<(), serde_json::Error> {
    let quoted = text.len() >= 2 && text.starts_with('"');
    let wrong = || <serde_json::Error as de::Error>::custom("wrong shape");
    match kind {
        _ if text == "null" => return Ok(()),
        Kind::Json => return Ok(()),
        Kind::Str => return if quoted { Ok(()) } else { Err(wrong()) },
        Kind::Bool => return if text == "true" || text == "false" { Ok(()) } else { Err(wrong()) },
        // Digits only (no fraction or exponent, which JSON reads as a float): what fits is an integer. serde_json
        // reads `-0` as a float too, and `Kind::check` refuses it.
        Kind::I32 | Kind::I64 if text == "-0" => return Err(wrong()),
        Kind::I32 => return text.parse::<i32>().map(|_| ()).map_err(|_| wrong()),
        Kind::I64 => return text.parse::<i64>().map(|_| ()).map_err(|_| wrong()),
        Kind::Date | Kind::Timestamp if quoted && !text.contains('\\') => {
            let inner = &text[1..text.len() - 1];
            let fits = if matches!(kind, Kind::Date) { parse_date(inner).is_ok() } else { parse_timestamp(inner).is_ok() };
            return if fits { Ok(()) } else { Err(wrong()) };
        }
        _ => {}
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    CheckSeed(kind).deserialize(&mut deserializer)?;
    deserializer.end()
}

enum Key {
    Known(usize),
    Unknown(String),
}

/// Finds a key's field while the key is still in the parser's buffer (no copy for a known field).
struct KeySeed {
    fields: &'static [Field],
    /// Where the search starts: the field after the last one seen.
    next: usize,
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
        let start = self.next.min(self.fields.len());
        let found = (start..self.fields.len()).chain(0..start).find(|&i| self.fields[i].name == name);
        Ok(found.map_or_else(|| Key::Unknown(name.to_owned()), Key::Known))
    }
}

/// A nested object's key: its field, if the schema has one by that name.
struct FieldSeed(&'static Schema);

impl<'de> DeserializeSeed<'de> for FieldSeed {
    type Value = Option<&'static Field>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for FieldSeed {
    type Value = Option<&'static Field>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Self::Value, E> {
        Ok(self.0.field(name))
    }
}

/// Accepts what `Kind::check` accepts for its kind: null anywhere, anything for `Json`, integers in range,
/// real dates and timestamps, nested objects and arrays item by item (unknown nested keys allowed).
struct CheckSeed(&'static Kind);

impl<'de> DeserializeSeed<'de> for CheckSeed {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        match self.0 {
            Kind::Json => deserializer.deserialize_ignored_any(IgnoredAny).map(|_| ()),
            _ => deserializer.deserialize_any(self),
        }
    }
}

impl CheckSeed {
    fn integer<E: de::Error>(&self, fits_i32: bool, fits_i64: bool) -> Result<(), E> {
        match self.0 {
            Kind::I32 if fits_i32 => Ok(()),
            Kind::I64 if fits_i64 => Ok(()),
            _ => Err(E::custom("wrong shape")),
        }
    }
}

impl<'de> Visitor<'de> for CheckSeed {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.describe())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        match self.0 {
            Kind::Bool => Ok(()),
            _ => Err(E::custom("wrong shape")),
        }
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<(), E> {
        self.integer(i32::try_from(n).is_ok(), true)
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<(), E> {
        self.integer(i32::try_from(n).is_ok(), i64::try_from(n).is_ok())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(E::custom("wrong shape"))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<(), E> {
        let fits = match self.0 {
            Kind::Str => true,
            Kind::Date => parse_date(text).is_ok(),
            Kind::Timestamp => parse_timestamp(text).is_ok(),
            _ => false,
        };
        if fits { Ok(()) } else { Err(E::custom("wrong shape")) }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Kind::Object(schema) = self.0 else { return Err(de::Error::custom("wrong shape")) };
        while let Some(field) = map.next_key_seed(FieldSeed(schema))? {
            match field {
                Some(field) => map.next_value_seed(CheckSeed(&field.kind))?,
                None => map.next_value::<IgnoredAny>().map(|_| ())?,
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Kind::List(item) = self.0 else { return Err(de::Error::custom("wrong shape")) };
        while seq.next_element_seed(CheckSeed(item))?.is_some() {}
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::fields::COMPANY_CLIENT;
    use serde_json::json;

    fn fast(text: &[u8]) -> Option<Record> {
        record_from_body(&COMPANY_CLIENT, &Bytes::copy_from_slice(text))
    }

    fn both(json: &Value) -> (Option<Record>, Option<Record>) {
        (fast(&serde_json::to_vec(json).unwrap()), Record::from_json(&COMPANY_CLIENT, json.clone()).ok())
    }

    #[test]
    fn decodes_what_from_json_decodes() {
        let body = json!({
            "id": "client_1", "first_name": "Ada", "loyalty_tier": "gold", "sms": null, "phone_country_code": 54,
            "phone_number": 1155551234u64, "address": {"city": "Paris", "floor": 3}, "wallet_ids": ["w1", "w2"],
            "documents": [{"name": "passport", "pages": 32}], "birth_date": "1990-05-17",
            "created_at": "2024-01-02T03:04:05Z", "zzz": {"nested": [1, 2.5, null]}, "last_name": "Lovelace", "id2": 1
        });
        let (fast, slow) = both(&body);
        assert!(fast.is_some());
        assert_eq!(fast, slow);
        let fast = fast.unwrap();
        assert_eq!(fast.extra.keys().collect::<Vec<_>>(), ["loyalty_tier", "zzz", "id2"]);
        assert_eq!(fast.to_json(), slow.unwrap().to_json());
    }

    #[test]
    fn fields_are_set_or_not_without_decoding() {
        let record = fast(br#"{"first_name": "Ada", "sms": null, "otp": false}"#).unwrap();
        let set = |name| record.is_set(COMPANY_CLIENT.index_of(name).unwrap());
        assert!(set("first_name") && set("otp"));
        assert!(!set("sms") && !set("last_name"));
        assert_eq!(record.get("first_name"), Some(&json!("Ada")));
        assert_eq!(record.get("sms"), None);
    }

    #[test]
    fn a_repeated_key_keeps_its_last_value_like_from_json() {
        let text = br#"{"first_name": "A", "x": 1, "first_name": "B", "x": 2}"#;
        let slow = Record::from_json(&COMPANY_CLIENT, serde_json::from_slice(text).unwrap()).unwrap();
        let fast = fast(text).unwrap();
        assert_eq!(fast, slow);
        assert_eq!(fast.get("first_name"), Some(&json!("B")));
    }

    #[test]
    fn escaped_keys_and_values_are_read() {
        let record = fast(br#"{"first\u005fname": "A\u00e9\n", "caf\u00e9": 1}"#).unwrap();
        assert_eq!(record.get("first_name"), Some(&json!("A\u{e9}\n")));
        assert_eq!(record.extra.get("caf\u{e9}"), Some(&json!(1)));
    }

    #[test]
    fn gives_up_on_anything_from_json_refuses_or_bad_json() {
        for body in [json!([]), json!({"sms": "yes"}), json!({"birth_date": "not-a-date"}), json!({"address": 5}),
                     json!({"created_at": "later"}), json!({"documents": [{"name": 5}]}), json!("text"), json!(null),
                     json!({"phone_country_code": 2_147_483_648u64}), json!({"phone_number": u64::MAX}),
                     json!({"phone_number": 1.5}), json!({"otp": 1}), json!({"address": {"city": 5}}),
                     json!({"wallet_ids": "w1"}), json!({"wallet_ids": [1]})] {
            assert_eq!(both(&body), (None, None), "{body}");
        }
        for text in [&b"{"[..], b"{\"id\": \"a\"} trailing", b"", b"{\"id\": \"a\",}", b"{\"id\": \"\xff\"}"] {
            assert!(fast(text).is_none());
        }
        // Numbers JSON reads as floats are not integers, whatever their value.
        for text in [&br#"{"phone_number": 1e3}"#[..], br#"{"phone_number": 10.0}"#, br#"{"phone_number": -0}"#,
                     br#"{"phone_country_code": -0}"#, br#"{"birth_date": "1990-02-30"}"#] {
            assert!(fast(text).is_none(), "{}", String::from_utf8_lossy(text));
            assert!(Record::from_json(&COMPANY_CLIENT, serde_json::from_slice(text).unwrap()).is_err());
        }
        let escaped = fast(br#"{"birth_date": "1990-05-17"}"#).unwrap();
        assert_eq!(escaped.get("birth_date"), Some(&json!("1990-05-17")));
    }

    #[test]
    fn a_list_decodes_like_its_items_one_by_one() {
        let list = json!([{"id": "a", "sms": true, "x": 1}, {"id": "b", "address": {"city": "Rosario"}}, {}]);
        let fast = records_from_body(&COMPANY_CLIENT, &Bytes::from(serde_json::to_vec(&list).unwrap())).unwrap();
        let slow: Vec<Record> = list.as_array().unwrap().iter().map(|v| Record::from_json(&COMPANY_CLIENT, v.clone()).unwrap()).collect();
        assert_eq!(fast, slow);
        for refused in [&b"{\"data\": []}"[..], b"[{\"sms\": 1}]", b"[1]", b"[{}] x", b"[{},]"] {
            assert!(records_from_body(&COMPANY_CLIENT, &Bytes::copy_from_slice(refused)).is_none());
        }
        assert_eq!(records_from_body(&COMPANY_CLIENT, &Bytes::from_static(b"[]")), Some(vec![]));
    }

    #[test]
    fn accepts_whatever_from_json_accepts() {
        for body in [json!({}), json!({"phone_country_code": -5, "phone_number": i64::MIN}), json!({"address": {}}),
                     json!({"documents": []}), json!({"documents": [null, {"name": null}]}), json!({"extra": [1]})] {
            let (fast, slow) = both(&body);
            assert!(fast.is_some() && fast == slow, "{body}");
        }
    }
}
