//! Harbour tested as a whole, with the portal inside: the real router over the memory store,
//! driven with `oneshot`. Sign in to Harbour, then ask the portal.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a failed step should stop the test loudly"
)]
#![allow(missing_docs, unreachable_pub, reason = "test code")]

mod support;

use axum::body::Body;
use axum::http::{Request, header};
use embedded_app::PORTAL_SLUG;
use embedded_app::integration::feed;
use portal_auth::MailKind;
use support::Harbour;

/// The names of the projects in a list or dashboard answer.
fn names(projects: &serde_json::Value) -> Vec<String> {
    projects
        .as_array()
        .unwrap()
        .iter()
        .map(|project| project["name"].as_str().unwrap().to_owned())
        .collect()
}

/// The id of the project named `name` in `email`'s project list.
async fn project_id(harbour: &Harbour, email: &str, name: &str) -> String {
    let cookie = harbour.sign_in(email).await;
    let projects = harbour.get("/portal/api/v1/projects", Some(&cookie)).await;
    assert_eq!(projects.status, 200, "{}", projects.text);
    projects.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|project| project["name"] == name)
        .unwrap_or_else(|| panic!("{email} does not see {name}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn after_harbours_sign_in_the_portal_answers_as_the_mapped_user() {
    let harbour = Harbour::start().await;
    let cookie = harbour.sign_in("dana@acme.example").await;

    let me = harbour.get("/portal/api/v1/me", Some(&cookie)).await;
    assert_eq!(me.status, 200, "{}", me.text);
    let me = me.json();
    assert_eq!(me["email"], "dana@acme.example");
    assert_eq!(me["name"], "Dana Cole");
    assert_eq!(me["side"], "client");
    assert_eq!(me["tenant"], PORTAL_SLUG);

    let nina = harbour.sign_in("nina@brightwater.example").await;
    let me = harbour.get("/portal/api/v1/me", Some(&nina)).await;
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.json()["side"], "staff");
}

#[tokio::test]
async fn a_harbour_user_without_a_portal_account_is_unauthenticated_there() {
    let harbour = Harbour::start().await;
    // Felix signs in to Harbour all right…
    let felix = harbour.sign_in("felix@brightwater.example").await;
    assert!(
        harbour
            .get("/", Some(&felix))
            .await
            .text
            .contains("Felix Bauer")
    );
    // …but the portal has nobody with his address.
    let me = harbour.get("/portal/api/v1/me", Some(&felix)).await;
    assert_eq!(me.status, 401, "{}", me.text);
    assert_eq!(me.json()["error"]["code"], "unauthenticated");

    let anonymous = harbour.get("/portal/api/v1/me", None).await;
    assert_eq!(anonymous.status, 401);
    let forged = harbour
        .get("/portal/api/v1/me", Some("harbour_session=not-a-session"))
        .await;
    assert_eq!(forged.status, 401);
}

#[tokio::test]
async fn signing_out_of_harbour_ends_the_portals_access_through_it() {
    let harbour = Harbour::start().await;
    let cookie = harbour.sign_in("dana@acme.example").await;
    assert_eq!(
        harbour.get("/portal/api/v1/me", Some(&cookie)).await.status,
        200
    );
    let logout = Request::post("/logout")
        .header(header::HOST, "harbour.example")
        .header(header::COOKIE, &cookie)
        .header("sec-fetch-site", "same-origin")
        .body(Body::empty())
        .unwrap();
    assert_eq!(harbour.send(logout).await.status, 303);
    assert_eq!(
        harbour.get("/portal/api/v1/me", Some(&cookie)).await.status,
        401
    );
}

#[tokio::test]
async fn harbours_sign_in_refuses_wrong_passwords_and_other_sites() {
    let harbour = Harbour::start().await;
    let wrong = harbour
        .post_login("dana@acme.example", "not-the-password")
        .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.cookie("harbour_session"), None);
    let unknown = harbour
        .post_login("nobody@acme.example", "not-the-password")
        .await;
    assert_eq!(unknown.status, 401);
    assert_eq!(unknown.text, wrong.text, "the same answer for both");

    let cross_site = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site")
        .body(Body::from(
            "email=dana@acme.example&password=harbour-demo-password",
        ))
        .unwrap();
    let refused = harbour.send(cross_site).await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.cookie("harbour_session"), None);
}

