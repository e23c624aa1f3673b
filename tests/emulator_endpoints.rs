//! Every endpoint of the table against the emulator over real HTTP, through the core client: the success
//! statuses of the table, 404s, access levels, the business rules, Gen 2's 201/204 and full replacement, the
//! catalogs, and routing errors.

mod common;

use std::collections::BTreeSet;

use bytes::Bytes;
use common::{client_for, fields, run};
use cryptomate::api::endpoints::{self as ep, Endpoint, ALL_ENDPOINTS};
use cryptomate::client::Client;
use cryptomate::emulator::{Emulator, EmulatorConfig};
use cryptomate::error::{Error, Result};
use cryptomate::http::request::ApiRequest;
use cryptomate::http::response::{decode, Answered};
use cryptomate::http::transport::RawResponse;
use serde_json::{json, Map, Value};

const OLD_STAMP: &str = "2020-01-02T03:04:05Z";

fn request(endpoint: &'static Endpoint, params: &[&str], query: &[(&str, String)], body: Option<Value>) -> ApiRequest {
    ApiRequest::new(endpoint, params, query, body.map(fields).as_ref()).unwrap()
}

/// A request as written, past `ApiRequest::new`'s own checks (missing fields, the table's method and path).
fn raw_request(endpoint: &'static Endpoint, method: &str, path: &str, body: Option<Value>) -> ApiRequest {
    ApiRequest {
        endpoint,
        method: method.parse().unwrap(),
        path: path.into(),
        body: body.map(|b| Bytes::from(serde_json::to_vec(&b).unwrap())),
    }
}

fn execute(client: &Client, request: &ApiRequest) -> RawResponse {
    run(client.execute(request)).unwrap()
}

fn call(client: &Client, request: &ApiRequest) -> Result<Answered> {
    run(client.call(request))
}

fn one(answered: Answered) -> Map<String, Value> {
    match answered {
        Answered::One(record) => record.to_json(),
        other => panic!("expected one object, got {other:?}"),
    }
}

fn many(answered: Answered) -> Vec<Map<String, Value>> {
    match answered {
        Answered::Many(records) => records.iter().map(|r| r.to_json()).collect(),
        other => panic!("expected a list, got {other:?}"),
    }
}

/// The status, code and message of a refused call.
fn refused(result: Result<Answered>) -> (u16, String, String) {
    match result {
        Err(Error::Status(e)) => {
            assert!(e.trace_id.is_some(), "no trace id: {e:?}");
            (e.status, e.code.unwrap_or_default(), e.message)
        }
        other => panic!("expected an error answer, got {other:?}"),
    }
}

fn raw_refusal(response: &RawResponse) -> (u16, String, String) {
    let body: Value = serde_json::from_slice(&response.body).unwrap();
    assert_eq!(body.as_object().unwrap().keys().collect::<Vec<_>>(), ["code", "message", "trace_id"]);
    (response.status, body["code"].as_str().unwrap().into(), body["message"].as_str().unwrap().into())
}

fn individual(email: &str) -> Value {
    json!({
        "first_name": "Ada", "last_name": "Lovelace", "email": email, "birth_date": "1815-12-10",
        "address": {"street_line1": "Av. Corrientes 1234", "city": "Buenos Aires", "postal_code": "1043",
                    "state": "ARG-C", "country": "ARG"},
    })
}

fn business() -> Value {
    let address = json!({"street_line_1": "1 Main St", "city": "Austin", "postal_code": "78701", "state": "USA-TX", "country": "USA"});
    json!({
        "email": "ops@acme.example", "business_legal_name": "ACME LLC", "business_description": "Anvils",
        "business_type": "llc", "business_industry": ["541511"], "registered_address": address,
        "associated_persons": [
            {"first_name": "Wile", "last_name": "Coyote", "email": "wile@acme.example", "birth_date": "1949-09-17",
             "residential_address": address, "has_control": true},
            {"first_name": "Road", "last_name": "Runner", "email": "road@acme.example", "birth_date": "1949-09-17",
             "residential_address": address, "is_signer": true},
        ],
        "identifying_information": [{"type": "ein", "issuing_country": "USA", "number": "12-3456789"}],
        "high_risk_activities": [], "primary_website": "https://acme.example",
        "source_of_funds_description": "sales", "regulated_activity": {"licensed": false},
    })
}

