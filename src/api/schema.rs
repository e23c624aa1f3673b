//! The vocabulary of the field table: wire kinds, fields, schemas, and checking JSON values against them.
//!
//! The table itself is in `fields.rs` beside it; this module only says what a row means.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime};
use serde_json::{Map, Value};

/// How a field travels on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Str,
    /// A JSON integer that fits a signed 32-bit integer.
    I32,
    /// A JSON integer that fits a signed 64-bit integer (the API's "long").
    I64,
    Bool,
    /// A `"YYYY-MM-DD"` string naming a real date.
    Date,
    /// An ISO-8601 timestamp; without an offset it is UTC.
    Timestamp,
    /// A JSON object described by another schema.
    Object(&'static Schema),
    /// A JSON array whose items are all of one kind.
    List(&'static Kind),
    /// Any JSON value (shapes the docs leave open).
    Json,
}

/// One row of the field table.
#[derive(Debug)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
    /// The request bodies that accept it (`body::UPDATE | body::CREATE ...`); 0: answers only.
    pub bodies: u8,
    /// The bodies that must carry it.
    pub required: u8,
}

impl Field {
    pub fn in_body(&self, mask: u8) -> bool {
        self.bodies & mask != 0
    }
}

/// The request bodies a field can be in, as bits, and the table's flags that name them.
pub mod body {
    pub const UPDATE: u8 = 1;
    pub const CREATE: u8 = 2;
    pub const BUSINESS: u8 = 4;
    /// Any body: a field of an object nested in a body (an address) is sent wherever its object is.
    pub const ANY: u8 = UPDATE | CREATE | BUSINESS;

    /// The bits of the table's flags (`create`, `business_required`, ...): the bodies that accept the field,
    /// or with `required_only` the bodies that require it. An unknown flag fails the build.
    pub const fn parse(flags: &[&str], required_only: bool) -> u8 {
        let mut bits = 0;
        let mut i = 0;
        while i < flags.len() {
            let (bit, required) = match flags[i].as_bytes() {
                b"update" => (UPDATE, false),
                b"create" => (CREATE, false),
                b"business" => (BUSINESS, false),
                b"create_required" => (CREATE, true),
                b"business_required" => (BUSINESS, true),
                _ => panic!("unknown flag in the field table"),
            };
            if required || !required_only {
                bits |= bit;
            }
            i += 1;
        }
        bits
    }
}

/// A request body: the fields of `schema` (and of `extra`, fields that no answer carries) that body `mask`
/// accepts.
#[derive(Debug, Clone, Copy)]
pub struct Body {
    pub schema: &'static Schema,
    pub mask: u8,
    pub extra: Option<&'static Schema>,
}

impl Body {
    /// Whether this body must carry `field`.
    pub fn requires(&self, field: &Field) -> bool {
        field.required & self.mask != 0
    }

    pub fn fields(&self) -> impl Iterator<Item = &'static Field> + '_ {
        self.schema.body_fields(self.mask).chain(self.extra.into_iter().flat_map(|extra| extra.body_fields(self.mask)))
    }

    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields().find(|f| f.name == name)
    }

    /// The accepted field closest to a misspelt name, for "did you mean" hints.
    pub fn closest(&self, name: &str) -> Option<&'static str> {
        closest(self.fields(), name)
    }

    /// The required fields missing from `body`, nested ones as paths (`address.city`), in table order.
    pub fn missing_required(&self, body: &Map<String, Value>) -> Vec<String> {
        let mut missing = Vec::new();
        for field in self.fields() {
            let required = self.requires(field);
            // Only required fields and objects (which may require fields of their own) are looked up.
            if !required && !field.kind.holds_fields() {
                continue;
            }
            match body.get(field.name) {
                None | Some(Value::Null) if required => missing.push(field.name.to_owned()),
                Some(value) => missing_nested(&field.kind, value, field.name, &mut missing),
                None => {}
            }
        }
        missing
    }
}

/// Required fields of objects nested in a body (required wherever the object is sent). Paths are built
/// only for a missing field and for what may hold one: this runs for every body sent.
fn missing_nested(kind: &Kind, value: &Value, path: &str, missing: &mut Vec<String>) {
    match (kind, value) {
        (Kind::Object(schema), Value::Object(map)) => {
            for field in schema.fields {
                match map.get(field.name) {
                    None | Some(Value::Null) if field.required != 0 => missing.push(format!("{path}.{}", field.name)),
                    Some(item) if field.kind.holds_fields() => {
                        missing_nested(&field.kind, item, &format!("{path}.{}", field.name), missing)
                    }
                    _ => {}
                }
            }
        }
        (Kind::List(item_kind), Value::Array(items)) if item_kind.holds_fields() => {
            for (i, item) in items.iter().enumerate() {
                missing_nested(item_kind, item, &format!("{path}[{i}]"), missing);
            }
        }
        _ => {}
    }
}

