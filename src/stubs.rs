//! Renders the table-driven parts of `python/cryptomate/_native.pyi` from the field table (and the client
//! defaults from `config.rs`).
//!
//! The stub file holds hand-written parts and regions between `# BEGIN GENERATED: <name>` and
//! `# END GENERATED: <name>`. `cargo test` fails when a region differs from what the table says;
//! `CRYPTOMATE_BLESS_STUBS=1 cargo test` rewrites the regions.

use crate::http::config::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_SIZE, DEFAULT_MAX_RETRIES, DEFAULT_RATE_LIMIT, DEFAULT_TIMEOUT,
};
use crate::api::endpoints::{Answer, Endpoint, ALL_ENDPOINTS, REPLACE_INDIVIDUAL};
use crate::api::fields::{ALL_SCHEMAS, CLIENT_REQUEST_FIELDS, COMPANY_CLIENT, INDIVIDUAL_CLIENT};
use crate::api::schema::{Body, Field, Kind, Schema};

/// The Python type a caller may pass for a field of `kind`.
fn input_type(kind: &Kind) -> String {
    match kind {
        Kind::Date => "datetime.date | str".into(),
        Kind::Timestamp => "datetime.datetime | str".into(),
        Kind::Object(schema) => format!("{0} | _{0}Dict", schema.name),
        Kind::List(item) => format!("Sequence[{}]", input_type(item)),
        other => output_type(other),
    }
}

/// The Python type of a field of `kind` on a model.
fn output_type(kind: &Kind) -> String {
    match kind {
        Kind::Str => "str".into(),
        Kind::I32 | Kind::I64 => "int".into(),
        Kind::Bool => "bool".into(),
        Kind::Date => "datetime.date".into(),
        Kind::Timestamp => "datetime.datetime".into(),
        Kind::Object(schema) => schema.name.into(),
        Kind::List(item) => format!("tuple[{}, ...]", output_type(item)),
        Kind::Json => "Any".into(),
    }
}

/// `default` is `None` for model constructors; `...` for update_client, where leaving a field out (not sent)
/// differs from passing None (sent as null).
fn keyword_params<'a>(fields: impl Iterator<Item = &'a Field>, default: &str) -> String {
    fields.map(|f| format!("        {}: {} | None = {default},\n", f.name, input_type(&f.kind))).collect()
}

fn typed_dict(schema: &Schema) -> String {
    let mut out = format!("class _{}Dict(TypedDict, total=False):\n", schema.name);
    for field in schema.fields {
        out.push_str(&format!("    {}: {} | None\n", field.name, input_type(&field.kind)));
    }
    out
}

fn model_class(schema: &Schema) -> String {
    let name = schema.name;
    let names: Vec<String> = schema.fields.iter().map(|f| format!("\"{}\"", f.name)).collect();
    let params = keyword_params(schema.fields.iter(), "None");
    let mut out = format!("@final\nclass {name}(_Model):\n    __match_args__ = ({},)\n", names.join(", "));
    out.push_str(&format!("    def __new__(\n        cls,\n        *,\n{params}    ) -> {name}: ...\n"));
    out.push_str(&format!("    def replace(\n        self,\n        *,\n{params}    ) -> {name}: ...\n"));
    for field in schema.fields {
        out.push_str(&format!("    @property\n    def {}(self) -> {} | None: ...\n", field.name, output_type(&field.kind)));
    }
    out
}

