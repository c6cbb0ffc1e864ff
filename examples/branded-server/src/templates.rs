//! `--template-dir`: a folder of page templates that replace the built-in ones of the same name.
//!
//! The pages read the folder once, when the router is built: a template without a file there
//! stays the built-in one, and a file that does not compile is logged and the built-in one kept.
//! A folder that is not there at all is a mistake in the flag, so the start stops on it rather
//! than serve the built-in pages without a word.

use std::path::{Path, PathBuf};

use portal_http::PagesConfig;

/// Why the template folder was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateDirError {
    /// Nothing is at the path.
    #[error("the template directory {} does not exist", path.display())]
    Missing {
        /// The path as given.
        path: PathBuf,
    },
    /// The path is a file, not a folder.
    #[error("the template directory {} is not a directory", path.display())]
    NotADirectory {
        /// The path as given.
        path: PathBuf,
    },
    /// The path cannot be looked at (permissions, for one).
    #[error("cannot read the template directory {}", path.display())]
    Unreadable {
        /// The path as given.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// The pages' settings: built-in templates, or the overrides in `template_dir` when one is given.
///
/// # Errors
/// When `template_dir` is not an existing, readable folder.
pub fn pages_config(template_dir: Option<&Path>) -> Result<PagesConfig, TemplateDirError> {
    let Some(dir) = template_dir else {
        return Ok(PagesConfig::new());
    };
    match std::fs::metadata(dir) {
        Ok(metadata) if metadata.is_dir() => Ok(PagesConfig::new().with_template_dir(dir)),
        Ok(_) => Err(TemplateDirError::NotADirectory {
            path: dir.to_owned(),
        }),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            Err(TemplateDirError::Missing {
                path: dir.to_owned(),
            })
        }
        Err(source) => Err(TemplateDirError::Unreadable {
            path: dir.to_owned(),
            source,
        }),
    }
}
