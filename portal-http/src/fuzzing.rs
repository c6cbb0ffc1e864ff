//! Thin wrappers over internals that the fuzz targets in `fuzz/` exercise: the file-name
//! cleaning of uploads and the reading of the upload form's body. Present only with the
//! `fuzzing` feature and hidden from the documentation; not part of the crate's API.

/// The cleaning of client-given file names and the `Content-Disposition` of downloads.
pub mod file_names {
    use axum::http::HeaderValue;

    use crate::api::documents::names;
    use crate::error::ApiError;

    /// The longest file name kept, in bytes of UTF-8.
    pub const MAX_NAME_BYTES: usize = names::MAX_NAME_BYTES;

    /// The name an upload named `raw` is recorded under, or why it is refused.
    pub fn file_name(raw: &str) -> Result<String, ApiError> {
        names::file_name(raw).map(|safe| safe.name)
    }

    /// The `Content-Disposition` header a download of a file named `name` carries.
    #[must_use]
    pub fn content_disposition(name: &str) -> HeaderValue {
        names::content_disposition(name)
    }
}

/// The upload form's body as the document pages read it.
pub mod upload_form {
    use std::future::Future;

    use axum::body::Body;
    use axum::extract::Request;

    use crate::pages::client::documents::form_body::{self, FormBody, Part, Unreadable};

    /// The most parts a form may have.
    pub const MAX_PARTS: usize = form_body::MAX_PARTS;
    /// What of the body may come before the file.
    pub const BEFORE_FILE: u64 = form_body::BEFORE_FILE;
    /// What the body may hold besides the file.
    pub const BESIDES_FILE: u64 = form_body::BESIDES_FILE;

    /// Why a form could not be read.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum FormError {
        /// Not `multipart/form-data` with a valid boundary.
        NotMultipart,
        /// A short field over its limit; the field's name.
        FieldTooLong(String),
        /// The body is longer than the form may be.
        TooLarge,
        /// The body does not follow the format, or broke off.
        Malformed(String),
    }

    impl From<Unreadable> for FormError {
        fn from(error: Unreadable) -> Self {
            match error {
                Unreadable::NotMultipart => Self::NotMultipart,
                Unreadable::FieldTooLong(name) => Self::FieldTooLong(name),
                Unreadable::TooLarge => Self::TooLarge,
                Unreadable::Malformed(why) => Self::Malformed(why),
            }
        }
    }

    /// An upload form's body, read part by part.
    #[derive(Debug)]
    pub struct Form(FormBody);

    /// One part of the form.
    #[derive(Debug)]
    pub struct FormPart<'a>(Part<'a>);

    impl Form {
        /// The form `request` carries, whose file may be `file_limit` bytes.
        pub async fn open(request: Request, file_limit: u64) -> Result<Self, FormError> {
            Ok(Self(FormBody::open(request, file_limit).await?))
        }

        /// The next part; `None` after the last.
        pub async fn next_field(&mut self) -> Result<Option<FormPart<'_>>, FormError> {
            Ok(self.0.next_field().await?.map(FormPart))
        }

        /// Reads and drops up to `limit` more bytes of the body.
        pub async fn drain(self, limit: u64) {
            self.0.drain(limit).await;
        }
    }

    impl FormPart<'_> {
        /// The field's name.
        #[must_use]
        pub fn name(&self) -> &str {
            self.0.name()
        }

        /// The file's name, for a file part.
        #[must_use]
        pub fn file_name(&self) -> Option<&str> {
            self.0.file_name()
        }

        /// The part's content as text, at most `limit` bytes.
        pub async fn text(self, limit: usize) -> Result<String, FormError> {
            Ok(self.0.text(limit).await?)
        }

        /// Runs `consume` with the part as a streamed body; whether the part could be read and
        /// what `consume` answered.
        pub async fn stream_file<F, T>(
            self,
            consume: impl FnOnce(Body) -> F,
        ) -> (Result<(), FormError>, T)
        where
            F: Future<Output = T>,
        {
            let (read, answer) = self.0.stream_file(consume).await;
            (read.map_err(FormError::from), answer)
        }
    }
}
