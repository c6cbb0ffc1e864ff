//! Finishing the generated OpenAPI document: the answers that come from the extractors and the
//! layers every route passes through, which no handler's annotation can be trusted to repeat.
//! Each operation's own descriptions stay; only what is missing is added, so the document lists
//! every status the server can really answer, each with its body.

use portal_core::state::{DeliverableStatus, MilestoneStatus, RequestStatus, StateMachine};
use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::request_body::RequestBody;
use utoipa::openapi::schema::{KnownFormat, Object, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{Components, Content, OpenApi, Ref, RefOr, Response, Schema};

/// The security scheme of a person's browser session.
const SESSION_SCHEME: &str = "session";
/// The security scheme of an integration's API key.
const API_KEY_SCHEME: &str = "apiKey";

/// Operations anyone may call (`security: []`): signing in and its relatives, this document, and
/// the resumable uploads' discovery (what a tus client asks before anything else).
/// `tests/isolation_matrix.rs` checks that exactly these answer an anonymous caller.
const PUBLIC_OPERATIONS: &[(&str, &str)] = &[
    ("post", "/api/v1/auth/invitation"),
    ("post", "/api/v1/auth/invitation/accept"),
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/logout"),
    ("post", "/api/v1/auth/magic-link"),
    ("post", "/api/v1/auth/magic-link/redeem"),
    ("post", "/api/v1/auth/mfa"),
    ("post", "/api/v1/auth/reset"),
    ("post", "/api/v1/auth/reset/complete"),
    ("get", "/api/v1/openapi.json"),
    ("options", "/api/v1/uploads"),
];

/// Operations for a person at a keyboard only (`security: [session]`): their sessions, second
/// factor and password, making API keys, and signing an approval. An API key gets 403 there.
/// `tests/isolation_matrix.rs` checks that exactly these refuse a key.
const SESSION_ONLY_OPERATIONS: &[(&str, &str)] = &[
    ("get", "/api/v1/me/sessions"),
    ("delete", "/api/v1/me/sessions/{id}"),
    ("get", "/api/v1/me/mfa"),
    ("post", "/api/v1/me/mfa/totp"),
    ("delete", "/api/v1/me/mfa/totp"),
    ("post", "/api/v1/me/mfa/totp/confirm"),
    ("post", "/api/v1/me/mfa/recovery-codes"),
    ("post", "/api/v1/me/password"),
    ("post", "/api/v1/api-keys"),
    ("post", "/api/v1/approvals/{approval_id}/decision"),
];

/// The answers of every route, added to each operation that does not list them itself.
const EVERY_ROUTE: &[(&str, &str)] = &[
    ("408", "The request took longer than allowed"),
    (
        "429",
        "Too many requests from this address; `Retry-After` says when to try again",
    ),
    (
        "500",
        "A fault of the server: the body is generic, the cause is logged",
    ),
];

/// The answers of a JSON body read by [`ApiJson`](crate::extract::ApiJson).
const JSON_BODY: &[(&str, &str)] = &[
    ("400", "The body is not JSON"),
    ("413", "The body is over the size limit"),
    ("415", "The body is not `Content-Type: application/json`"),
    (
        "422",
        "The body does not fit the schema, or a value is invalid (`fields` names it)",
    ),
];

/// The answer to a query string that [`ApiQuery`](crate::extract::ApiQuery) cannot read.
const QUERY: (&str, &str) = (
    "422",
    "A query parameter is malformed or out of range (`fields` names it)",
);

/// The answer to a path id that [`ApiPath`](crate::extract::ApiPath) cannot read: the same as
/// an id that names nothing.
const PATH: (&str, &str) = ("404", "No such object the caller may see");

/// The answer of the cross-site check to a write from another site (SEC-31).
const CROSS_SITE: (&str, &str) = (
    "403",
    "Refused: a write from another site (`cross_site_request`), or one the caller may not make",
);

/// Descriptions of answers whose annotation gave none, by status.
const DESCRIPTIONS: &[(&str, &str)] = &[
    ("200", "Done"),
    ("201", "Created"),
    ("202", "Accepted"),
    ("204", "Done; no body"),
    ("206", "One range of the file"),
    ("400", "The request is malformed"),
    ("401", "No valid session or API key"),
    ("403", "Not allowed"),
    ("404", "No such object the caller may see"),
    ("409", "The act clashes with the object's current state"),
    ("413", "The body is over the size limit"),
    ("415", "The body has the wrong content type"),
    ("416", "The range lies outside the file"),
    ("422", "Invalid input (`fields` names it)"),
    (
        "429",
        "Too many attempts; `Retry-After` says when to try again",
    ),
];

/// Adds the answers of the extractors and layers, the media types downloads are served as, and
/// a description to every answer that has none; file bodies (uploads and downloads) are
/// described as bytes, not as the list of numbers the Rust type `Vec<u8>` maps to.
pub(crate) fn complete(document: &mut OpenApi, download_types: &[&str]) {
    declare_security(document);
    for (path, item) in &mut document.paths.paths {
        let download = path.ends_with("/download");
        for (method, method_writes, operation) in operations(item) {
            if PUBLIC_OPERATIONS.contains(&(method, path.as_str())) {
                operation.security = Some(Vec::new());
            } else if SESSION_ONLY_OPERATIONS.contains(&(method, path.as_str())) {
                operation.security = Some(vec![requirement(SESSION_SCHEME)]);
            }
            let json_body = operation.request_body.as_ref().is_some_and(reads_json);
            let parameters = operation
                .parameters
                .iter()
                .flatten()
                .filter_map(|parameter| match parameter {
                    RefOr::T(parameter) => Some(parameter),
                    RefOr::Ref(_) => None,
                })
                .collect::<Vec<_>>();
            let query = parameters
                .iter()
                .any(|parameter| matches!(parameter.parameter_in, ParameterIn::Query));
            let path_id = parameters.iter().any(|parameter| {
                matches!(parameter.parameter_in, ParameterIn::Path)
                    && parameter.schema.as_ref().is_some_and(is_parsed)
            });
            if let Some(RefOr::T(body)) = operation.request_body.as_mut() {
                for (media_type, content) in &mut body.content {
                    as_bytes(media_type, content);
                }
            }
            let mut added: Vec<(&str, &str)> = EVERY_ROUTE.to_vec();
            if json_body {
                added.extend_from_slice(JSON_BODY);
            }
            if query {
                added.push(QUERY);
            }
            if path_id {
                added.push(PATH);
            }
            if method_writes {
                added.push(CROSS_SITE);
            }
            let responses = &mut operation.responses.responses;
            for (status, description) in added {
                responses
                    .entry(status.to_owned())
                    .or_insert_with(|| error_answer(description));
            }
            for (status, answer) in responses.iter_mut() {
                let RefOr::T(answer) = answer else { continue };
                if answer.description.is_empty() {
                    answer.description = DESCRIPTIONS
                        .iter()
                        .find(|(known, _)| known == status)
                        .map_or("Answered", |(_, description)| description)
                        .to_owned();
                }
                if download {
                    serve_as(answer, download_types);
                }
                for (media_type, content) in &mut answer.content {
                    as_bytes(media_type, content);
                }
            }
        }
    }
}

/// How callers authenticate: a session cookie or an API key, either of them unless an operation
/// says otherwise. A host's own login (`HostIdentity`) is the host's and cannot be described here.
fn declare_security(document: &mut OpenApi) {
    let components = document.components.get_or_insert_with(Components::new);
    components.add_security_scheme(
        SESSION_SCHEME,
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            "__Host-portal_session",
            "The session cookie `POST /auth/login` sets (`portal_session` on a plain-http \
             development server).",
        ))),
    );
    components.add_security_scheme(
        API_KEY_SCHEME,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("ptk_<prefix>_<secret>")
                .description(Some(
                    "An API key (`POST /api-keys`): it acts for its maker, narrowed to its \
                     permissions.",
                ))
                .build(),
        ),
    );
    document.security = Some(vec![
        requirement(SESSION_SCHEME),
        requirement(API_KEY_SCHEME),
    ]);
}

