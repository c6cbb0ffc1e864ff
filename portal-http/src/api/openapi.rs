//! Finishing the generated OpenAPI document: the answers that come from the extractors and the
//! layers every route passes through, which no handler's annotation can be trusted to repeat.
//! Each operation's own descriptions stay; only what is missing is added, so the document lists
//! every status the server can really answer, each with its body.

use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::request_body::RequestBody;
use utoipa::openapi::schema::{KnownFormat, Object, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, Response, Schema};

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
    for (path, item) in &mut document.paths.paths {
        let download = path.ends_with("/download");
        for (method_writes, operation) in operations(item) {
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

/// The operations of a path, each with whether its method changes state (and so passes the
/// cross-site check).
fn operations(item: &mut PathItem) -> impl Iterator<Item = (bool, &mut Operation)> {
    [
        (false, item.get.as_mut()),
        (false, item.head.as_mut()),
        (false, item.options.as_mut()),
        (true, item.post.as_mut()),
        (true, item.put.as_mut()),
        (true, item.patch.as_mut()),
        (true, item.delete.as_mut()),
    ]
    .into_iter()
    .filter_map(|(writes, operation)| operation.map(|operation| (writes, operation)))
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

/// [`MilestoneStatus`](portal_core::state::MilestoneStatus).
pub(crate) fn milestone_status() -> Object {
    one_of(
        "The milestone's status",
        &["planned", "in_progress", "completed"],
    )
}

/// [`DeliverableStatus`](portal_core::state::DeliverableStatus).
pub(crate) fn deliverable_status() -> Object {
    one_of(
        "The deliverable's status (`approved` and `changes_requested` follow from approvals)",
        &[
            "not_started",
            "in_progress",
            "in_review",
            "approved",
            "changes_requested",
            "delivered",
        ],
    )
}

/// [`RequestStatus`](portal_core::state::RequestStatus).
pub(crate) fn request_status() -> Object {
    one_of(
        "The request's status",
        &["open", "in_progress", "resolved", "closed"],
    )
}