/// An emulator with one Gen 1 client (on WhatsApp, +1 415 555 1234) and one Gen 2 individual.
struct Company {
    emulator: Emulator,
    client_id: String,
    individual_id: String,
}

impl Company {
    fn new() -> Company {
        let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
        let client = emulator
            .add_client(fields(json!({"first_name": "Ada", "phone_country_code": 1, "phone_number": 4155551234i64, "whatsapp": true})))
            .unwrap();
        let mut seeded = fields(individual("ada@example.com"));
        seeded.extend(fields(json!({"created_at": OLD_STAMP, "updated_at": OLD_STAMP})));
        let individual = emulator.add_individual(seeded).unwrap();
        let id = |object: &Map<String, Value>| object["id"].as_str().unwrap().to_owned();
        Company { client_id: id(&client), individual_id: id(&individual), emulator }
    }

    fn client(&self) -> Client {
        client_for(&self.emulator, self.emulator.api_key(), None)
    }

    /// A valid call of `endpoint` on the seeded records.
    fn example(&self, endpoint: &'static Endpoint) -> ApiRequest {
        let (client_id, individual_id) = (self.client_id.as_str(), self.individual_id.as_str());
        let (params, query, body): (Vec<&str>, Vec<(&str, String)>, Option<Value>) = match endpoint.call {
            "individuals.create" => (vec![], vec![], Some(individual("grace@example.com"))),
            "individuals.list" | "individuals.countries" => (vec![], vec![], None),
            "individuals.identification_types" => (vec!["US"], vec![], None),
            "individuals.get" | "individuals.delete" => (vec![individual_id], vec![], None),
            "individuals.replace" => (vec![individual_id], vec![], Some(individual("ada@example.com"))),
            "list_clients" => (vec![], vec![("whatsapp", "true".into())], None),
            "create_client" => (vec![], vec![], Some(json!({"first_name": "Grace", "bank_ramp": true}))),
            "create_business_client" => (vec![], vec![], Some(business())),
            "get_client_by_whatsapp_phone" => (vec![], vec![("full_phone_number", "14155551234".into())], None),
            "get_client" | "delete_client" | "enable_otp" => (vec![client_id], vec![], None),
            "update_client" => (vec![client_id], vec![], Some(json!({"sms": true}))),
            other => panic!("no example call of {other}: add one"),
        };
        request(endpoint, &params, &query, body)
    }
}

/// The table's endpoints, deletes last (so that the other calls still find the seeded records).
fn endpoints_deletes_last() -> Vec<&'static Endpoint> {
    let mut endpoints = ALL_ENDPOINTS.to_vec();
    endpoints.sort_by_key(|e| e.method == "DELETE");
    endpoints
}

/// `Company::example` picks a request by call name, and the Python layer's endpoint table is keyed by it.
#[test]
fn every_endpoint_has_a_call_name_of_its_own() {
    let names: BTreeSet<&str> = ALL_ENDPOINTS.iter().map(|e| e.call).collect();
    assert_eq!(names.len(), ALL_ENDPOINTS.len(), "two endpoints share a call name");
}

#[test]
fn every_endpoint_answers_with_its_table_status_and_a_decodable_body() {
    let company = Company::new();
    let client = company.client();
    for endpoint in endpoints_deletes_last() {
        let request = company.example(endpoint);
        let response = execute(&client, &request);
        let context = format!("{} {}: {}", endpoint.method, request.path, String::from_utf8_lossy(&response.body));
        assert_eq!(response.status, endpoint.status, "{context}");
        assert!(response.trace_id().is_some(), "{context}");
        let answered = decode(response, endpoint.answer, &client.endpoint().api_key).expect(&context);
        match (endpoint.answer, answered) {
            (ep::Answer::One(_), Answered::One(record)) => assert!(record.extra.is_empty(), "{context}"),
            (ep::Answer::Many(_), Answered::Many(records)) => assert!(!records.is_empty(), "{context}"),
            (ep::Answer::Nothing, _) => {}
            (expected, got) => panic!("{context}: expected {expected:?}, got {got:?}"),
        }
    }
    assert_eq!(company.emulator.requests().len(), ALL_ENDPOINTS.len());
}

