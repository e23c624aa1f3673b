//! The emulator's Gen 2 individual clients (`/management/clients/individuals...`, reference §3.2 to §3.6,
//! §4.1). A collection apart from the Gen 1 clients: whether the two share ids is undocumented (§11.2).

use serde_json::{Map, Value};

use super::ids::IdSource;
use super::refusal::Refusal;
use super::store::{in_order_of, merge};
use crate::api::endpoints::{CREATE_INDIVIDUAL, REPLACE_INDIVIDUAL};
use crate::api::fields::INDIVIDUAL_CLIENT;
use crate::api::model::{check_request_body, Record};
use crate::api::schema::Body;

/// What the server sets: no body may carry them (they are not in the create body).
const SERVER_FIELDS: [&str; 5] = ["id", "type", "status", "created_at", "updated_at"];

#[derive(Debug)]
pub struct Individuals {
    /// id -> client object, in creation order.
    clients: Map<String, Value>,
    ids: IdSource,
}

impl Individuals {
    pub fn new(seed: u64) -> Individuals {
        // Another stream than the Gen 1 ids, so that creating one kind never shifts the other's ids.
        Individuals { clients: Map::new(), ids: IdSource::new(seed ^ 0x6765_6E32_6964_7331) }
    }

    pub fn clear(&mut self) {
        self.clients.clear();
    }

    pub fn get(&self, id: &str) -> Option<&Map<String, Value>> {
        self.clients.get(id).and_then(Value::as_object)
    }

    pub fn list(&self) -> Vec<Value> {
        self.clients.values().cloned().collect()
    }

    /// `POST /management/clients/individuals`: a new client in status `pending`.
    pub fn create(&mut self, body: Map<String, Value>, now: &str) -> Result<Map<String, Value>, Refusal> {
        check_body(&CREATE_INDIVIDUAL.body.expect("a create has a body"), &body)?;
        self.check_email_is_free(None, &body)?;
        let id = self.ids.alphanumeric();
        let client = record(&id, "pending", now, now, body);
        self.clients.insert(id, Value::Object(client.clone()));
        Ok(client)
    }

    /// `PUT /management/clients/individuals/{id}`: a full replacement. The record becomes the fields sent
    /// (fields not sent are gone), keeping its id, status and `created_at`; `updated_at` moves.
    pub fn replace(&mut self, id: &str, body: Map<String, Value>, now: &str) -> Result<Map<String, Value>, Refusal> {
        let old = self.get(id).ok_or_else(|| Refusal::not_found(id))?;
        let kept = |name: &str| old.get(name).and_then(Value::as_str).unwrap_or_default().to_owned();
        let (status, created_at) = (kept("status"), kept("created_at"));
        check_body(&REPLACE_INDIVIDUAL.body.expect("a replace has a body"), &body)?;
        self.check_email_is_free(Some(id), &body)?;
        let client = record(id, &status, &created_at, now, body);
        self.clients.insert(id.to_owned(), Value::Object(client.clone()));
        Ok(client)
    }

    /// `DELETE /management/clients/individuals/{id}`: gone for good (the answer is a 204 without body).
    pub fn delete(&mut self, id: &str) -> Result<(), Refusal> {
        self.clients.shift_remove(id).map(drop).ok_or_else(|| Refusal::not_found(id))
    }

    /// Adds a client with any fields (server-set ones included), filling in what the server would; only the
    /// shapes are checked.
    pub fn seed(&mut self, fields: Map<String, Value>, now: &str) -> Result<Map<String, Value>, Refusal> {
        let mut client = record(&self.ids.alphanumeric(), "pending", now, now, Map::new());
        merge(&mut client, fields);
        let record = Record::from_json(&INDIVIDUAL_CLIENT, Value::Object(client)).map_err(|e| Refusal::new(400, e.to_string()))?;
        let client = record.to_json();
        let Some(id) = client.get("id").and_then(Value::as_str).filter(|id| !id.is_empty()).map(str::to_owned) else {
            return Err(Refusal::new(400, "id must be a non-empty string"));
        };
        if self.clients.contains_key(&id) {
            return Err(Refusal::new(412, format!("A client with id {id} already exists")));
        }
        self.clients.insert(id, Value::Object(client.clone()));
        Ok(client)
    }