#[tokio::test]
async fn a_contact_sees_only_its_own_clients_shared_projects() {
    let harbour = Harbour::start().await;
    let globex_project = project_id(&harbour, "sam@globex.example", "Globex product launch").await;
    let internal_pitch =
        project_id(&harbour, "nina@brightwater.example", "Acme intranet pitch").await;
    let dana = harbour.sign_in("dana@acme.example").await;

    let projects = harbour.get("/portal/api/v1/projects", Some(&dana)).await;
    assert_eq!(projects.status, 200, "{}", projects.text);
    assert_eq!(
        names(&projects.json()["items"]),
        ["Acme website relaunch"],
        "neither Globex's project nor Acme's internal pitch"
    );

    // Another client's project, an internal one and a made-up id answer alike (SEC-26).
    let missing = harbour
        .get(
            &format!("/portal/api/v1/projects/{}", uuid::Uuid::now_v7()),
            Some(&dana),
        )
        .await;
    assert_eq!(missing.status, 404);
    for id in [&globex_project, &internal_pitch] {
        let foreign = harbour
            .get(&format!("/portal/api/v1/projects/{id}"), Some(&dana))
            .await;
        assert_eq!(foreign.status, 404);
        assert_eq!(
            foreign.text, missing.text,
            "byte for byte like a missing id"
        );
        let milestones = harbour
            .get(
                &format!("/portal/api/v1/projects/{id}/milestones"),
                Some(&dana),
            )
            .await;
        assert_eq!(milestones.status, 404, "{}", milestones.text);
    }
}

