//! The API's vocabulary: the field table (`fields`), what a row means (`schema`), the records built from
//! it (`model`, read from a response's bytes by `decode`) and the endpoints that carry them (`endpoints`). Nothing here sends a request; the emulator
//! and the request path both read it.

pub mod decode;
pub mod endpoints;
pub mod fields;
pub mod model;
pub mod schema;
