//! The KYB rules of `POST /management/clients/business` (reference §3.13) beyond the body's shape: each
//! broken rule is a 412 `VAL`, as the docs list them.

use serde_json::{Map, Value};

use super::refusal::Refusal;
use crate::api::endpoints::CREATE_BUSINESS_CLIENT;

/// Both documented lists (docs.cryptomate.me and theneo) are accepted: they disagree (§10).
const BUSINESS_TYPES: &[&str] =
    &["corporation", "llc", "partnership", "sole_proprietorship", "non_profit", "trust", "cooperative", "sole_prop", "other"];

/// Checks a business body whose shape is already checked.
pub(super) fn check(body: &Map<String, Value>) -> Result<(), Refusal> {
    Refusal::unless_complete(412, &CREATE_BUSINESS_CLIENT.body.expect("a create has a body"), body)?;
    let business_type = body.get("business_type").and_then(Value::as_str).unwrap_or_default();
    if !BUSINESS_TYPES.contains(&business_type) {
        return Err(Refusal::val(412, format!("Invalid business type: {business_type:?}")));
    }
    let industries = body.get("business_industry").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
    if !industries.iter().any(|code| code.as_str().is_some_and(|c| !c.trim().is_empty())) {
        return Err(Refusal::val(412, "Invalid business industry: at least one NAICS code is required"));
    }
    let persons = body.get("associated_persons").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
    let some_person = |flag: &str| persons.iter().any(|p| p.get(flag) == Some(&Value::Bool(true)));
    if !some_person("has_control") {
        return Err(Refusal::val(412, "At least one associated person must have control (has_control)"));
    }
    if !some_person("is_signer") {
        return Err(Refusal::val(412, "At least one associated person must be a signer (is_signer)"));
    }
    Ok(())
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use serde_json::json;

    /// A business body that passes every rule.
    pub(in crate::emulator) fn valid_business() -> Map<String, Value> {
        let address = json!({"street_line_1": "1 Main St", "city": "Austin", "postal_code": "78701", "state": "USA-TX", "country": "USA"});
        json!({
            "email": "ops@acme.example", "business_legal_name": "ACME LLC", "business_description": "Anvils",
            "business_type": "llc", "business_industry": ["541511"], "registered_address": address,
            "associated_persons": [{
                "first_name": "Wile", "last_name": "Coyote", "email": "wile@acme.example", "birth_date": "1949-09-17",
                "residential_address": address, "has_control": true, "is_signer": true,
            }],
            "identifying_information": [{"type": "ein", "issuing_country": "USA", "number": "12-3456789"}],
            "high_risk_activities": [], "primary_website": "https://acme.example",
        })
        .as_object()
        .unwrap()
        .clone()
    }

    fn refused(change: impl FnOnce(&mut Map<String, Value>)) -> Refusal {
        let mut body = valid_business();
        change(&mut body);
        let refusal = check(&body).unwrap_err();
        assert_eq!((refusal.status, refusal.code), (412, "VAL"), "{refusal:?}");
        refusal
    }

    #[test]
    fn a_complete_business_passes_and_both_type_lists_are_accepted() {
        for business_type in BUSINESS_TYPES {
            let mut body = valid_business();
            body.insert("business_type".into(), json!(business_type));
            assert_eq!(check(&body), Ok(()), "{business_type}");
        }
    }

    #[test]
    fn every_broken_rule_is_a_412_val_that_says_which() {
        let missing = refused(|b| {
            b.remove("email");
            b["associated_persons"][0].as_object_mut().unwrap().remove("birth_date");
        });
        assert_eq!(missing.message, "Missing required fields: email, associated_persons[0].birth_date");
        assert!(refused(|b| b["business_type"] = json!("llp")).message.starts_with("Invalid business type"));
        assert!(refused(|b| b["business_type"] = json!("LLC")).message.starts_with("Invalid business type"));
        assert!(refused(|b| b["business_industry"] = json!([])).message.contains("industry"));
        assert!(refused(|b| b["business_industry"] = json!([" "])).message.contains("industry"));
        assert!(refused(|b| b["associated_persons"][0]["has_control"] = json!(false)).message.contains("has_control"));
        assert!(refused(|b| b["associated_persons"] = json!([])).message.contains("has_control"));
        let no_signer = refused(|b| {
            b["associated_persons"][0].as_object_mut().unwrap().remove("is_signer");
        });
        assert!(no_signer.message.contains("is_signer"));
    }
}
