//! Routing by the endpoint table (`api::endpoints`): which endpoint a request calls, whether its key may call
//! it, its path parameters and query, and the handler that answers it. The success status is the table's.

use std::net::IpAddr;
use std::time::Instant;

use serde_json::{Map, Value};

use super::refusal::Refusal;
use super::server::{now_timestamp, Answer};
use super::{catalog, RecordedRequest, State};
use crate::api::endpoints::{match_path, Endpoint, ALL_ENDPOINTS};
use crate::percent;

/// The documented behaviour of the Clients endpoints for one request.
pub(super) fn route(state: &mut State, address: IpAddr, request: &RecordedRequest, now: Instant) -> Answer {
    let key = request.headers.iter().find(|(name, _)| name == "x-api-key").map(|(_, v)| v.as_str());
    if let Some(limiter) = state.limiter.as_mut() {
        if let Err(wait) = limiter.admit(key, address, now) {
            return Answer::RateLimited { wait, time_scale: state.config.time_scale };
        }
    }
    let Some(&level) = key.and_then(|k| state.keys.get(k)) else {
        return Answer::Refused(Refusal::new(401, "Invalid or missing API key"));
    };
    let (path, query) = request.path.split_once('?').unwrap_or((request.path.as_str(), ""));
    let answered = find_endpoint(&request.method, path).and_then(|(endpoint, params)| {
        let params = params.iter().map(|p| percent::decode(p)).collect::<Option<Vec<_>>>().ok_or_else(|| {
            Refusal::new(400, format!("A path parameter of {} is not valid percent-encoded UTF-8", endpoint.path))
        })?;
        if level < endpoint.level {
            let needed = endpoint.level;
            return Err(Refusal::new(401, format!("The API key does not have access level {needed} required by this endpoint")));
        }
        let query = parse_query(query, endpoint.query)?;
        let value = handle(state, endpoint, &params, &query, request, &now_timestamp())?;
        Ok((endpoint.status, value))
    });
    match answered {
        Ok((status, Some(value))) => Answer::Json(status, value),
        Ok((status, None)) => Answer::Empty(status),
        Err(refusal) => Answer::Refused(refusal),
    }
}

/// The first endpoint whose path and method fit (the table lists literal segments before parameters), with
/// its raw path parameters; 405 when only paths fit, 404 when none does.
fn find_endpoint<'p>(method: &str, path: &'p str) -> Result<(&'static Endpoint, Vec<&'p str>), Refusal> {
    let mut path_known = false;
    for endpoint in ALL_ENDPOINTS {
        if let Some(params) = match_path(endpoint.path, path) {
            if endpoint.method == method {
                return Ok((endpoint, params));
            }
            path_known = true;
        }
    }
    Err(match path_known {
        true => Refusal::new(405, format!("Method {method} is not allowed on {path}")),
        false => Refusal::new(404, format!("No endpoint {method} {path}")),
    })
}

/// Answers one call of `endpoint`: `Some` body, or `None` for an empty one. Dispatched on the table's call
/// names; `every_endpoint_has_a_handler` checks that none is left out.
fn handle(
    state: &mut State,
    endpoint: &Endpoint,
    params: &[String],
    query: &[(String, String)],
    request: &RecordedRequest,
    now: &str,
) -> Result<Option<Value>, Refusal> {
    // Every parameterised path has one parameter: a client id or a country code.
    let param = params.first().map_or("", String::as_str);
    let body = || json_object(request);
    let (store, individuals) = (&mut state.store, &mut state.individuals);
    let client = match endpoint.call {
        "list_clients" => return Ok(Some(Value::Array(store.list(&list_filters(query)?)))),
        "create_client" => store.create(body()?, now),
        "create_business_client" => store.create_business(body()?, now),
        "get_client_by_whatsapp_phone" => store.by_whatsapp_phone(&full_phone_number(query)?),
        "get_client" => store.get(param).cloned().ok_or_else(|| Refusal::not_found(param)),
        "update_client" => store.update(param, body()?, now),
        "delete_client" => store.delete(param),
        "enable_otp" => store.enable_otp(param, now),
        "individuals.list" => return Ok(Some(Value::Array(individuals.list()))),
        "individuals.create" => individuals.create(body()?, now),
        "individuals.get" => individuals.get(param).cloned().ok_or_else(|| Refusal::not_found(param)),
        "individuals.replace" => individuals.replace(param, body()?, now),
        "individuals.delete" => return individuals.delete(param).map(|()| None),
        "individuals.countries" => return Ok(Some(catalog::countries())),
        "individuals.identification_types" => return catalog::identification_types(param).map(Some),
        other => return Err(Refusal::new(501, format!("The emulator does not serve {other}"))),
    };
    client.map(|client| Some(Value::Object(client)))
}