    /// 400 `VAL` when another individual of the company has the email (compared ignoring ASCII case).
    fn check_email_is_free(&self, id: Option<&str>, body: &Map<String, Value>) -> Result<(), Refusal> {
        let email = body.get("email").and_then(Value::as_str).unwrap_or_default();
        let taken = self
            .clients
            .iter()
            .filter(|(other_id, _)| Some(other_id.as_str()) != id)
            .filter_map(|(_, other)| other.get("email").and_then(Value::as_str))
            .any(|other| other.eq_ignore_ascii_case(email));
        if taken {
            return Err(Refusal::val(400, "Client already exists for this company"));
        }
        Ok(())
    }
}

/// Gen 2 validation failures are 400 `VAL` (§3.2): shapes, then every missing required field, then the
/// email ("must be a valid email": only the obvious shape is checked).
fn check_body(schema: &Body, body: &Map<String, Value>) -> Result<(), Refusal> {
    check_request_body(schema, body).map_err(|e| Refusal::val(400, e.to_string()))?;
    Refusal::unless_complete(400, schema, body)?;
    let email = body.get("email").and_then(Value::as_str).unwrap_or_default();
    let valid = email.split_once('@').is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty() && !domain.contains('@'))
        && !email.contains(char::is_whitespace);
    if !valid {
        return Err(Refusal::val(400, format!("Invalid email: {email:?}")));
    }
    Ok(())
}

