//! The emulator's static catalogs: the supported countries with their subdivisions (reference §3.7) and the
//! identification types of each (§3.8). A small sample, not the real lists.

use serde_json::{json, Value};

use super::refusal::Refusal;

struct Country {
    name: &'static str,
    alpha2: &'static str,
    alpha3: &'static str,
    postal_code_format: &'static str,
    /// `(name, code)`; codes are ISO 3166-2 style with the alpha-3 prefix (`ARG-B`), as in the address
    /// examples, though the countries example shows unprefixed ones (§4.2, §11.13).
    subdivisions: &'static [(&'static str, &'static str)],
    /// `(type, description)`.
    identifications: &'static [(&'static str, &'static str)],
}

static COUNTRIES: &[Country] = &[
    Country {
        name: "Argentina",
        alpha2: "AR",
        alpha3: "ARG",
        postal_code_format: "####",
        subdivisions: &[("Buenos Aires", "ARG-B"), ("Ciudad Autónoma de Buenos Aires", "ARG-C"), ("Córdoba", "ARG-X"),
                        ("Mendoza", "ARG-M"), ("Santa Fe", "ARG-S")],
        identifications: &[("DNI", "Documento Nacional de Identidad"), ("CUIL", "Código Único de Identificación Laboral"),
                           ("CUIT", "Clave Única de Identificación Tributaria"), ("PASSPORT", "Passport")],
    },
    Country {
        name: "Brazil",
        alpha2: "BR",
        alpha3: "BRA",
        postal_code_format: "#####-###",
        subdivisions: &[("Minas Gerais", "BRA-MG"), ("Rio de Janeiro", "BRA-RJ"), ("São Paulo", "BRA-SP")],
        identifications: &[("CPF", "Cadastro de Pessoas Físicas"), ("RG", "Registro Geral")],
    },
    Country {
        name: "Mexico",
        alpha2: "MX",
        alpha3: "MEX",
        postal_code_format: "#####",
        subdivisions: &[("Ciudad de México", "MEX-CMX"), ("Jalisco", "MEX-JAL"), ("Nuevo León", "MEX-NLE")],
        identifications: &[("CURP", "Clave Única de Registro de Población"), ("RFC", "Registro Federal de Contribuyentes"),
                           ("INE", "Credencial para Votar (INE)")],
    },
    Country {
        name: "Spain",
        alpha2: "ES",
        alpha3: "ESP",
        postal_code_format: "#####",
        subdivisions: &[("Andalucía", "ESP-AN"), ("Cataluña", "ESP-CT"), ("Comunidad de Madrid", "ESP-MD")],
        identifications: &[("DNI", "Documento Nacional de Identidad"), ("NIE", "Número de Identidad de Extranjero")],
    },
    Country {
        name: "United States",
        alpha2: "US",
        alpha3: "USA",
        postal_code_format: "#####",
        subdivisions: &[("California", "USA-CA"), ("Florida", "USA-FL"), ("New York", "USA-NY"), ("Texas", "USA-TX")],
        identifications: &[("SSN", "Social Security Number"), ("ITIN", "Individual Taxpayer Identification Number"),
                           ("PASSPORT", "Passport")],
    },
];

/// `GET /management/clients/individuals/countries`: `{count, data: [...]}`.
pub(super) fn countries() -> Value {
    let data: Vec<Value> = COUNTRIES
        .iter()
        .map(|c| {
            let subdivisions: Vec<Value> = c.subdivisions.iter().map(|(name, code)| json!({"name": name, "code": code})).collect();
            json!({"name": c.name, "alpha3": c.alpha3, "postal_code_format": c.postal_code_format, "subdivisions": subdivisions})
        })
        .collect();
    json!({"count": data.len(), "data": data})
}

/// `GET /management/clients/individuals/identifications/{country_code}`. The docs' examples use alpha-2
/// codes while addresses use alpha-3 (§11.13): both are accepted, in any case.
pub(super) fn identification_types(country_code: &str) -> Result<Value, Refusal> {
    let country = COUNTRIES
        .iter()
        .find(|c| c.alpha2.eq_ignore_ascii_case(country_code) || c.alpha3.eq_ignore_ascii_case(country_code))
        .ok_or_else(|| Refusal::new(404, format!("No identification types found for country: {country_code}")))?;
    Ok(country.identifications.iter().map(|(kind, description)| json!({"type": kind, "description": description})).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::fields::{COUNTRY, IDENTIFICATION_TYPE};
    use crate::api::model::Record;

    #[test]
    fn countries_have_the_table_s_shape() {
        let catalog = countries();
        let data = catalog["data"].as_array().unwrap();
        assert_eq!(catalog["count"], data.len());
        for item in data {
            let record = Record::from_json(&COUNTRY, item.clone()).unwrap();
            assert!(record.extra.is_empty(), "{item}");
            let alpha3 = item["alpha3"].as_str().unwrap();
            for subdivision in item["subdivisions"].as_array().unwrap() {
                assert!(subdivision["code"].as_str().unwrap().starts_with(&format!("{alpha3}-")), "{subdivision}");
            }
        }
        assert!(data.iter().any(|c| c["alpha3"] == "ARG" && c["subdivisions"].as_array().unwrap().iter().any(|s| s["code"] == "ARG-B")));
    }

    #[test]
    fn identification_types_by_alpha_2_or_alpha_3_in_any_case() {
        let us = identification_types("US").unwrap();
        assert_eq!(us[0], json!({"type": "SSN", "description": "Social Security Number"}));
        assert_eq!(identification_types("usa").unwrap(), us);
        assert_eq!(identification_types("uS").unwrap(), us);
        for item in us.as_array().unwrap() {
            assert!(Record::from_json(&IDENTIFICATION_TYPE, item.clone()).unwrap().extra.is_empty());
        }
        for code in ["AR", "MEX", "br", "ES"] {
            assert!(!identification_types(code).unwrap().as_array().unwrap().is_empty(), "{code}");
        }
        let unknown = identification_types("ZZ").unwrap_err();
        assert_eq!((unknown.status, unknown.code), (404, "NOT_FOUND"));
    }
}
