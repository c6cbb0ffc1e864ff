//! A browser signed in to acme, carrying its session's form token.

use super::{Jar, get, input_value, location, post_form, sign_in};
use crate::support::{Portal, Reply};

/// The form token of a signed-in page (acme's overview).
pub async fn form_token(portal: &Portal, jar: &Jar) -> String {
    input_value(&get(portal, "/acme/", jar, None).await.text, "csrf_token")
}

/// A browser signed in to acme as `email`, with its session's form token. Paths are under
/// `/acme`.
pub struct Browser<'a> {
    pub portal: &'a Portal,
    pub jar: Jar,
    pub token: String,
}

impl<'a> Browser<'a> {
    /// Signs in as `email` and takes the token from the overview (asserted 200).
    pub async fn open(portal: &'a Portal, email: &str) -> Self {
        let jar = sign_in(portal, "acme", email).await;
        let overview = get(portal, "/acme/", &jar, None).await;
        assert_eq!(overview.status, 200, "{}", overview.text);
        let token = input_value(&overview.text, "csrf_token");
        Self { portal, jar, token }
    }

    /// A page in English.
    pub async fn get(&self, path: &str) -> Reply {
        get(self.portal, &format!("/acme{path}"), &self.jar, None).await
    }

    /// A page asked for in German.
    pub async fn german(&self, path: &str) -> Reply {
        get(self.portal, &format!("/acme{path}"), &self.jar, Some("de")).await
    }

    /// A form post with the session's token.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let mut all = vec![("csrf_token", self.token.as_str())];
        all.extend_from_slice(fields);
        post_form(self.portal, &format!("/acme{path}"), &all, &self.jar).await
    }

    /// A form post without any token.
    pub async fn forged(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        post_form(self.portal, &format!("/acme{path}"), fields, &self.jar).await
    }

    /// Follows a 303 of a successful post and returns the page it leads to (asserted 200).
    pub async fn follow(&self, reply: &Reply) -> Reply {
        assert_eq!(reply.status, 303, "{}", reply.text);
        let to = location(reply);
        let page = get(self.portal, to, &self.jar, None).await;
        assert_eq!(page.status, 200, "{to}: {}", page.text);
        page
    }
}