/// The parameters of a request body: required fields first and without a default.
fn body_params(body: &Body, all_optional: bool) -> String {
    let required = |f: &&Field| !all_optional && body.requires(f);
    let mut out: String =
        body.fields().filter(required).map(|f| format!("        {}: {},
", f.name, input_type(&f.kind))).collect();
    out.push_str(&keyword_params(body.fields().filter(|f| !required(f)), "..."));
    out
}

/// The method of a client (or of `individuals`) that calls `endpoint`: its path parameters positional, its
/// body fields keywords, its answer the return type (a coroutine's, when `is_async`).
fn endpoint_method(endpoint: &Endpoint, is_async: bool, name: &str, all_optional: bool) -> String {
    let mut params = String::from("        self,\n");
    let path_params: Vec<&str> = endpoint.path_params().collect();
    for param in &path_params {
        params.push_str(&format!("        {param}: str,\n"));
    }
    if !path_params.is_empty() {
        params.push_str("        /,\n");
    }
    if let Some(body) = &endpoint.body {
        params.push_str("        *,\n");
        params.push_str(&body_params(body, all_optional));
    }
    let answer = match endpoint.answer {
        Answer::One(schema) => schema.name.to_owned(),
        // `builtins.list`: in `Individuals`, `list` names the method.
        Answer::Many(schema) => format!("builtins.list[{}]", schema.name),
        Answer::Nothing => "None".to_owned(),
    };
    let returns = if is_async { format!("Coroutine[Any, Any, {answer}]") } else { answer };
    format!("    def {name}(\n{params}    ) -> {returns}: ...\n")
}

/// `endpoint <call> <sync|async>`, or `individuals_update <sync|async>` (a replace's fields, all optional).
fn render_method(region: &str) -> Option<String> {
    let mut words = region.split(' ');
    let (kind, call) = (words.next()?, words.next()?);
    let (endpoint, name, all_optional, mode) = match kind {
        "endpoint" => {
            let endpoint = ALL_ENDPOINTS.iter().find(|e| e.call == call)?;
            (*endpoint, call.rsplit('.').next()?, false, words.next()?)
        }
        "individuals_update" => (&REPLACE_INDIVIDUAL, "update", true, call),
        _ => return None,
    };
    let is_async = match mode {
        "sync" => false,
        "async" => true,
        _ => return None,
    };
    Some(endpoint_method(endpoint, is_async, name, all_optional))
}

fn client_new(class: &str) -> String {
    format!(
        "    def __new__(\n        cls,\n        api_key: str | None = None,\n        *,\n        \
         base_url: str | None = None,\n        environment: str | None = None,\n        \
         timeout: float = {DEFAULT_TIMEOUT:?},\n        connect_timeout: float = {DEFAULT_CONNECT_TIMEOUT:?},\n        \
         max_retries: int = {DEFAULT_MAX_RETRIES},\n        rate_limit: float | None = {DEFAULT_RATE_LIMIT:?},\n        \
         rate_limit_store: str | None = None,\n        \
         default_headers: Mapping[str, str] | None = None,\n        \
         max_response_size: int = {DEFAULT_MAX_RESPONSE_SIZE},\n        allow_http: bool = False,\n    ) -> {class}: ...\n"
    )
}

/// An `Emulator` method that stores a record of `schema` with any of its fields.
fn add_method(name: &str, schema: &Schema) -> String {
    format!("    def {name}(\n        self,\n        *,\n{}    ) -> {}: ...\n", keyword_params(schema.fields.iter(), "None"), schema.name)
}

/// The text of one generated region, or `None` for an unknown region name.
pub fn render(region: &str) -> Option<String> {
    match region {
        "models" => {
            let nested: Vec<&Schema> = ALL_SCHEMAS.iter().copied().filter(|s| is_nested(s)).collect();
            let mut blocks: Vec<String> = nested.iter().map(|s| typed_dict(s)).collect();
            blocks.extend(ALL_SCHEMAS.iter().map(|s| model_class(s)));
            Some(blocks.join("\n"))
        }
        "client_new" => Some(client_new("Client")),
        "async_client_new" => Some(client_new("AsyncClient")),
        "add_client" => Some(add_method("add_client", &COMPANY_CLIENT)),
        "add_individual" => Some(add_method("add_individual", &INDIVIDUAL_CLIENT)),
        other => render_method(other),
    }
}

/// Whether some schema has a field holding objects of `schema` (those get a TypedDict for dict arguments).
fn is_nested(schema: &Schema) -> bool {
    fn holds(kind: &Kind, schema: &Schema) -> bool {
        match kind {
            Kind::Object(inner) => *inner == schema,
            Kind::List(item) => holds(item, schema),
            _ => false,
        }
    }
    ALL_SCHEMAS.iter().chain([&&CLIENT_REQUEST_FIELDS]).any(|s| s.fields.iter().any(|f| holds(&f.kind, schema)))
}

/// `text` with every generated region rendered anew.
pub fn regenerate(text: &str) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut lines = text.split_inclusive('\n');
    while let Some(line) = lines.next() {
        out.push_str(line);
        let Some(region) = line.trim().strip_prefix("# BEGIN GENERATED: ") else { continue };
        let body = render(region).ok_or_else(|| format!("unknown generated region {region:?}"))?;
        out.push_str(&body);
        let end = format!("# END GENERATED: {region}");
        let end_line = lines.by_ref().find(|l| l.trim() == end).ok_or_else(|| format!("missing {end:?}"))?;
        out.push_str(end_line);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stubs_match_the_field_table() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/python/cryptomate/_native.pyi");
        let current = std::fs::read_to_string(path).expect("read the stub file");
        let expected = regenerate(&current).unwrap();
        if std::env::var_os("CRYPTOMATE_BLESS_STUBS").is_some() {
            std::fs::write(path, &expected).expect("write the stub file");
        } else {
            assert!(
                current == expected,
                "{path} is out of date with src/api/fields.rs or the client defaults in src/http/config.rs: run `CRYPTOMATE_BLESS_STUBS=1 cargo test`"
            );
        }
    }

    #[test]
    fn types_read_like_python() {
        let docs = COMPANY_CLIENT.field("documents").unwrap();
        assert_eq!(input_type(&docs.kind), "Sequence[Document | _DocumentDict]");
        assert_eq!(output_type(&docs.kind), "tuple[Document, ...]");
        assert!(render("endpoint update_client sync").unwrap().contains("        birth_date: datetime.date | str | None = ...,\n"));
        let create = render("endpoint individuals.create async").unwrap();
        assert!(create.starts_with("    def create(\n        self,\n        *,\n        first_name: str,\n"), "{create}");
        assert!(create.ends_with(") -> Coroutine[Any, Any, IndividualClient]: ...\n"), "{create}");
        assert!(render("individuals_update sync").unwrap().contains("        first_name: str | None = ...,\n"));
        assert!(render("endpoint individuals.delete sync").unwrap().contains("        id: str,\n        /,\n    ) -> None"));
        assert!(regenerate("# BEGIN GENERATED: nope\n").is_err());
    }
}
