//! The emulator's in-memory company: its clients and the documented rules for changing them.

use serde_json::{Map, Value};

use crate::api::fields::COMPANY_CLIENT;
use crate::api::model::{check_request_body, Record};

/// A documented failure of the Clients endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl Refusal {
    pub fn new(status: u16, message: impl Into<String>) -> Refusal {
        Refusal { status, code: code_for_status(status), message: message.into() }
    }

    pub fn not_found(id: &str) -> Refusal {
        Refusal::new(404, format!("Company client not found with id: {id}"))
    }
}

/// The error `code` the API uses for a status (reference §5).
pub fn code_for_status(status: u16) -> &'static str {
    match status {
        400 => "BAD_REQUEST",
        401 => "API_ERROR",
        404 => "NOT_FOUND",
        409 | 412 => "VAL",
        429 => "TOO_MANY_REQUESTS",
        s if s >= 500 => "SERVER_ERROR",
        _ => "APP_ERROR",
    }
}

#[derive(Debug)]
pub struct Store {
    company_id: String,
    /// id -> client object, in creation order.
    clients: Map<String, Value>,
    ids: IdSource,
}

impl Store {
    pub fn new(seed: u64) -> Store {
        let mut ids = IdSource(seed);
        Store { company_id: format!("comp_{}", ids.uuid()), clients: Map::new(), ids }
    }

    pub fn clear(&mut self) {
        self.clients.clear();
    }

    pub fn get(&self, id: &str) -> Option<&Map<String, Value>> {
        self.clients.get(id).and_then(Value::as_object)
    }

    /// `GET /management/clients` with the optional boolean filters.
    pub fn list(&self, filters: &[(String, bool)]) -> Vec<Value> {
        self.clients
            .values()
            .filter(|client| filters.iter().all(|(name, wanted)| client.get(name) == Some(&Value::Bool(*wanted))))
            .cloned()
            .collect()
    }

    /// `POST /management/clients`: a new individual client in status PENDING.
    pub fn create(&mut self, body: Map<String, Value>, now: &str) -> Result<Map<String, Value>, Refusal> {
        check_request_body(&COMPANY_CLIENT, &body).map_err(|e| Refusal::new(400, e.to_string()))?;
        self.insert(body, now)
    }

    /// Adds a client with any fields (read-only ones included), filling in what the server would.
    pub fn seed(&mut self, fields: Map<String, Value>, now: &str) -> Result<Map<String, Value>, Refusal> {
        self.insert(fields, now)
    }

    fn insert(&mut self, fields: Map<String, Value>, now: &str) -> Result<Map<String, Value>, Refusal> {
        let mut client = Map::new();
        client.insert("id".into(), Value::String(format!("client_{}", self.ids.uuid())));
        client.insert("company_id".into(), Value::String(self.company_id.clone()));
        client.insert("type".into(), "individual".into());
        client.insert("status".into(), "PENDING".into());
        client.insert("created_at".into(), now.into());
        client.insert("updated_at".into(), now.into());
        merge(&mut client, fields);
        let id = client["id"].as_str().unwrap_or_default().to_owned();
        if self.clients.contains_key(&id) {
            return Err(Refusal::new(412, format!("A client with id {id} already exists")));
        }
        self.check_phone_is_free(&id, &client)?;
        let client = in_table_order(client);
        self.clients.insert(id, Value::Object(client.clone()));
        Ok(client)
    }

    /// `PUT /management/clients/{id}`: changes only the fields sent, moves `updated_at`.
    pub fn update(&mut self, id: &str, body: Map<String, Value>, now: &str) -> Result<Map<String, Value>, Refusal> {
        check_request_body(&COMPANY_CLIENT, &body).map_err(|e| Refusal::new(400, e.to_string()))?;
        let mut client = self.get(id).cloned().ok_or_else(|| Refusal::not_found(id))?;
        merge(&mut client, body);
        client.insert("updated_at".into(), now.into());
        self.check_phone_is_free(id, &client)?;
        let client = in_table_order(client);
        self.clients.insert(id.to_owned(), Value::Object(client.clone()));
        Ok(client)
    }

    /// `DELETE /management/clients/{id}`: answers with the deleted client.
    pub fn delete(&mut self, id: &str) -> Result<Map<String, Value>, Refusal> {
        match self.clients.shift_remove(id) {
            Some(Value::Object(client)) => Ok(client),
            _ => Err(Refusal::not_found(id)),
        }
    }

