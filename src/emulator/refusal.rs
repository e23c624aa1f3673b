//! The emulator's documented failures: status, error `code` and message (reference §5).

/// A documented failure of the Clients endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl Refusal {
    /// The code the API uses for the status (`code_for_status`).
    pub fn new(status: u16, message: impl Into<String>) -> Refusal {
        Refusal { status, code: code_for_status(status), message: message.into() }
    }

    /// A business or validation rule (`VAL`), whatever the status: Gen 2 answers 400 where Gen 1 answers 412.
    pub fn val(status: u16, message: impl Into<String>) -> Refusal {
        Refusal { status, code: "VAL", message: message.into() }
    }

    /// `Err` naming every required field `body` lacks (`Body::missing_required`), as a `VAL` refusal.
    pub fn unless_complete(status: u16, body: &crate::api::schema::Body, fields: &serde_json::Map<String, serde_json::Value>) -> Result<(), Refusal> {
        let missing = body.missing_required(fields);
        if missing.is_empty() {
            return Ok(());
        }
        Err(Refusal::val(status, format!("Missing required fields: {}", missing.join(", "))))
    }

    pub fn not_found(id: &str) -> Refusal {
        Refusal::new(404, format!("Company client not found with id: {id}"))
    }
}

/// The error `code` the API uses for a status (reference §5).
pub fn code_for_status(status: u16) -> &'static str {
    match status {
        400 => "BAD_REQUEST",
        401 => "API_ERROR",
        404 => "NOT_FOUND",
        409 | 412 => "VAL",
        429 => "TOO_MANY_REQUESTS",
        s if s >= 500 => "SERVER_ERROR",
        _ => "APP_ERROR",
    }
}
