//! The emulator's Gen 1 clients (`/management/clients...`, reference §3.10 to §3.16) and the documented
//! rules for changing them.

use serde_json::{Map, Value};

use super::business;
use super::ids::IdSource;
use super::refusal::Refusal;
use crate::api::endpoints::{CREATE_BUSINESS_CLIENT, CREATE_CLIENT, UPDATE_CLIENT};
use crate::api::fields::COMPANY_CLIENT;
use crate::api::model::check_request_body;
use crate::api::schema::Schema;

#[derive(Debug)]
pub struct Store {
    company_id: String,
    /// id -> client object, in creation order.
    clients: Map<String, Value>,
    ids: IdSource,
}

impl Store {
    pub fn new(seed: u64) -> Store {
        let mut ids = IdSource::new(seed);
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
        check_request_body(&CREATE_CLIENT.body.expect("a create has a body"), &body).map_err(|e| Refusal::new(400, e.to_string()))?;
        self.insert(client_fields(body), now)
    }

    /// `POST /management/clients/business` (§3.13): the KYB rules, then a business client in status PENDING.
    /// Only the body's client fields are kept (associated persons and the like are not part of the object).
    pub fn create_business(&mut self, body: Map<String, Value>, now: &str) -> Result<Map<String, Value>, Refusal> {
        check_request_body(&CREATE_BUSINESS_CLIENT.body.expect("a create has a body"), &body)
            .map_err(|e| Refusal::new(400, e.to_string()))?;
        business::check(&body)?;
        let mut fields = client_fields(body);
        fields.insert("type".into(), "business".into());
        self.insert(fields, now)
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
        let client = in_order_of(&COMPANY_CLIENT, client);
        self.clients.insert(id, Value::Object(client.clone()));
        Ok(client)
    }

    /// `PUT /management/clients/{id}`: changes only the fields sent, moves `updated_at`.
    pub fn update(&mut self, id: &str, body: Map<String, Value>, now: &str) -> Result<Map<String, Value>, Refusal> {
        check_request_body(&UPDATE_CLIENT.body.expect("an update has a body"), &body).map_err(|e| Refusal::new(400, e.to_string()))?;
        self.change(id, body, now)
    }

    /// `PATCH /management/clients/{id}/enable-otp`: turns OTP on, moves `updated_at`.
    pub fn enable_otp(&mut self, id: &str, now: &str) -> Result<Map<String, Value>, Refusal> {
        self.change(id, Map::from_iter([("otp".to_owned(), Value::Bool(true))]), now)
    }

    /// Sets `fields` on a stored client and moves its `updated_at`; the answer keeps the table's order.
    fn change(&mut self, id: &str, fields: Map<String, Value>, now: &str) -> Result<Map<String, Value>, Refusal> {
        let mut client = self.get(id).cloned().ok_or_else(|| Refusal::not_found(id))?;
        merge(&mut client, fields);
        client.insert("updated_at".into(), now.into());
        self.check_phone_is_free(id, &client)?;
        let client = in_order_of(&COMPANY_CLIENT, client);
        self.clients.insert(id.to_owned(), Value::Object(client.clone()));
        Ok(client)
    }

