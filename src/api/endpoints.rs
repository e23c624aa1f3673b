//! The Clients endpoints, one row each: method, path, query, body, answer, access level. The SDK builds its
//! requests and decodes its answers from these rows; the emulator routes and checks requests by them.

use crate::api::fields::{CLIENT_REQUEST_FIELDS, COMPANY_CLIENT, COUNTRY, IDENTIFICATION_TYPE, INDIVIDUAL_CLIENT};
use crate::api::schema::{body, Body, Schema};

/// What a successful answer carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// One object.
    One(&'static Schema),
    /// A list of objects: a bare JSON array, or an object holding it under `data` (the countries catalog).
    Many(&'static Schema),
    /// Nothing the caller needs (any body, or none).
    Nothing,
}

#[derive(Debug)]
pub struct Endpoint {
    /// The SDK call, as Python spells it.
    pub call: &'static str,
    pub method: &'static str,
    /// `{name}` segments are parameters, each one encoded path segment.
    pub path: &'static str,
    /// The query parameters it takes (all optional unless the call says otherwise).
    pub query: &'static [&'static str],
    pub body: Option<Body>,
    pub answer: Answer,
    /// The status of success (the emulator answers with it).
    pub status: u16,
    /// The key's access level it needs: 1 reads, 3 writes (reference §2).
    pub level: u8,
}

impl Endpoint {
    /// Whether sending it twice can do harm: a create could make two clients.
    pub fn is_idempotent(&self) -> bool {
        self.method != "POST"
    }

    /// The names of its path parameters, in order (`id` of `/management/clients/{id}`).
    pub fn path_params(&self) -> impl Iterator<Item = &'static str> {
        self.path.split('/').filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
    }
}

/// Access levels of keys (reference §2): 1 reads, 3 writes.
pub const READ: u8 = 1;
pub const WRITE: u8 = 3;
const NONE: &[&str] = &[];

macro_rules! endpoints {
    ($( $static:ident: $call:literal, $method:literal $path:literal, query $query:expr, body $body:expr, $answer:expr, $status:literal, $level:ident; )*) => {
        $( pub static $static: Endpoint = Endpoint {
            call: $call, method: $method, path: $path, query: $query, body: $body, answer: $answer, status: $status, level: $level,
        }; )*

        /// Every endpoint. The emulator tries them in this order: a literal segment (`individuals`) must come
        /// before a parameter (`{id}`) in the same place.
        pub static ALL_ENDPOINTS: &[&Endpoint] = &[ $( &$static ),* ];
    };
}

const fn body_of(schema: &'static Schema, mask: u8, extra: Option<&'static Schema>) -> Option<Body> {
    Some(Body { schema, mask, extra })
}

use Answer::{Many, Nothing, One};

endpoints! {
    // Gen 2, `client.individuals` (reference §3.2 to §3.8).
    CREATE_INDIVIDUAL: "individuals.create", "POST" "/management/clients/individuals", query NONE,
        body body_of(&INDIVIDUAL_CLIENT, body::CREATE, None), One(&INDIVIDUAL_CLIENT), 201, WRITE;
    LIST_INDIVIDUALS: "individuals.list", "GET" "/management/clients/individuals", query NONE,
        body None, Many(&INDIVIDUAL_CLIENT), 200, READ;
    COUNTRIES: "individuals.countries", "GET" "/management/clients/individuals/countries", query NONE,
        body None, Many(&COUNTRY), 200, READ;
    IDENTIFICATION_TYPES: "individuals.identification_types", "GET" "/management/clients/individuals/identifications/{country_code}",
        query NONE, body None, Many(&IDENTIFICATION_TYPE), 200, READ;
    GET_INDIVIDUAL: "individuals.get", "GET" "/management/clients/individuals/{id}", query NONE,
        body None, One(&INDIVIDUAL_CLIENT), 200, READ;
    REPLACE_INDIVIDUAL: "individuals.replace", "PUT" "/management/clients/individuals/{id}", query NONE,
        body body_of(&INDIVIDUAL_CLIENT, body::CREATE, None), One(&INDIVIDUAL_CLIENT), 200, WRITE;
    DELETE_INDIVIDUAL: "individuals.delete", "DELETE" "/management/clients/individuals/{id}", query NONE,
        body None, Nothing, 204, WRITE;
    // Gen 1 (reference §3.10 to §3.16).
    LIST_CLIENTS: "list_clients", "GET" "/management/clients", query &["otp", "sms", "whatsapp", "telegram"],
        body None, Many(&COMPANY_CLIENT), 200, READ;
    CREATE_CLIENT: "create_client", "POST" "/management/clients", query NONE,
        body body_of(&COMPANY_CLIENT, body::CREATE, Some(&CLIENT_REQUEST_FIELDS)), One(&COMPANY_CLIENT), 200, WRITE;
    CREATE_BUSINESS_CLIENT: "create_business_client", "POST" "/management/clients/business", query NONE,
        body body_of(&COMPANY_CLIENT, body::BUSINESS, Some(&CLIENT_REQUEST_FIELDS)), One(&COMPANY_CLIENT), 200, WRITE;
    GET_CLIENT_BY_WHATSAPP_PHONE: "get_client_by_whatsapp_phone", "GET" "/management/clients/by-phone-whatsapp",
        query &["full_phone_number"], body None, One(&COMPANY_CLIENT), 200, READ;
    GET_CLIENT: "get_client", "GET" "/management/clients/{id}", query NONE,
        body None, One(&COMPANY_CLIENT), 200, READ;
    UPDATE_CLIENT: "update_client", "PUT" "/management/clients/{id}", query NONE,
        body body_of(&COMPANY_CLIENT, body::UPDATE, None), One(&COMPANY_CLIENT), 200, WRITE;
    DELETE_CLIENT: "delete_client", "DELETE" "/management/clients/{id}", query NONE,
        body None, Nothing, 200, WRITE;
    ENABLE_OTP: "enable_otp", "PATCH" "/management/clients/{id}/enable-otp", query NONE,
        body None, One(&COMPANY_CLIENT), 200, WRITE;
}