fn closest(fields: impl Iterator<Item = &'static Field>, name: &str) -> Option<&'static str> {
    fields
        .map(|f| (edit_distance(name, f.name), f.name))
        .filter(|(d, candidate)| *d <= (candidate.len().max(name.len()) / 2).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

/// A JSON object type of the API: its fields, in the order the docs give them.
#[derive(Debug)]
pub struct Schema {
    pub name: &'static str,
    pub fields: &'static [Field],
}

/// A schema is identified by its static: two schemas are equal when they are the same table.
impl PartialEq for Schema {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Eq for Schema {}

impl Schema {
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    /// `index_of` for compile time (generated attribute getters); a name not in the table fails the build.
    pub const fn const_index(&self, name: &str) -> usize {
        let mut i = 0;
        while i < self.fields.len() {
            if const_str_eq(self.fields[i].name, name) {
                return i;
            }
            i += 1;
        }
        panic!("no such field in the table")
    }

    pub fn body_fields(&self, mask: u8) -> impl Iterator<Item = &'static Field> {
        self.fields.iter().filter(move |f| f.in_body(mask))
    }

    /// The known field closest to a misspelt name, for "did you mean" hints.
    pub fn closest(&self, name: &str) -> Option<&'static str> {
        closest(self.fields.iter(), name)
    }
}

/// A value that does not have the shape its field's kind requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeError {
    /// Where in the document, e.g. `address.city` or `documents[2]`.
    pub path: String,
    pub problem: String,
}

impl ShapeError {
    /// This error, found in the item at `parent`: `parent` + `separator` + its own path.
    fn within(mut self, parent: &str, separator: &str) -> ShapeError {
        self.path = if self.path.is_empty() { parent.to_owned() } else { format!("{parent}{separator}{}", self.path) };
        self
    }
}

impl std::fmt::Display for ShapeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.problem)
    }
}

/// Whether keys a schema does not know are an error (request bodies) or kept aside (responses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnknownKeys {
    Reject,
    Allow,
}

impl Kind {
    /// Checks `value` against this kind. `null` is accepted everywhere: every field is optional.
    pub fn check(&self, value: &Value, path: &str, unknown: UnknownKeys) -> Result<(), ShapeError> {
        let fail = |problem: String| Err(ShapeError { path: path.to_owned(), problem });
        match (self, value) {
            (_, Value::Null) | (Kind::Json, _) | (Kind::Str, Value::String(_)) | (Kind::Bool, Value::Bool(_)) => Ok(()),
            (Kind::I32, Value::Number(n)) => match n.as_i64() {
                Some(i) if i32::try_from(i).is_ok() => Ok(()),
                _ => fail(format!("{n} is not a 32-bit integer")),
            },
            (Kind::I64, Value::Number(n)) => match n.as_i64() {
                Some(_) => Ok(()),
                None => fail(format!("{n} is not a 64-bit integer")),
            },
            (Kind::Date, Value::String(s)) => parse_date(s).map(|_| ()).or_else(fail),
            (Kind::Timestamp, Value::String(s)) => parse_timestamp(s).map(|_| ()).or_else(fail),
            // Paths of nested items are built only for an error: a valid document allocates none.
            (Kind::Object(schema), Value::Object(map)) => {
                for (key, item) in map {
                    match schema.field(key) {
                        Some(field) => field.kind.check(item, key, unknown).map_err(|e| e.within(path, "."))?,
                        None if unknown == UnknownKeys::Allow => {}
                        None => return Err(ShapeError { path: format!("{path}.{key}"), problem: "unknown field".into() }),
                    }
                }
                Ok(())
            }
            (Kind::List(item_kind), Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    item_kind.check(item, "", unknown).map_err(|e| e.within(&format!("{path}[{i}]"), ""))?;
                }
                Ok(())
            }
            (kind, other) => fail(format!("expected {}, got {}", kind.describe(), json_type_name(other))),
        }
    }

    /// Whether a value of this kind may hold fields of its own (an object, or a list that may hold objects).
    pub fn holds_fields(&self) -> bool {
        match self {
            Kind::Object(_) => true,
            Kind::List(item) => item.holds_fields(),
            _ => false,
        }
    }

    /// The kind's family in one word: `str`, `int`, `bool`, `date`, `timestamp`, `object`, `list` or `json`
    /// (for tools that read the table from outside Rust, such as the CLI's typed flags).
    pub fn family(&self) -> &'static str {
        match self {
            Kind::Str => "str",
            Kind::I32 | Kind::I64 => "int",
            Kind::Bool => "bool",
            Kind::Date => "date",
            Kind::Timestamp => "timestamp",
            Kind::Object(_) => "object",
            Kind::List(_) => "list",
            Kind::Json => "json",
        }
    }

    /// A short description for error messages ("a boolean", "an Address object").
    pub fn describe(&self) -> String {
        match self {
            Kind::Str => "a string".into(),
            Kind::I32 => "a 32-bit integer".into(),
            Kind::I64 => "a 64-bit integer".into(),
            Kind::Bool => "a boolean".into(),
            Kind::Date => "a YYYY-MM-DD date".into(),
            Kind::Timestamp => "an ISO-8601 timestamp".into(),
            Kind::Object(schema) => format!("an {} object", schema.name),
            Kind::List(item) => format!("an array of {}", item.describe().trim_start_matches("a ").trim_start_matches("an ")),
            Kind::Json => "any JSON value".into(),
        }
    }
}