    /// 412 `VAL` when another client of the company already has the phone number.
    fn check_phone_is_free(&self, id: &str, client: &Map<String, Value>) -> Result<(), Refusal> {
        let phone = |c: &Map<String, Value>| (c.get("phone_country_code").cloned(), c.get("phone_number").cloned());
        let (code, number) = phone(client);
        if number.as_ref().is_none_or(Value::is_null) {
            return Ok(());
        }
        let taken = self
            .clients
            .iter()
            .filter(|(other_id, _)| other_id.as_str() != id)
            .filter_map(|(_, other)| other.as_object())
            .any(|other| phone(other) == (code.clone(), number.clone()));
        if taken {
            return Err(Refusal::new(412, "Duplicate client: another client of the company already has this phone number"));
        }
        Ok(())
    }
}

/// Sets the sent fields; `null` clears one.
fn merge(client: &mut Map<String, Value>, fields: Map<String, Value>) {
    for (name, value) in fields {
        if value.is_null() {
            client.shift_remove(&name);
        } else {
            client.insert(name, value);
        }
    }
}

fn in_table_order(client: Map<String, Value>) -> Map<String, Value> {
    match Record::from_json(&COMPANY_CLIENT, Value::Object(client.clone())) {
        Ok(record) => record.to_json(),
        Err(_) => client,
    }
}

/// Deterministic ids (splitmix64): a seeded emulator hands out the same ids every run.
#[derive(Debug)]
struct IdSource(u64);

impl IdSource {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn uuid(&mut self) -> String {
        let (a, b) = (self.next(), self.next());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | ((b >> 48) & 0x3fff),
            b & 0xffff_ffff_ffff
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn put_changes_only_the_sent_fields_and_moves_updated_at() {
        let mut store = Store::new(1);
        let made = store.create(obj(json!({"first_name": "Ada", "email": "ada@example.com"})), "t0").unwrap();
        let id = made["id"].as_str().unwrap();
        assert!(id.starts_with("client_"));
        let updated = store.update(id, obj(json!({"first_name": "Grace", "email": null})), "t1").unwrap();
        assert_eq!(updated["first_name"], "Grace");
        assert!(!updated.contains_key("email"));
        assert_eq!((updated["created_at"].as_str(), updated["updated_at"].as_str()), (Some("t0"), Some("t1")));
        assert_eq!(store.get(id), Some(&updated));
    }

    #[test]
    fn documented_refusals() {
        let mut store = Store::new(1);
        assert_eq!(store.update("nope", Map::new(), "t").unwrap_err(), Refusal::not_found("nope"));
        assert_eq!(store.update("nope", Map::new(), "t").unwrap_err().message, "Company client not found with id: nope");
        assert_eq!(store.create(obj(json!({"status": "ACTIVE"})), "t").unwrap_err().status, 400);
        assert_eq!(store.create(obj(json!({"sms": "yes"})), "t").unwrap_err().status, 400);
        let phone = json!({"phone_country_code": 54, "phone_number": 1168860622});
        let first = store.create(obj(phone.clone()), "t").unwrap();
        let dup = store.create(obj(phone.clone()), "t").unwrap_err();
        assert_eq!((dup.status, dup.code), (412, "VAL"));
        let other = store.create(obj(json!({"first_name": "B"})), "t").unwrap();
        assert_eq!(store.update(other["id"].as_str().unwrap(), obj(phone.clone()), "t").unwrap_err().status, 412);
        // a client may keep its own number
        assert!(store.update(first["id"].as_str().unwrap(), obj(phone), "t").is_ok());
    }

    #[test]
    fn list_filters_and_delete() {
        let mut store = Store::new(1);
        let a = store.create(obj(json!({"sms": true})), "t").unwrap();
        store.create(obj(json!({"sms": false})), "t").unwrap();
        assert_eq!(store.list(&[]).len(), 2);
        assert_eq!(store.list(&[("sms".into(), true)]), vec![Value::Object(a.clone())]);
        let id = a["id"].as_str().unwrap();
        assert_eq!(store.delete(id).unwrap(), a);
        assert!(store.get(id).is_none());
        assert_eq!(store.delete(id).unwrap_err().status, 404);
    }

    #[test]
    fn ids_are_deterministic_for_a_seed() {
        let ids = |seed| {
            let mut store = Store::new(seed);
            store.create(Map::new(), "t").unwrap()["id"].clone()
        };
        assert_eq!(ids(7), ids(7));
        assert_ne!(ids(7), ids(8));
    }
}