fn json_object(request: &RecordedRequest) -> Result<Map<String, Value>, Refusal> {
    match &request.json {
        Some(Value::Object(map)) => Ok(map.clone()),
        Some(_) => Err(Refusal::new(400, "The request body must be a JSON object")),
        None => Err(Refusal::new(400, "The request body is not valid JSON")),
    }
}

/// The query's `(name, value)` pairs, decoded; a name the endpoint does not take is a 400.
fn parse_query(query: &str, allowed: &[&str]) -> Result<Vec<(String, String)>, Refusal> {
    let mut pairs = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (Some(name), Some(value)) = (percent::decode(name), percent::decode(value)) else {
            return Err(Refusal::new(400, "The query is not valid percent-encoded UTF-8"));
        };
        if !allowed.contains(&name.as_str()) {
            return Err(Refusal::new(400, format!("Unknown query parameter {name:?}")));
        }
        pairs.push((name, value));
    }
    Ok(pairs)
}

/// The boolean filters of `GET /management/clients`.
fn list_filters(query: &[(String, String)]) -> Result<Vec<(String, bool)>, Refusal> {
    query
        .iter()
        .map(|(name, value)| match value.as_str() {
            "true" => Ok((name.clone(), true)),
            "false" => Ok((name.clone(), false)),
            other => Err(Refusal::new(400, format!("Query parameter {name} must be true or false, got {other:?}"))),
        })
        .collect()
}

