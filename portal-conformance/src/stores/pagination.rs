use std::collections::HashSet;

use portal_core::BuiltinRole;
use portal_storage::{Cursor, Page, ProjectFilter};

use crate::Harness;
use crate::stores::fixtures::{client, ctx, member, project_input, tenant};

pub async fn lists_page_with_cursors(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, manager) = member(stores, acme.id, BuiltinRole::Manager, &[]).await;
    let client = client(stores, &manager, "Client").await;
    let mut created = Vec::new();
    for i in 0..7 {
        let project = stores
            .projects
            .create_project(&manager, project_input(client, &format!("P{i}")), &ctx())
            .await
            .unwrap();
        created.push(project.id);
    }
    created.reverse();
    let mut seen = Vec::new();
    let mut cursor: Option<Cursor> = None;
    let mut pages = 0;
    loop {
        let page = Page::first(3).unwrap().after(cursor);
        let result = stores
            .projects
            .list_projects(&manager, ProjectFilter::default(), page)
            .await
            .unwrap();
        assert!(result.items.len() <= 3);
        seen.extend(result.items.iter().map(|p| p.id));
        pages += 1;
        match result.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, created, "every item once, newest first");
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 7);
    assert!(Page::first(201).is_err());
    assert!(Page::first(0).is_err());
    let filtered = stores
        .projects
        .list_projects(
            &manager,
            ProjectFilter {
                client: Some(portal_core::ClientId::new()),
                status: None,
            },
            Page::first(10).unwrap(),
        )
        .await
        .unwrap();
    assert!(filtered.items.is_empty());
}
