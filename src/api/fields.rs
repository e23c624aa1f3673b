//! THE field table: every field of the API objects this SDK knows, written once.
//!
//! Argument checking, the models, the emulator and the `.pyi` stubs all read these rows. Adding a field to
//! the API is one line here (then `CRYPTOMATE_BLESS_STUBS=1 cargo test` rewrites the stubs).
//!
//! Row: `name: Kind, write;`. `write` marks a field accepted in request bodies (for the client object:
//! the body of `PUT /management/clients/{id}`, reference §3.14); every row is an attribute of its model.

/// Calls `$then!` with every object type and its rows, so that other modules (the pyo3 model classes) can
/// generate code from the same table without repeating a name.
#[macro_export]
macro_rules! with_schemas {
    ($then:ident) => { $then! {
        // Reference §4.2, the Gen 1 address shape.
        ADDRESS Address {
            street_line_1:                  Str, write;
            street_line_2:                  Str, write;
            city:                           Str, write;
            postal_code:                    Str, write;
            state:                          Str, write;
            country:                        Str, write;
        }
        // Reference §4.4, an item of `documents[]` in Gen 1 create/update.
        DOCUMENT Document {
            id:                             Str, write;
            name:                           Str, write;
            description:                    Str, write;
            issuing_country:                Str, write;
            number:                         Str, write;
            image_front:                    Str, write;
            image_back:                     Str, write;
        }
        // Reference §4.3, the Gen 1 client object (individual and business fields), plus the §3.14 body fields
        // that the object table does not list (occupation, annual_salary, expected_monthly_volume).
        COMPANY_CLIENT CompanyClient {
            id:                             Str;
            company_id:                     Str, write;
            r#type:                         Str;
            status:                         Str;
            phone_country_code:             I32, write;
            phone_number:                   I64, write;
            username:                       Str, write;
            first_name:                     Str, write;
            second_name:                    Str, write;
            last_name:                      Str, write;
            gender:                         Str, write;
            email:                          Str, write;
            birth_date:                     Date, write;
            address:                        Object(ADDRESS), write;
            document_type:                  Str;
            document_number:                Str;
            expiration_date:                Date, write;
            individual_identification_type: Str, write;
            individual_identification:      Str, write;
            otp:                            Bool, write;
            sms:                            Bool, write;
            whatsapp:                       Bool, write;
            telegram:                       Bool, write;
            occupation:                     Str, write;
            annual_salary:                  Str, write;
            account_purpose:                Str, write;
            expected_monthly_volume:        Str, write;
            documents:                      List(Object(DOCUMENT)), write;
            wallet_ids:                     List(Str);
            business_legal_name:            Str;
            business_trade_name:            Str;
            business_description:           Str;
            business_type:                  Str;
            business_industry:              List(Str);
            is_dao:                         Bool;
            registered_address:             Object(ADDRESS);
            physical_address:               Object(ADDRESS);
            identifying_information:        List(Json);
            has_material_intermediary_ownership: Bool;
            ownership_threshold:            I64;
            signed_agreement_id:            Str;
            source_of_funds:                Str;
            estimated_annual_revenue_usd:   Str;
            expected_monthly_payments_usd:  I64;
            operates_in_prohibited_countries: Bool;
            high_risk_activities:           List(Str);
            conducts_money_services:        Bool;
            acting_as_intermediary:         Bool;
            primary_website:                Str;
            other_websites:                 List(Str);
            rejection_code:                 Str;
            rejection_description:          Str;
            created_at:                     Timestamp;
            updated_at:                     Timestamp;
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

macro_rules! writable {
    () => { false };
    (write) => { true };
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
    ($( $static:ident $name:ident { $( $field:ident : $kind:ident $(($($arg:tt)+))? $(, $write:ident)? ; )* } )*) => {
        $( pub static $static: $crate::api::schema::Schema = $crate::api::schema::Schema {
            name: stringify!($name),
            fields: &[ $( $crate::api::schema::Field {
                name: $crate::api::fields::unraw(stringify!($field)),
                kind: $crate::schema_kind!($kind $(($($arg)+))?),
                writable: writable!($($write)?),
            }, )* ],
        }; )*

        /// Every schema, for code that walks them all (stub generation, tests).
        pub static ALL_SCHEMAS: &[&$crate::api::schema::Schema] = &[ $( &$static ),* ];
    };
}

with_schemas!(define_schemas);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_body_has_the_23_documented_fields() {
        let writable: Vec<_> = COMPANY_CLIENT.writable_fields().map(|f| f.name).collect();
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
        for schema in ALL_SCHEMAS {
            let mut names: Vec<_> = schema.fields.iter().map(|f| f.name).collect();
            names.sort_unstable();
            let before = names.len();
            names.dedup();
            assert_eq!(before, names.len(), "duplicate field in {}", schema.name);
        }
    }
}