fn requirement(scheme: &str) -> SecurityRequirement {
    SecurityRequirement::new(scheme, Vec::<String>::new())
}

/// The operations of a path, each with its method's name and whether it changes state (and so
/// passes the cross-site check).
fn operations(item: &mut PathItem) -> impl Iterator<Item = (&'static str, bool, &mut Operation)> {
    [
        ("get", false, item.get.as_mut()),
        ("head", false, item.head.as_mut()),
        ("options", false, item.options.as_mut()),
        ("post", true, item.post.as_mut()),
        ("put", true, item.put.as_mut()),
        ("patch", true, item.patch.as_mut()),
        ("delete", true, item.delete.as_mut()),
    ]
    .into_iter()
    .filter_map(|(method, writes, operation)| {
        operation.map(|operation| (method, writes, operation))
    })
}

/// Whether a request body is JSON (read by `ApiJson`), not a raw upload.
fn reads_json(body: &RefOr<RequestBody>) -> bool {
    match body {
        RefOr::T(body) => body.content.contains_key("application/json"),
        RefOr::Ref(_) => false,
    }
}

/// Whether a path parameter is parsed (an id, or one of a set of names), so that text which is
/// not one answers 404; a free string never fails to parse.
fn is_parsed(schema: &RefOr<Schema>) -> bool {
    match schema {
        RefOr::Ref(_) => true,
        RefOr::T(Schema::Object(object)) => object.format.is_some() || object.enum_values.is_some(),
        RefOr::T(_) => true,
    }
}

