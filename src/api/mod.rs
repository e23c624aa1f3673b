//! The API's vocabulary: the field table (`fields`), what a row means (`schema`) and the records built from
//! it (`model`). Nothing here sends a request; the emulator and the request path both read it.

pub mod fields;
pub mod model;
pub mod schema;