pub fn json_type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a fractional number",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Parses a strict `YYYY-MM-DD` date (chrono alone would accept `2024-1-5`).
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let b = s.as_bytes();
    let shape_ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape_ok {
        return Err(format!("{s:?} is not a YYYY-MM-DD date"));
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(0);
    // Year 0 parses in chrono but not in Python's datetime (years 1 to 9999).
    NaiveDate::from_ymd_opt(num(0..4) as i32, num(5..7), num(8..10))
        .filter(|d| d.year() >= 1)
        .ok_or_else(|| format!("{s:?} is not a real date"))
}

/// Parses an ISO-8601 timestamp with or without offset and fraction; a timestamp without offset is UTC.
pub fn parse_timestamp(s: &str) -> Result<DateTime<FixedOffset>, String> {
    let parsed = DateTime::parse_from_rfc3339(s).or_else(|_| {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").map(|naive| naive.and_utc().fixed_offset())
    });
    // Python's datetime holds years 1 to 9999 only.
    parsed
        .ok()
        .filter(|t| (1..=9999).contains(&t.year()))
        .ok_or_else(|| format!("{s:?} is not an ISO-8601 timestamp"))
}

const fn const_str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Levenshtein distance over bytes; field names are ASCII.
fn edit_distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let next = (diagonal + usize::from(ca != cb)).min(row[j] + 1).min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::fields::{ADDRESS, COMPANY_CLIENT};
    use serde_json::json;

    #[test]
    fn dates_must_be_strict_and_real() {
        assert_eq!(parse_date("1990-05-17").unwrap(), NaiveDate::from_ymd_opt(1990, 5, 17).unwrap());
        assert!(parse_date("2024-02-29").is_ok());
        for bad in ["2023-02-30", "2024-1-05", "17/05/1990", "1990-05-17T00:00:00", "", "abcd-ef-gh", "0000-01-01"] {
            assert!(parse_date(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn timestamps_without_offset_are_utc() {
        let t = parse_timestamp("2026-04-15T10:30:00").unwrap();
        assert_eq!(t.offset().local_minus_utc(), 0);
        let t = parse_timestamp("2026-04-23T19:42:17.123Z").unwrap();
        assert_eq!(t.timestamp_subsec_millis(), 123);
        let t = parse_timestamp("2026-04-23T19:42:17+02:00").unwrap();
        assert_eq!(t.offset().local_minus_utc(), 7200);
        assert!(parse_timestamp("yesterday").is_err());
        assert!(parse_timestamp("0000-01-01T00:00:00Z").is_err());
        assert!(parse_timestamp("0001-01-01T00:00:00").is_ok());
    }

    #[test]
    fn integers_are_range_checked() {
        let phone_cc = Kind::I32;
        assert!(phone_cc.check(&json!(54), "p", UnknownKeys::Reject).is_ok());
        assert!(phone_cc.check(&json!(2_147_483_648i64), "p", UnknownKeys::Reject).is_err());
        assert!(Kind::I64.check(&json!(u64::MAX), "p", UnknownKeys::Reject).is_err());
        assert!(Kind::I64.check(&json!(1.5), "p", UnknownKeys::Reject).is_err());
        assert!(Kind::I64.check(&json!(true), "p", UnknownKeys::Reject).is_err());
    }

    #[test]
    fn objects_check_nested_fields_and_unknown_keys() {
        let address = Kind::Object(&ADDRESS);
        assert!(address.check(&json!({"city": "Paris"}), "address", UnknownKeys::Reject).is_ok());
        let err = address.check(&json!({"city": 5}), "address", UnknownKeys::Reject).unwrap_err();
        assert_eq!(err.path, "address.city");
        assert!(address.check(&json!({"planet": "Mars"}), "address", UnknownKeys::Reject).is_err());
        assert!(address.check(&json!({"planet": "Mars"}), "address", UnknownKeys::Allow).is_ok());
        let docs = COMPANY_CLIENT.field("documents").unwrap().kind;
        let err = docs.check(&json!([{"name": "p"}, 5]), "documents", UnknownKeys::Allow).unwrap_err();
        assert_eq!(err.path, "documents[1]");
    }

    #[test]
    fn closest_field_suggests_near_misses_only() {
        let update = crate::api::endpoints::UPDATE_CLIENT.body.unwrap();
        assert_eq!(update.closest("first_nam"), Some("first_name"));
        assert_eq!(update.closest("phonenumber"), Some("phone_number"));
        assert_eq!(update.closest("zzzzzzzzzzzzzzzzzzzz"), None);
        // `status` is in the record but not writable: no writable suggestion should be forced on it
        assert_ne!(update.closest("status"), Some("status"));
        assert_eq!(COMPANY_CLIENT.closest("statuss"), Some("status"));
    }
}