/// An error answer: the API's error body.
fn error_answer(description: &str) -> RefOr<Response> {
    let mut answer = Response::new(description);
    answer.content.insert(
        "application/json".to_owned(),
        RefOr::T(Content::new(Some(Ref::from_schema_name("ErrorBody")))),
    );
    RefOr::T(answer)
}

/// A file answer lists every media type a download is served as, each with the same bytes.
fn serve_as(answer: &mut Response, media_types: &[&str]) {
    let Some(bytes) = answer.content.shift_remove("application/octet-stream") else {
        return;
    };
    for media_type in media_types {
        answer
            .content
            .insert((*media_type).to_owned(), bytes.clone());
    }
}

/// A file's content (any media type but JSON, given as `Vec<u8>`) is a string of bytes.
fn as_bytes(media_type: &str, content: &mut RefOr<Content>) {
    if media_type.ends_with("json") {
        return;
    }
    if let RefOr::T(content) = content
        && matches!(content.schema, Some(RefOr::T(Schema::Array(_))))
    {
        content.schema = Some(RefOr::T(Schema::Object(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
                .build(),
        )));
    }
}

/// A string that is one of `names`: the schema of a field whose Rust type is an enum of
/// portal-core (`#[schema(schema_with = …)]`); serde refuses any other text with a 422.
fn one_of(description: &str, names: &[&str]) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(names.iter().copied()))
        .build()
}

/// [`Visibility`](portal_core::Visibility).
pub(crate) fn visibility() -> Object {
    one_of(
        "`shared` (the client sees it) or `internal` (the team only)",
        &["internal", "shared"],
    )
}

/// The states of a [`StateMachine`], by their names.
fn states<S: StateMachine>(description: &str) -> Object {
    let names: Vec<&str> = S::ALL.iter().map(|state| state.name()).collect();
    one_of(description, &names)
}

/// [`MilestoneStatus`].
pub(crate) fn milestone_status() -> Object {
    states::<MilestoneStatus>("The milestone's status")
}

/// [`DeliverableStatus`].
pub(crate) fn deliverable_status() -> Object {
    states::<DeliverableStatus>(
        "The deliverable's status (`approved` and `changes_requested` follow from approvals)",
    )
}

/// [`RequestStatus`].
pub(crate) fn request_status() -> Object {
    states::<RequestStatus>("The request's status")
}
