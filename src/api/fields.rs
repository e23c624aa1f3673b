//! THE field table: every field of the API objects this SDK knows, written once.
//!
//! Argument checking, the models, the emulator and the `.pyi` stubs all read these rows. Adding a field to
//! the API is one line here (then `CRYPTOMATE_BLESS_STUBS=1 cargo test` rewrites the stubs).
//!
//! Row: `name: Kind, flags...;`. Every row of a model is an attribute of its Python class. The flags say in
//! which request bodies the field may be sent (see `api::schema::body`):
//! - `update`: `PUT /management/clients/{id}` (reference §3.14);
//! - `create`: the object's create body: `POST /management/clients` (§3.12) for `CompanyClient`, create and
//!   replace (`POST`/`PUT .../individuals`, §3.2, §3.5) for `IndividualClient`; for an object nested in a
//!   body (an address, a document), that it may be sent there;
//! - `business`: `POST /management/clients/business` (§3.13);
//! - `create_required`, `business_required`: the same, and the body must carry it.
//!
//! Fields that a body accepts but no answer carries (`associated_persons`, `bank_ramp`, ...) are rows of
//! `CLIENT_REQUEST_FIELDS`, which has no Python class.

/// Calls `$then!` with every object type and its rows, so that other modules (the pyo3 model classes) can
/// generate code from the same table without repeating a name.
#[macro_export]
macro_rules! with_schemas {
    ($then:ident) => { $then! {
        models {
        // Reference §4.2, the Gen 1 address shape.
        ADDRESS Address {
            street_line_1:                  Str, create;
            street_line_2:                  Str, create;
            city:                           Str, create;
            postal_code:                    Str, create;
            state:                          Str, create;
            country:                        Str, create;
        }
        // Reference §4.4, an item of `documents[]` in Gen 1 create/update.
        DOCUMENT Document {
            id:                             Str, create;
            name:                           Str, create;
            description:                    Str, create;
            issuing_country:                Str, create;
            number:                         Str, create;
            image_front:                    Str, create;
            image_back:                     Str, create;
        }
        // Reference §3.13, an item of `identifying_information[]` of a business and its associated persons.
        IDENTIFYING_INFORMATION IdentifyingInformation {
            r#type:                         Str, create_required;
            issuing_country:                Str, create_required;
            number:                         Str, create_required;
            description:                    Str, create;
            expiration:                     Str, create;
            image_front:                    Str, create;
            image_back:                     Str, create;
        }
        // Reference §3.13, an item of `associated_persons[]` in the business create body.
        ASSOCIATED_PERSON AssociatedPerson {
            first_name:                     Str, create_required;
            last_name:                      Str, create_required;
            email:                          Str, create_required;
            birth_date:                     Date, create_required;
            residential_address:            Object(ADDRESS), create_required;
            has_ownership:                  Bool, create;
            has_control:                    Bool, create;
            is_signer:                      Bool, create;
            is_director:                    Bool, create;
            identifying_information:        List(Object(IDENTIFYING_INFORMATION)), create;
            documents:                      List(Object(DOCUMENT)), create;
        }
        // Reference §4.3, the Gen 1 client object (individual and business fields), plus the §3.14 body fields
        // that the object table does not list (occupation, annual_salary, expected_monthly_volume).
        COMPANY_CLIENT CompanyClient {
            id:                             Str;
            company_id:                     Str, update;
            r#type:                         Str;
            status:                         Str;
            phone_country_code:             I32, update, create, business;
            phone_number:                   I64, update, create, business;
            username:                       Str, update, create, business;
            first_name:                     Str, update, create;
            second_name:                    Str, update, create;
            last_name:                      Str, update, create;
            gender:                         Str, update, create;
            email:                          Str, update, create, business_required;
            birth_date:                     Date, update, create;
            address:                        Object(ADDRESS), update, create;
            document_type:                  Str;
            document_number:                Str;
            expiration_date:                Date, update, create;
            individual_identification_type: Str, update, create;
            individual_identification:      Str, update, create;
            otp:                            Bool, update, create, business;
            sms:                            Bool, update, create, business;
            whatsapp:                       Bool, update, create, business;
            telegram:                       Bool, update, create, business;
            occupation:                     Str, update, create;
            annual_salary:                  Str, update, create;
            account_purpose:                Str, update, create, business;
            expected_monthly_volume:        Str, update, create;
            documents:                      List(Object(DOCUMENT)), update, create;
            wallet_ids:                     List(Str);
            business_legal_name:            Str, business_required;
            business_trade_name:            Str, business;
            business_description:           Str, business_required;
            business_type:                  Str, business_required;
            business_industry:              List(Str), business_required;
            is_dao:                         Bool, business;
            registered_address:             Object(ADDRESS), business_required;
            physical_address:               Object(ADDRESS), business;
            identifying_information:        List(Object(IDENTIFYING_INFORMATION)), business_required;
            has_material_intermediary_ownership: Bool, business;
            ownership_threshold:            I64, business;
            signed_agreement_id:            Str;
            source_of_funds:                Str, business;
            estimated_annual_revenue_usd:   Str, business;
            expected_monthly_payments_usd:  I64, business;
            operates_in_prohibited_countries: Bool, business;
            high_risk_activities:           List(Str), business_required;
            conducts_money_services:        Bool, business;
            acting_as_intermediary:         Bool, business;
            primary_website:                Str, business_required;
            other_websites:                 List(Str), business;
            rejection_code:                 Str;
            rejection_description:          Str;
            created_at:                     Timestamp;
            updated_at:                     Timestamp;
        }
        // Reference §4.2, the Gen 2 address shape (other key spellings than Gen 1's).
        INDIVIDUAL_ADDRESS IndividualAddress {
            street_line1:                   Str, create_required;
            street_line2:                   Str, create;
            city:                           Str, create_required;
            postal_code:                    Str, create_required;
            state:                          Str, create_required;
            state_code:                     Str, create;
            country:                        Str, create_required;
            country_code:                   Str, create;
        }
        // Reference §4.1 and §3.2/§3.5, the Gen 2 individual client; create and replace take the same body.
        INDIVIDUAL_CLIENT IndividualClient {
            id:                             Str;
            r#type:                         Str;
            status:                         Str;
            first_name:                     Str, create_required;
            second_name:                    Str, create;
            last_name:                      Str, create_required;
            email:                          Str, create_required;
            birth_date:                     Date, create_required;
            phone_country_code:             I32, create;
            phone_number:                   I64, create;
            address:                        Object(INDIVIDUAL_ADDRESS), create_required;
            created_at:                     Timestamp;
            updated_at:                     Timestamp;
        }
        // Reference §3.7, an entry of the supported countries.
        SUBDIVISION Subdivision {
            name:                           Str;
            code:                           Str;
        }
        COUNTRY Country {
            name:                           Str;
            alpha3:                         Str;
            postal_code_format:             Str;
            subdivisions:                   List(Object(SUBDIVISION));
        }
        // Reference §3.8, an identification type of a country.
        IDENTIFICATION_TYPE IdentificationType {
            r#type:                         Str;
            description:                    Str;
        }
        }
        request_only {
        // Body fields of the Gen 1 creates that no answer carries (§3.12, §3.13).
        CLIENT_REQUEST_FIELDS ClientRequestFields {
            bank_ramp:                      Bool, create;
            credit_card_ramp:               Bool, create;
            individual_cards:               Bool, create;
            associated_persons:             List(Object(ASSOCIATED_PERSON)), business_required;
            business_documents:             List(Json), business;
            account_purpose_other:          Str, business;
            source_of_funds_description:    Str, business;
            high_risk_activities_explanation: Str, business;
            conducts_money_services_using_platform: Bool, business;
            conducts_money_services_description: Str, business;
            compliance_screening_explanation: Str, business;
            regulated_activity:             Json, business;
        }
        }
    } };
}

