//! Who did something, by name — as far as the viewer may know the person. The identity store
//! decides: a contact sees the contacts of their own clients, staff see everyone they work with.
//! Anyone else (the team, to a contact) has no name here and the pages say "the team".

use std::collections::HashMap;

use portal_core::UserId;

use super::super::super::signed::{Failure, SignedPage};

/// Names looked up for one page, each person once.
#[derive(Debug, Default)]
pub(crate) struct People {
    known: HashMap<UserId, Option<String>>,
}

impl People {
    /// The name of `user` if the viewer may see that person, else `None`.
    pub(crate) async fn name(
        &mut self,
        page: &SignedPage,
        user: UserId,
    ) -> Result<Option<String>, Failure> {
        if let Some(known) = self.known.get(&user) {
            return Ok(known.clone());
        }
        let name = page
            .state
            .stores()
            .identities
            .user(&page.scope, user)
            .await?
            .map(|person| person.name.as_str().to_owned());
        self.known.insert(user, name.clone());
        Ok(name)
    }
}