#[test]
fn a_level_1_key_reads_everything_and_every_write_is_401() {
    let company = Company::new();
    company.emulator.add_api_key("reader-key", 1);
    let reader = client_for(&company.emulator, "reader-key", None);
    for endpoint in endpoints_deletes_last() {
        let response = execute(&reader, &company.example(endpoint));
        if endpoint.level <= 1 {
            assert_eq!(response.status, endpoint.status, "{}", endpoint.call);
        } else {
            let (status, code, _) = raw_refusal(&response);
            assert_eq!((status, code.as_str()), (401, "API_ERROR"), "{}", endpoint.call);
        }
    }
    // nothing was written
    let client = company.client();
    assert_eq!(many(call(&client, &request(&ep::LIST_CLIENTS, &[], &[], None)).unwrap()).len(), 1);
    assert_eq!(many(call(&client, &request(&ep::LIST_INDIVIDUALS, &[], &[], None)).unwrap()).len(), 1);
    assert_eq!(company.emulator.get_individual(&company.individual_id).unwrap()["updated_at"], OLD_STAMP);
}

#[test]
fn unknown_ids_and_countries_are_404_not_found() {
    let company = Company::new();
    let client = company.client();
    let body = |v: Value| Some(v);
    let cases = [
        request(&ep::GET_CLIENT, &["client_missing"], &[], None),
        request(&ep::UPDATE_CLIENT, &["client_missing"], &[], body(json!({"sms": true}))),
        request(&ep::DELETE_CLIENT, &["client_missing"], &[], None),
        request(&ep::ENABLE_OTP, &["client_missing"], &[], None),
        request(&ep::GET_INDIVIDUAL, &["client_missing"], &[], None),
        request(&ep::REPLACE_INDIVIDUAL, &["client_missing"], &[], body(individual("x@example.com"))),
        request(&ep::DELETE_INDIVIDUAL, &["client_missing"], &[], None),
    ];
    for case in &cases {
        let (status, code, message) = refused(call(&client, case));
        assert_eq!((status, code.as_str(), message.as_str()), (404, "NOT_FOUND", "Company client not found with id: client_missing"), "{}", case.path);
    }
    // the two generations are separate collections
    let (status, ..) = refused(call(&client, &request(&ep::GET_CLIENT, &[&company.individual_id], &[], None)));
    assert_eq!(status, 404);
    let (status, ..) = refused(call(&client, &request(&ep::GET_INDIVIDUAL, &[&company.client_id], &[], None)));
    assert_eq!(status, 404);
    let (status, code, _) = refused(call(&client, &request(&ep::IDENTIFICATION_TYPES, &["ZZ"], &[], None)));
    assert_eq!((status, code.as_str()), (404, "NOT_FOUND"));
}