/// The required `full_phone_number` of the WhatsApp lookup: digits only, country code first.
fn full_phone_number(query: &[(String, String)]) -> Result<String, Refusal> {
    let Some((_, number)) = query.iter().find(|(name, _)| name == "full_phone_number") else {
        return Err(Refusal::new(400, "Query parameter full_phone_number is required"));
    };
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Refusal::new(400, format!("Query parameter full_phone_number must be digits only, country code first, got {number:?}")));
    }
    Ok(number.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::EmulatorConfig;
    use serde_json::json;

    const KEY: &str = "test-key";

    fn state() -> State {
        let mut state = State::new(EmulatorConfig::default());
        state.keys.insert(KEY.into(), 3);
        state.keys.insert("reader".into(), 1);
        state
    }

    fn send(state: &mut State, method: &str, path: &str, key: &str, json: Option<Value>) -> Answer {
        let request = RecordedRequest {
            method: method.into(),
            path: path.into(),
            headers: vec![("x-api-key".into(), key.into())],
            body: Default::default(),
            json,
            received_at: Default::default(),
        };
        route(state, IpAddr::from([127, 0, 0, 1]), &request, Instant::now())
    }

    fn status(answer: &Answer) -> (u16, &str) {
        match answer {
            Answer::Json(status, _) | Answer::Empty(status) => (*status, ""),
            Answer::Refused(refusal) => (refusal.status, refusal.code),
            _ => (0, "?"),
        }
    }

    #[test]
    fn queries() {
        let flags = ["otp", "sms", "whatsapp", "telegram"];
        let query = parse_query("sms=true&otp=false", &flags).unwrap();
        assert_eq!(list_filters(&query).unwrap(), vec![("sms".into(), true), ("otp".into(), false)]);
        assert!(list_filters(&parse_query("sms=yes", &flags).unwrap()).is_err());
        assert_eq!(parse_query("color=red", &flags).unwrap_err().message, "Unknown query parameter \"color\"");
        assert_eq!(parse_query("x=1", &[]).unwrap_err().status, 400);
        let phone = |q: &str| full_phone_number(&parse_query(q, &["full_phone_number"]).unwrap());
        assert_eq!(phone("full_phone_number=14155551234").unwrap(), "14155551234");
        for bad in ["", "full_phone_number=", "full_phone_number=%2B14155551234", "full_phone_number=1415x"] {
            assert_eq!(phone(bad).unwrap_err().status, 400, "{bad}");
        }
    }

    #[test]
    fn paths_and_methods_come_from_the_table() {
        let mut state = state();
        assert_eq!(status(&send(&mut state, "GET", "/management/clients", KEY, None)), (200, ""));
        assert_eq!(status(&send(&mut state, "GET", "/management/clients/individuals", KEY, None)), (200, ""));
        assert_eq!(status(&send(&mut state, "GET", "/management/clients/individuals/countries", KEY, None)), (200, ""));
        assert_eq!(status(&send(&mut state, "GET", "/management/clients/individuals/identifications/US", KEY, None)), (200, ""));
        assert_eq!(status(&send(&mut state, "GET", "/management/clients/client_x", KEY, None)), (404, "NOT_FOUND"));
        let nowhere = send(&mut state, "GET", "/management/clients/a/b", KEY, None);
        assert!(matches!(&nowhere, Answer::Refused(r) if r.message == "No endpoint GET /management/clients/a/b"));
        assert_eq!(status(&send(&mut state, "GET", "/other", KEY, None)), (404, "NOT_FOUND"));
        assert_eq!(status(&send(&mut state, "POST", "/management/clients/client_x", KEY, None)), (405, "APP_ERROR"));
        assert_eq!(status(&send(&mut state, "PATCH", "/management/clients/individuals/x", KEY, None)), (405, "APP_ERROR"));
        // unknown keys before anything else; then levels from the table
        assert_eq!(status(&send(&mut state, "GET", "/other", "nope", None)), (401, "API_ERROR"));
        assert_eq!(status(&send(&mut state, "GET", "/management/clients/individuals", "reader", None)), (200, ""));
        assert_eq!(status(&send(&mut state, "DELETE", "/management/clients/individuals/x", "reader", None)), (401, "API_ERROR"));
        assert_eq!(status(&send(&mut state, "DELETE", "/management/clients/individuals/x", KEY, None)), (404, "NOT_FOUND"));
        // queries only where the table lists them
        assert_eq!(status(&send(&mut state, "GET", "/management/clients/individuals?sms=true", KEY, None)), (400, "BAD_REQUEST"));
        assert_eq!(status(&send(&mut state, "GET", "/management/clients/by-phone-whatsapp", KEY, None)), (400, "BAD_REQUEST"));
        assert_eq!(status(&send(&mut state, "GET", "/management/clients/client_%FF", KEY, None)), (400, "BAD_REQUEST"));
    }

    #[test]
    fn every_endpoint_has_a_handler() {
        for endpoint in ALL_ENDPOINTS {
            let path = endpoint.path.replace("{id}", "some_id").replace("{country_code}", "US");
            let answer = send(&mut state(), endpoint.method, &path, KEY, Some(json!({})));
            let (status, _) = status(&answer);
            assert!(status != 501 && status != 404 || matches!(&answer, Answer::Refused(r) if r.message.contains("some_id")),
                    "{} {path}: {status}", endpoint.call);
        }
    }

    #[test]
    fn success_statuses_are_the_table_s() {
        let mut state = state();
        let body = Value::Object(crate::emulator::individuals::tests::valid_individual("ada@example.com"));
        let Answer::Json(201, made) = send(&mut state, "POST", "/management/clients/individuals", KEY, Some(body)) else {
            panic!("create is not a 201");
        };
        let path = format!("/management/clients/individuals/{}", made["id"].as_str().unwrap());
        assert!(matches!(send(&mut state, "DELETE", &path, KEY, None), Answer::Empty(204)));
        let business = Value::Object(crate::emulator::business::tests::valid_business());
        let Answer::Json(200, made) = send(&mut state, "POST", "/management/clients/business", KEY, Some(business)) else {
            panic!("business create is not a 200");
        };
        assert_eq!(made["type"], "business");
    }
}