/// Turns a kind written in the table (`Str`, `Object(ADDRESS)`, `List(Object(DOCUMENT))`) into a `Kind`.
#[macro_export]
macro_rules! schema_kind {
    (Object($schema:ident)) => { $crate::api::schema::Kind::Object(&$crate::api::fields::$schema) };
    (List($($item:tt)+)) => { $crate::api::schema::Kind::List(&$crate::schema_kind!($($item)+)) };
    ($kind:ident) => { $crate::api::schema::Kind::$kind };
}

/// `r#type` in the table is the API's `type`.
pub const fn unraw(name: &'static str) -> &'static str {
    match name.as_bytes() {
        [b'r', b'#', rest @ ..] => match std::str::from_utf8(rest) {
            Ok(bare) => bare,
            Err(_) => name,
        },
        _ => name,
    }
}

macro_rules! define_schemas {
    (@schemas $( $static:ident $name:ident { $( $field:ident : $kind:ident $(($($arg:tt)+))? $(, $flag:ident)* ; )* } )*) => {
        $( pub static $static: $crate::api::schema::Schema = $crate::api::schema::Schema {
            name: stringify!($name),
            fields: &[ $( $crate::api::schema::Field {
                name: $crate::api::fields::unraw(stringify!($field)),
                kind: $crate::schema_kind!($kind $(($($arg)+))?),
                bodies: $crate::api::schema::body::parse(&[$(stringify!($flag)),*], false),
                required: $crate::api::schema::body::parse(&[$(stringify!($flag)),*], true),
            }, )* ],
        }; )*
    };
    (models { $($models:tt)* } request_only { $($request_only:tt)* }) => {
        define_schemas!(@schemas $($models)*);
        define_schemas!(@schemas $($request_only)*);

        /// Every schema that is a model (a Python class), for code that walks them all (stubs, tests).
        pub static ALL_SCHEMAS: &[&$crate::api::schema::Schema] = &$crate::schema_refs!($($models)*);
    };
}

/// `[&A, &B, ...]` of the schema statics in a group of the table.
#[macro_export]
macro_rules! schema_refs {
    ($( $static:ident $name:ident { $($rows:tt)* } )*) => { [ $( &$static ),* ] };
}

with_schemas!(define_schemas);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::schema::body;

    #[test]
    fn update_body_has_the_23_documented_fields() {
        let writable: Vec<_> = COMPANY_CLIENT.body_fields(body::UPDATE).map(|f| f.name).collect();
        assert_eq!(writable.len(), 23, "{writable:?}");
        for name in ["company_id", "phone_number", "sms", "birth_date", "address", "documents", "expected_monthly_volume"] {
            assert!(writable.contains(&name), "{name} not writable");
        }
        for name in ["id", "status", "created_at", "business_legal_name"] {
            assert!(!writable.contains(&name), "{name} must not be writable");
        }
    }

    #[test]
    fn names_are_unique_within_each_schema() {
        for schema in ALL_SCHEMAS.iter().chain([&&CLIENT_REQUEST_FIELDS]) {
            let mut names: Vec<_> = schema.fields.iter().map(|f| f.name).collect();
            names.sort_unstable();
            let before = names.len();
            names.dedup();
            assert_eq!(before, names.len(), "duplicate field in {}", schema.name);
        }
    }
}