    /// `GET /management/clients/by-phone-whatsapp`: the first WhatsApp-enabled client whose country code
    /// followed by its number spells `full_phone_number` (digits only).
    pub fn by_whatsapp_phone(&self, full_phone_number: &str) -> Result<Map<String, Value>, Refusal> {
        let digits = |client: &Map<String, Value>, name: &str| client.get(name).and_then(Value::as_i64).map(|n| n.to_string());
        self.clients
            .values()
            .filter_map(Value::as_object)
            .filter(|client| client.get("whatsapp") == Some(&Value::Bool(true)))
            .find(|client| match (digits(client, "phone_country_code"), digits(client, "phone_number")) {
                (Some(code), Some(number)) => format!("{code}{number}") == full_phone_number,
                _ => false,
            })
            .cloned()
            .ok_or_else(|| Refusal::new(404, format!("Company client not found with phone number: {full_phone_number}")))
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

/// The fields of a create body that the client object has: body-only ones (`bank_ramp`, ...) are dropped.
fn client_fields(mut body: Map<String, Value>) -> Map<String, Value> {
    body.retain(|name, _| COMPANY_CLIENT.field(name).is_some());
    body
}

/// Sets the sent fields; `null` clears one.
pub(super) fn merge(client: &mut Map<String, Value>, fields: Map<String, Value>) {
    for (name, value) in fields {
        if value.is_null() {
            client.shift_remove(&name);
        } else {
            client.insert(name, value);
        }
    }
}

/// The fields in the table's order, unknown ones last in the order they came.
pub(super) fn in_order_of(schema: &'static Schema, object: Map<String, Value>) -> Map<String, Value> {
    let mut fields: Vec<(String, Value)> = object.into_iter().collect();
    fields.sort_by_key(|(name, _)| schema.index_of(name).unwrap_or(usize::MAX));
    fields.into_iter().collect()
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
    fn body_only_fields_are_accepted_but_not_stored() {
        let mut store = Store::new(1);
        let made = store.create(obj(json!({"first_name": "Ada", "bank_ramp": true, "individual_cards": false})), "t").unwrap();
        assert!(!made.contains_key("bank_ramp") && !made.contains_key("individual_cards"), "{made:?}");
        assert_eq!(store.get(made["id"].as_str().unwrap()), Some(&made));
        // the business-only ones stay refused on the individual create
        assert_eq!(store.create(obj(json!({"associated_persons": []})), "t").unwrap_err().status, 400);
    }

    #[test]
    fn business_clients_keep_only_their_client_fields() {
        let mut store = Store::new(1);
        let mut body = crate::emulator::business::tests::valid_business();
        body.insert("phone_country_code".into(), json!(1));
        body.insert("phone_number".into(), json!(4155551234i64));
        let made = store.create_business(body.clone(), "t").unwrap();
        assert_eq!((made["type"].as_str(), made["status"].as_str()), (Some("business"), Some("PENDING")));
        assert_eq!(made["business_legal_name"], "ACME LLC");
        assert_eq!(made["business_industry"], json!(["541511"]));
        assert!(made["id"].as_str().unwrap().starts_with("client_"));
        assert!(!made.contains_key("associated_persons"));
        // the rules, then the duplicate phone, all 412 VAL; a wrong shape is a 400
        body.insert("email".into(), json!("other@acme.example"));
        let dup = store.create_business(body.clone(), "t").unwrap_err();
        assert_eq!((dup.status, dup.code), (412, "VAL"));
        body.insert("business_type".into(), json!("empire"));
        assert_eq!(store.create_business(body.clone(), "t").unwrap_err().message, "Invalid business type: \"empire\"");
        body.insert("business_type".into(), json!(7));
        assert_eq!(store.create_business(body, "t").unwrap_err().status, 400);
        assert_eq!(store.list(&[]).len(), 1);
    }

    #[test]
    fn enable_otp_and_lookup_by_whatsapp_phone() {
        let mut store = Store::new(1);
        let made = store.create(obj(json!({"otp": false, "phone_country_code": 1, "phone_number": 4155551234i64})), "t0").unwrap();
        let id = made["id"].as_str().unwrap();
        let enabled = store.enable_otp(id, "t1").unwrap();
        assert_eq!((&enabled["otp"], enabled["updated_at"].as_str()), (&json!(true), Some("t1")));
        assert_eq!(store.get(id), Some(&enabled));
        assert_eq!(store.enable_otp("nope", "t").unwrap_err(), Refusal::not_found("nope"));
        let without_otp = store.create(Map::new(), "t0").unwrap()["id"].as_str().unwrap().to_owned();
        let enabled = store.enable_otp(&without_otp, "t1").unwrap();
        let order = |name: &String| COMPANY_CLIENT.index_of(name).unwrap();
        assert!(enabled.keys().map(order).is_sorted(), "not in table order: {:?}", enabled.keys().collect::<Vec<_>>());

        let not_found = store.by_whatsapp_phone("14155551234").unwrap_err();
        assert_eq!((not_found.status, not_found.message.as_str()), (404, "Company client not found with phone number: 14155551234"));
        let on_whatsapp = store.update(id, obj(json!({"whatsapp": true})), "t2").unwrap();
        assert_eq!(store.by_whatsapp_phone("14155551234").unwrap(), on_whatsapp);
        assert_eq!(store.by_whatsapp_phone("4155551234").unwrap_err().status, 404);
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