/// The parameters of `path` if it is an instance of `template` (`{name}` segments match any one segment).
pub fn match_path<'p>(template: &str, path: &'p str) -> Option<Vec<&'p str>> {
    let mut params = Vec::new();
    let mut template_segments = template.split('/');
    let mut path_segments = path.split('/');
    loop {
        match (template_segments.next(), path_segments.next()) {
            (None, None) => return Some(params),
            (Some(t), Some(p)) if t.starts_with('{') && !p.is_empty() => params.push(p),
            (Some(t), Some(p)) if t == p => {}
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_segments_come_before_parameters() {
        let first = |method: &str, path: &str| {
            ALL_ENDPOINTS.iter().find(|e| e.method == method && match_path(e.path, path).is_some()).map(|e| e.call)
        };
        assert_eq!(first("GET", "/management/clients/individuals"), Some("individuals.list"));
        assert_eq!(first("GET", "/management/clients/individuals/countries"), Some("individuals.countries"));
        assert_eq!(first("GET", "/management/clients/individuals/abc"), Some("individuals.get"));
        assert_eq!(first("GET", "/management/clients/by-phone-whatsapp"), Some("get_client_by_whatsapp_phone"));
        assert_eq!(first("GET", "/management/clients/client_1"), Some("get_client"));
        assert_eq!(first("POST", "/management/clients/business"), Some("create_business_client"));
        assert_eq!(first("PATCH", "/management/clients/c1/enable-otp"), Some("enable_otp"));
        assert_eq!(first("GET", "/management/clients/a/b/c"), None);
        assert_eq!(match_path("/x/{id}", "/x/"), None);
    }

    #[test]
    fn only_creates_are_not_idempotent() {
        for endpoint in ALL_ENDPOINTS {
            assert_eq!(endpoint.is_idempotent(), endpoint.method != "POST", "{}", endpoint.call);
        }
        assert!(!CREATE_INDIVIDUAL.is_idempotent());
    }

    #[test]
    fn bodies_require_what_the_docs_require() {
        let missing = |e: &Endpoint| e.body.unwrap().missing_required(&Default::default());
        assert_eq!(missing(&CREATE_INDIVIDUAL), ["first_name", "last_name", "email", "birth_date", "address"]);
        assert!(missing(&CREATE_CLIENT).is_empty());
        assert!(missing(&UPDATE_CLIENT).is_empty());
        let business = missing(&CREATE_BUSINESS_CLIENT);
        for name in ["email", "business_legal_name", "business_type", "registered_address", "associated_persons", "primary_website"] {
            assert!(business.iter().any(|m| m == name), "{name} not required: {business:?}");
        }
        let partial = serde_json::json!({"address": {"city": "Paris"}});
        let missing = CREATE_INDIVIDUAL.body.unwrap().missing_required(partial.as_object().unwrap());
        assert!(missing.contains(&"address.street_line1".to_owned()), "{missing:?}");
        assert!(!missing.contains(&"address.city".to_owned()));
    }
}