#[tokio::test]
async fn work_fed_through_the_sync_path_shows_on_the_dashboard() {
    let harbour = Harbour::start().await;
    assert!(
        harbour.app.fed.failures.is_empty(),
        "{:?}",
        harbour.app.fed.failures
    );
    let dana = harbour.sign_in("dana@acme.example").await;

    let dashboard = harbour.get("/portal/api/v1/dashboard", Some(&dana)).await;
    assert_eq!(dashboard.status, 200, "{}", dashboard.text);
    let dashboard = dashboard.json();
    let projects = dashboard["projects"].as_array().unwrap();
    assert_eq!(names(&dashboard["projects"]), ["Acme website relaunch"]);
    // Three shared milestones, one done; the internal cost review is not counted.
    assert_eq!(projects[0]["progress"]["milestones_total"], 3);
    assert_eq!(projects[0]["progress"]["milestones_completed"], 1);
    // The sent invoice, not the paid one nor the draft.
    let invoices: Vec<&str> = dashboard["open_invoices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|invoice| invoice["number"].as_str().unwrap())
        .collect();
    assert_eq!(invoices, ["BW-3002"]);
    assert!(!dashboard.to_string().contains("Hosting cost review"));
    assert!(!dashboard.to_string().contains("Globex"));

    let sam = harbour.sign_in("sam@globex.example").await;
    let globex = harbour
        .get("/portal/api/v1/dashboard", Some(&sam))
        .await
        .json();
    assert_eq!(names(&globex["projects"]), ["Globex product launch"]);
    assert_eq!(globex["open_invoices"][0]["number"], "BW-3004");
    assert_eq!(globex["open_invoices"][0]["amount"]["currency"], "USD");
}

#[tokio::test]
async fn starting_again_over_the_same_stores_changes_nothing() {
    let first = Harbour::start().await;
    assert_eq!(first.app.fed.updated, 0);
    let created = first.app.fed.created;
    assert!(created > 0);

    let again = Harbour::start_over(first.stores.clone()).await;
    assert_eq!(again.app.tenant.id, first.app.tenant.id);
    assert_eq!(
        again.app.accounts, first.app.accounts,
        "the same portal users"
    );
    assert_eq!(again.app.fed.created, 0);
    assert_eq!(again.app.fed.updated, created);

    // Feeding by hand, as a host does after a change, is the same upsert.
    let scope = feed::scope(
        &again.stores,
        again.app.tenant.id,
        again.app.accounts[0].user,
    )
    .await
    .unwrap();
    let workspace = again.app.host.workspace.clone();
    let report = feed::feed(&again.stores, &scope, &workspace).await.unwrap();
    assert_eq!((report.created, report.updated), (0, created));

    let dana = again.sign_in("dana@acme.example").await;
    let projects = again.get("/portal/api/v1/projects", Some(&dana)).await;
    assert_eq!(
        names(&projects.json()["items"]),
        ["Acme website relaunch"],
        "no duplicates"
    );
}

#[tokio::test]
async fn the_portal_refuses_cross_site_writes_made_with_harbours_cookie() {
    let harbour = Harbour::start().await;
    let dana = harbour.sign_in("dana@acme.example").await;
    let request = Request::post("/portal/api/v1/requests")
        .header(header::HOST, "harbour.example")
        .header(header::COOKIE, &dana)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::from(r#"{"title":"Move the launch"}"#))
        .unwrap();
    let refused = harbour.send(request).await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert_eq!(refused.json()["error"]["code"], "cross_site_request");
}

#[tokio::test]
async fn the_portals_pages_keep_their_own_sign_in() {
    let harbour = Harbour::start().await;
    let dana = harbour.sign_in("dana@acme.example").await;
    // The pages read only the portal's session cookie: Harbour's sign-in maps into the API.
    for home in ["/portal", "/portal/"] {
        let overview = harbour.get(home, Some(&dana)).await;
        assert_eq!(overview.status, 303, "{home}: {}", overview.text);
        assert_eq!(overview.header("location"), Some("/portal/login"));
    }
    let login = harbour.get("/portal/login", Some(&dana)).await;
    assert_eq!(login.status, 200);
    assert!(
        login.text.contains("Brightwater Studio"),
        "the tenant's brand"
    );
    assert!(login.text.contains("action=\"/portal/login\""));
}

#[tokio::test]
async fn a_sign_in_link_in_mail_leads_to_the_portals_pages_under_the_mount_point() {
    let harbour = Harbour::start().await;
    let asked = Request::post("/portal/api/v1/auth/magic-link")
        .header(header::HOST, "harbour.example")
        .header(header::CONTENT_TYPE, "application/json")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(r#"{"email":"dana@acme.example"}"#))
        .unwrap();
    assert_eq!(harbour.send(asked).await.status, 202);
    // The mail goes out detached from the answer (SEC-09): wait for it.
    let mut mail = None;
    for _ in 0..200 {
        mail = harbour
            .mailer
            .sent()
            .into_iter()
            .find(|mail| mail.kind == MailKind::MagicLink);
        if mail.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let mail = mail.expect("no sign-in link was mailed");
    assert_eq!(mail.to.as_str(), "dana@acme.example");
    let prefix = format!("{}/portal/auth/magic?token=", support::PUBLIC_URL);
    let link = mail
        .text
        .split_whitespace()
        .find(|word| word.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no link under the mount point in {}", mail.text));
    // One tenant at the mount point: its slug is in no address.
    assert!(!link.contains(PORTAL_SLUG), "{link}");
    assert_eq!(harbour.app.tenant.slug.as_str(), PORTAL_SLUG);
    let path = link.strip_prefix(support::PUBLIC_URL).unwrap();

    // Opening the link shows a button; pressing it signs in and lands on the portal's home.
    let page = harbour.get(path, None).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let jar = page.cookies().join("; ");
    let form = [
        ("token", support::input_value(&page.text, "token")),
        ("csrf_token", support::input_value(&page.text, "csrf_token")),
    ];
    let pressed = harbour.post_form("/portal/auth/magic", &form, &jar).await;
    assert_eq!(pressed.status, 303, "{}", pressed.text);
    assert_eq!(pressed.header("location"), Some("/portal/"));
    let session = pressed.cookie("__Host-portal_session").unwrap();

    let overview = harbour.get("/portal/", Some(&session)).await;
    assert_eq!(overview.status, 200, "{}", overview.text);
    assert!(overview.text.contains("Acme website relaunch"));
    assert!(
        overview.text.contains("href=\"/portal/\""),
        "links stay under /portal"
    );
}

#[tokio::test]
async fn the_portals_answers_carry_its_security_headers_and_harbours_do_not() {
    let harbour = Harbour::start().await;
    let dana = harbour.sign_in("dana@acme.example").await;
    let portal = [
        harbour.get("/portal/api/v1/me", Some(&dana)).await,
        harbour.get("/portal/api/v1/me", None).await,
        harbour.get("/portal/api/v1/no-such-route", None).await,
        harbour.get("/portal/login", None).await,
    ];
    for reply in &portal {
        assert!(
            reply.header("content-security-policy").is_some(),
            "{}",
            reply.status
        );
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(reply.header("x-frame-options"), Some("DENY"));
        assert_eq!(reply.header("referrer-policy"), Some("no-referrer"));
        assert_eq!(reply.header("cache-control"), Some("no-store"));
        assert!(reply.header("strict-transport-security").is_some());
    }
    // Harbour's own routes answer with Harbour's own (here: no) policy: the portal's layers
    // wrap only the nested router.
    let host = [
        harbour.get("/", Some(&dana)).await,
        harbour.get("/login", None).await,
        harbour.get("/no-such-page", None).await,
    ];
    for reply in &host {
        for name in [
            "content-security-policy",
            "x-frame-options",
            "x-content-type-options",
            "strict-transport-security",
        ] {
            assert_eq!(reply.header(name), None, "{name} on a Harbour route");
        }
    }
    assert_eq!(host[0].status, 200);
    assert!(host[0].text.contains("Dana Cole"));
    assert_eq!(host[2].status, 404);
}