#[test]
fn business_clients_follow_the_kyb_rules() {
    let company = Company::new();
    let client = company.client();
    let create = |body: Value| call(&client, &request(&ep::CREATE_BUSINESS_CLIENT, &[], &[], Some(body)));
    let made = one(create(business()).unwrap());
    assert_eq!((made["type"].as_str(), made["status"].as_str()), (Some("business"), Some("PENDING")));
    assert_eq!(made["business_legal_name"], "ACME LLC");
    for body_only in ["associated_persons", "source_of_funds_description", "regulated_activity"] {
        assert!(!made.contains_key(body_only), "{body_only} stored");
    }
    assert_eq!(company.emulator.get(made["id"].as_str().unwrap()).unwrap(), made);

    let with = |change: &dyn Fn(&mut Value)| {
        let mut body = business();
        change(&mut body);
        body
    };
    let rules = [
        (with(&|b| b["business_type"] = json!("empire")), "Invalid business type"),
        (with(&|b| b["business_industry"] = json!([])), "industry"),
        (with(&|b| b["associated_persons"][0]["has_control"] = json!(false)), "has_control"),
        (with(&|b| b["associated_persons"][1]["is_signer"] = json!(false)), "is_signer"),
        // the seeded client's phone
        (with(&|b| {
            b["phone_country_code"] = json!(1);
            b["phone_number"] = json!(4155551234i64);
        }), "phone number"),
    ];
    for (body, expected) in rules {
        let (status, code, message) = refused(create(body));
        assert_eq!((status, code.as_str()), (412, "VAL"), "{message}");
        assert!(message.contains(expected), "{message:?} does not say {expected:?}");
    }
    // missing required fields (past the SDK's own check): 412 VAL naming each
    let mut incomplete = business();
    incomplete.as_object_mut().unwrap().remove("primary_website");
    incomplete["associated_persons"][0].as_object_mut().unwrap().remove("email");
    let response = execute(&client, &raw_request(&ep::CREATE_BUSINESS_CLIENT, "POST", "/management/clients/business", Some(incomplete)));
    let (status, code, message) = raw_refusal(&response);
    assert_eq!((status, code.as_str()), (412, "VAL"));
    assert_eq!(message, "Missing required fields: primary_website, associated_persons[0].email");
    // a wrong shape is a bad request
    let (status, ..) = refused(create(with(&|b| b["is_dao"] = json!("no"))));
    assert_eq!(status, 400);
    assert_eq!(many(call(&client, &request(&ep::LIST_CLIENTS, &[], &[], None)).unwrap()).len(), 2);
}

#[test]
fn gen_1_create_keeps_only_client_fields_and_enable_otp_turns_otp_on() {
    let company = Company::new();
    let client = company.client();
    let body = json!({"first_name": "Grace", "otp": false, "bank_ramp": true, "credit_card_ramp": false, "individual_cards": true});
    let made = one(call(&client, &request(&ep::CREATE_CLIENT, &[], &[], Some(body))).unwrap());
    let id = made["id"].as_str().unwrap();
    assert!(["bank_ramp", "credit_card_ramp", "individual_cards"].iter().all(|f| !made.contains_key(*f)), "{made:?}");
    let enabled = one(call(&client, &request(&ep::ENABLE_OTP, &[id], &[], None)).unwrap());
    assert_eq!(enabled["otp"], true);
    assert_eq!(enabled["first_name"], "Grace");
    assert_ne!(enabled["updated_at"], Value::Null);
    assert_eq!(company.emulator.get(id).unwrap(), enabled);
}

#[test]
fn lookup_by_whatsapp_phone() {
    let company = Company::new();
    let client = company.client();
    let lookup = |number: &str| call(&client, &request(&ep::GET_CLIENT_BY_WHATSAPP_PHONE, &[], &[("full_phone_number", number.into())], None));
    assert_eq!(one(lookup("14155551234").unwrap())["id"].as_str(), Some(company.client_id.as_str()));
    let (status, code, message) = refused(lookup("5491100000000"));
    assert_eq!((status, code.as_str(), message.as_str()), (404, "NOT_FOUND", "Company client not found with phone number: 5491100000000"));
    for bad in ["+14155551234", "1 415", ""] {
        assert_eq!(refused(lookup(bad)).0, 400, "{bad:?}");
    }
    assert_eq!(refused(call(&client, &request(&ep::GET_CLIENT_BY_WHATSAPP_PHONE, &[], &[], None))).0, 400);
    // only clients on WhatsApp are found
    let update = request(&ep::UPDATE_CLIENT, &[&company.client_id], &[], Some(json!({"whatsapp": false})));
    call(&client, &update).unwrap();
    assert_eq!(refused(lookup("14155551234")).0, 404);
}