/// The client object: the server's fields and the sent ones (`null` ones left out), in table order.
fn record(id: &str, status: &str, created_at: &str, updated_at: &str, fields: Map<String, Value>) -> Map<String, Value> {
    let mut client = Map::new();
    for (name, value) in SERVER_FIELDS.into_iter().zip([id, "individual", status, created_at, updated_at]) {
        client.insert(name.into(), value.into());
    }
    client.extend(fields.into_iter().filter(|(_, value)| !value.is_null()));
    in_order_of(&INDIVIDUAL_CLIENT, client)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use serde_json::json;

    const T0: &str = "2026-04-20T10:00:00.000Z";
    const T1: &str = "2026-04-21T10:00:00.000Z";

    /// A body with every required field (and one optional one).
    pub(in crate::emulator) fn valid_individual(email: &str) -> Map<String, Value> {
        json!({
            "first_name": "Ada", "last_name": "Lovelace", "email": email, "birth_date": "1815-12-10",
            "phone_country_code": 44,
            "address": {"street_line1": "12 St James's Sq", "city": "London", "postal_code": "SW1Y 4JH",
                        "state": "GBR-LND", "country": "GBR"},
        })
        .as_object()
        .unwrap()
        .clone()
    }

    fn val_400(refusal: Refusal) -> String {
        assert_eq!((refusal.status, refusal.code), (400, "VAL"), "{refusal:?}");
        refusal.message
    }

    #[test]
    fn create_fills_the_server_fields_in_table_order() {
        let mut individuals = Individuals::new(1);
        let made = individuals.create(valid_individual("ada@example.com"), T0).unwrap();
        let id = made["id"].as_str().unwrap();
        assert_eq!(id.len(), 32);
        assert_eq!((made["type"].as_str(), made["status"].as_str()), (Some("individual"), Some("pending")));
        assert_eq!((made["created_at"].as_str(), made["updated_at"].as_str()), (Some(T0), Some(T0)));
        let order: Vec<_> = made.keys().map(String::as_str).collect();
        assert_eq!(order, ["id", "type", "status", "first_name", "last_name", "email", "birth_date", "phone_country_code",
                           "address", "created_at", "updated_at"]);
        assert_eq!(individuals.get(id), Some(&made));
        assert_eq!(individuals.list(), vec![Value::Object(made.clone())]);
        // seeded ids follow the seed
        assert_eq!(Individuals::new(1).create(valid_individual("a@b.c"), T0).unwrap()["id"], made["id"]);
    }

    #[test]
    fn bodies_are_refused_with_400_val() {
        let mut individuals = Individuals::new(1);
        let mut unknown = valid_individual("a@example.com");
        unknown.insert("status".into(), json!("active"));
        assert!(val_400(individuals.create(unknown, T0).unwrap_err()).contains("status"));
        let mut wrong = valid_individual("a@example.com");
        wrong.insert("birth_date".into(), json!("10/12/1815"));
        val_400(individuals.create(wrong, T0).unwrap_err());
        let missing = val_400(individuals.create(obj(json!({"first_name": "Ada", "address": {"city": "London"}})), T0).unwrap_err());
        assert_eq!(missing, "Missing required fields: last_name, email, birth_date, address.street_line1, address.postal_code, \
                             address.state, address.country");
        assert!(val_400(individuals.create(valid_individual("not-an-email"), T0).unwrap_err()).starts_with("Invalid email"));
        assert!(individuals.list().is_empty());
    }

    #[test]
    fn an_email_is_one_client_of_the_company() {
        let mut individuals = Individuals::new(1);
        let ada = individuals.create(valid_individual("ada@example.com"), T0).unwrap();
        let dup = individuals.create(valid_individual("ADA@example.com"), T0).unwrap_err();
        assert_eq!(val_400(dup), "Client already exists for this company");
        let grace = individuals.create(valid_individual("grace@example.com"), T0).unwrap();
        let grace_id = grace["id"].as_str().unwrap();
        assert_eq!(val_400(individuals.replace(grace_id, valid_individual("ada@example.com"), T0).unwrap_err()),
                   "Client already exists for this company");
        // a client keeps its own email
        let ada_id = ada["id"].as_str().unwrap();
        assert!(individuals.replace(ada_id, valid_individual("ada@example.com"), T0).is_ok());
    }

    #[test]
    fn replace_is_a_full_replacement_that_keeps_id_status_and_created_at() {
        let mut individuals = Individuals::new(1);
        let mut first = valid_individual("ada@example.com");
        first.insert("second_name".into(), json!("Augusta"));
        let made = individuals.create(first, T0).unwrap();
        let id = made["id"].as_str().unwrap();
        let mut second = valid_individual("ada@example.com");
        second.remove("phone_country_code");
        second.insert("phone_number".into(), json!(2079460000i64));
        let replaced = individuals.replace(id, second, T1).unwrap();
        assert!(!replaced.contains_key("second_name") && !replaced.contains_key("phone_country_code"));
        assert_eq!(replaced["phone_number"], 2079460000i64);
        assert_eq!((replaced["id"].as_str(), replaced["status"].as_str()), (Some(id), Some("pending")));
        assert_eq!((replaced["created_at"].as_str(), replaced["updated_at"].as_str()), (Some(T0), Some(T1)));
        assert_eq!(individuals.get(id), Some(&replaced));
        // checked like a create; the unknown id first
        assert_eq!(individuals.replace("nope", Map::new(), T0).unwrap_err(), Refusal::not_found("nope"));
        val_400(individuals.replace(id, obj(json!({"first_name": "Ada"})), T0).unwrap_err());
        assert_eq!(individuals.get(id), Some(&replaced));
    }

    #[test]
    fn delete_and_seed() {
        let mut individuals = Individuals::new(1);
        let seeded = individuals.seed(obj(json!({"id": "ind_1", "first_name": "Ada", "status": "active"})), T0).unwrap();
        assert_eq!((seeded["id"].as_str(), seeded["status"].as_str(), seeded["type"].as_str()), (Some("ind_1"), Some("active"), Some("individual")));
        assert_eq!(individuals.seed(obj(json!({"id": "ind_1"})), T0).unwrap_err().status, 412);
        assert_eq!(individuals.seed(obj(json!({"birth_date": "soon"})), T0).unwrap_err().status, 400);
        assert_eq!(individuals.delete("ind_1"), Ok(()));
        assert_eq!(individuals.delete("ind_1"), Err(Refusal::not_found("ind_1")));
        assert!(individuals.get("ind_1").is_none());
    }

    fn obj(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }
}