#[test]
fn individuals_are_created_201_and_checked_with_400_val() {
    let company = Company::new();
    let client = company.client();
    let create = |body: Value| request(&ep::CREATE_INDIVIDUAL, &[], &[], Some(body));
    let response = execute(&client, &create(individual("grace@example.com")));
    assert_eq!(response.status, 201);
    let made: Map<String, Value> = serde_json::from_slice(&response.body).unwrap();
    let id = made["id"].as_str().unwrap();
    assert!(id.len() == 32 && id.bytes().all(|b| b.is_ascii_alphanumeric()), "{id}");
    assert_eq!((made["type"].as_str(), made["status"].as_str()), (Some("individual"), Some("pending")));
    assert_eq!(made.keys().collect::<Vec<_>>(),
               ["id", "type", "status", "first_name", "last_name", "email", "birth_date", "address", "created_at", "updated_at"]);
    assert_eq!(company.emulator.get_individual(id).unwrap(), made);

    let (status, code, message) = refused(call(&client, &create(individual("ADA@example.com"))));
    assert_eq!((status, code.as_str(), message.as_str()), (400, "VAL", "Client already exists for this company"));
    let mut unknown = individual("new@example.com");
    unknown["nickname"] = json!("Ada");
    let (status, code, message) = refused(call(&client, &create(unknown)));
    assert_eq!((status, code.as_str()), (400, "VAL"), "{message}");
    assert!(message.contains("nickname"), "{message}");
    // missing required fields (past the SDK's own check): 400 VAL naming every one
    let path = "/management/clients/individuals";
    let sparse = json!({"first_name": "Ada", "address": {"city": "Paris", "country": "FRA"}});
    let (status, code, message) = raw_refusal(&execute(&client, &raw_request(&ep::CREATE_INDIVIDUAL, "POST", path, Some(sparse))));
    assert_eq!((status, code.as_str()), (400, "VAL"));
    assert_eq!(message, "Missing required fields: last_name, email, birth_date, address.street_line1, address.postal_code, address.state");
    assert_eq!(many(call(&client, &request(&ep::LIST_INDIVIDUALS, &[], &[], None)).unwrap()).len(), 2);
}

#[test]
fn put_individual_replaces_the_whole_record() {
    let company = Company::new();
    let client = company.client();
    let id = company.individual_id.as_str();
    let mut first = individual("ada@example.com");
    first["second_name"] = json!("Augusta");
    first["phone_country_code"] = json!(54);
    first["phone_number"] = json!(1168860622i64);
    one(call(&client, &request(&ep::REPLACE_INDIVIDUAL, &[id], &[], Some(first))).unwrap());

    let mut second = individual("ada.king@example.com");
    second["address"] = json!({"street_line1": "1 Main St", "city": "Austin", "postal_code": "78701", "state": "USA-TX", "country": "USA"});
    let replaced = one(call(&client, &request(&ep::REPLACE_INDIVIDUAL, &[id], &[], Some(second.clone()))).unwrap());
    for gone in ["second_name", "phone_country_code", "phone_number"] {
        assert!(!replaced.contains_key(gone), "{gone} kept: {replaced:?}");
    }
    assert_eq!((replaced["email"].as_str(), replaced["address"].clone()), (Some("ada.king@example.com"), second["address"].clone()));
    assert_eq!((replaced["id"].as_str(), replaced["status"].as_str(), replaced["created_at"].as_str()), (Some(id), Some("pending"), Some(OLD_STAMP)));
    assert_ne!(replaced["updated_at"], OLD_STAMP);
    assert_eq!(one(call(&client, &request(&ep::GET_INDIVIDUAL, &[id], &[], None)).unwrap()), replaced);

    // checked like a create: another individual's email is refused
    let other = one(call(&client, &request(&ep::CREATE_INDIVIDUAL, &[], &[], Some(individual("grace@example.com")))).unwrap());
    let steal = request(&ep::REPLACE_INDIVIDUAL, &[other["id"].as_str().unwrap()], &[], Some(individual("ada.king@example.com")));
    assert_eq!(refused(call(&client, &steal)), (400, "VAL".into(), "Client already exists for this company".into()));
}

#[test]
fn delete_individual_is_204_with_an_empty_body() {
    let company = Company::new();
    let client = company.client();
    let id = company.individual_id.as_str();
    let response = execute(&client, &request(&ep::DELETE_INDIVIDUAL, &[id], &[], None));
    assert_eq!(response.status, 204);
    assert!(response.body.is_empty());
    assert!(response.trace_id().is_some());
    assert!(company.emulator.get_individual(id).is_none());
    assert_eq!(refused(call(&client, &request(&ep::GET_INDIVIDUAL, &[id], &[], None))).0, 404);
    assert_eq!(refused(call(&client, &request(&ep::DELETE_INDIVIDUAL, &[id], &[], None))).0, 404);
    // the Gen 1 client is untouched
    assert!(company.emulator.get(&company.client_id).is_some());
}

#[test]
fn countries_and_identification_types() {
    let company = Company::new();
    let client = company.client();
    let response = execute(&client, &request(&ep::COUNTRIES, &[], &[], None));
    let catalog: Value = serde_json::from_slice(&response.body).unwrap();
    assert_eq!(catalog["count"], catalog["data"].as_array().unwrap().len());
    let countries = many(decode(response, ep::COUNTRIES.answer, &client.endpoint().api_key).unwrap());
    let argentina = countries.iter().find(|c| c["alpha3"] == "ARG").unwrap();
    assert_eq!(argentina["name"], "Argentina");
    assert!(argentina["subdivisions"].as_array().unwrap().iter().any(|s| s["code"] == "ARG-B"));
    assert!(countries.iter().any(|c| c["alpha3"] == "USA" && c["postal_code_format"] == "#####"));

    let types = |code: &str| many(call(&client, &request(&ep::IDENTIFICATION_TYPES, &[code], &[], None)).unwrap());
    let us = types("US");
    assert_eq!(us[0], fields(json!({"type": "SSN", "description": "Social Security Number"})));
    assert_eq!(types("usa"), us);
    assert!(types("AR").iter().any(|t| t["type"] == "DNI"));
    assert!(types("MEX").iter().any(|t| t["type"] == "CURP"));
}

#[test]
fn routing_errors_come_from_the_table() {
    let company = Company::new();
    let client = company.client();
    let id_path = format!("/management/clients/{}", company.client_id);
    let cases = [
        ("POST", id_path.as_str(), 405, "APP_ERROR"),
        ("PATCH", "/management/clients/individuals", 405, "APP_ERROR"),
        ("GET", "/management/clients/a/b/c", 404, "NOT_FOUND"),
        ("GET", "/management/companies", 404, "NOT_FOUND"),
        ("GET", "/management/clients/individuals?sms=true", 400, "BAD_REQUEST"),
        ("GET", "/management/clients?colour=red", 400, "BAD_REQUEST"),
    ];
    for (method, path, status, code) in cases {
        let response = execute(&client, &raw_request(&ep::GET_CLIENT, method, path, None));
        let (got_status, got_code, message) = raw_refusal(&response);
        assert_eq!((got_status, got_code.as_str()), (status, code), "{method} {path}: {message}");
    }
    let response = execute(&client, &raw_request(&ep::GET_CLIENT, "GET", "/management/clients/a/b/c", None));
    assert_eq!(raw_refusal(&response).2, "No endpoint GET /management/clients/a/b/c");
    // a literal segment wins over a parameter only for its own methods: this is an update of client "individuals"
    let response = execute(&client, &raw_request(&ep::UPDATE_CLIENT, "PUT", "/management/clients/individuals", Some(json!({}))));
    assert_eq!(raw_refusal(&response).2, "Company client not found with id: individuals");
}

#[test]
fn reset_empties_both_generations() {
    let company = Company::new();
    company.emulator.reset();
    assert!(company.emulator.get(&company.client_id).is_none());
    assert!(company.emulator.get_individual(&company.individual_id).is_none());
    let client = company.client();
    assert!(many(call(&client, &request(&ep::LIST_INDIVIDUALS, &[], &[], None)).unwrap()).is_empty());
}
