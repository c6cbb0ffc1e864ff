//! The caller's own account (second factor, password), API keys and the audit log with its
//! exports, through the router.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a failed step should stop the test loudly"
)]
#![allow(missing_docs, unreachable_pub, reason = "test code")]

mod support;

use axum::http::{Method, header};
use portal_auth::Clock as _;
use portal_core::TenantScope;
use portal_core::model::{AuditContext, NewAuditEvent};
use serde_json::{Value, json};
use support::client_work;
use support::staff_api::{Auth, NOBODY, acme, call, globex};
use support::{PASSWORD, Portal, Reply};
use time::{Duration, OffsetDateTime};

/// The code an authenticator app shows at `at` for this base32 secret.
fn totp(secret: &str, at: OffsetDateTime) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret).unwrap();
    let totp = totp_rs::Builder::new()
        .with_secret(secret.as_bytes().to_vec())
        .build()
        .unwrap();
    totp.generate(u64::try_from(at.unix_timestamp()).unwrap())
        .to_string()
}

async fn send(
    portal: &Portal,
    method: Method,
    path: &str,
    body: Option<Value>,
    cookie: &str,
) -> Reply {
    call(portal, method, path, body, Auth::Cookie(cookie)).await
}

#[tokio::test]
async fn totp_is_enrolled_used_at_login_and_removed_through_the_api_sec_23() {
    let portal = Portal::new().await;
    let cookie = portal.login("acme", "ada@acme.test").await;
    let status = portal.get(&acme("/me/mfa"), Some(&cookie)).await;
    assert_eq!(status.status, 200, "{}", status.text);
    assert_eq!(
        status.json(),
        json!({ "enrolled": false, "recovery_codes_left": 0 })
    );

    let setup = send(&portal, Method::POST, &acme("/me/mfa/totp"), None, &cookie).await;
    assert_eq!(setup.status, 200, "{}", setup.text);
    assert_eq!(
        setup.headers.get(header::CACHE_CONTROL).unwrap(),
        "no-store"
    );
    let setup = setup.json();
    assert!(
        setup["otpauth_uri"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/Acme%20Agency:ada%40acme.test?"),
        "{setup}"
    );
    assert!(setup["qr_svg"].as_str().unwrap().contains("<svg"));
    let secret = setup["secret"].as_str().unwrap().to_owned();

    let wrong = send(
        &portal,
        Method::POST,
        &acme("/me/mfa/totp/confirm"),
        Some(json!({ "code": "000000" })),
        &cookie,
    )
    .await;
    assert_eq!(wrong.status, 401, "{}", wrong.text);
    let confirmed = send(
        &portal,
        Method::POST,
        &acme("/me/mfa/totp/confirm"),
        Some(json!({ "code": totp(&secret, portal.clock.now()) })),
        &cookie,
    )
    .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text);
    let codes = confirmed.json()["recovery_codes"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(codes.len(), 10);
    let status = portal.get(&acme("/me/mfa"), Some(&cookie)).await.json();
    assert_eq!(
        status,
        json!({ "enrolled": true, "recovery_codes_left": 10 })
    );
    let twice = send(&portal, Method::POST, &acme("/me/mfa/totp"), None, &cookie).await;
    assert_eq!(twice.status, 409);

    // The next login asks for the second factor; a fresh code (not the used one) completes it.
    let first = portal
        .post(
            &acme("/auth/login"),
            json!({ "email": "ada@acme.test", "password": PASSWORD }),
            None,
        )
        .await;
    assert_eq!(
        first.json()["status"],
        "second_factor_required",
        "{}",
        first.text
    );
    let challenge = first.json()["challenge"].as_str().unwrap().to_owned();
    portal.clock.advance(Duration::seconds(30));
    let second = portal
        .post(
            &acme("/auth/mfa"),
            json!({ "challenge": challenge, "code": totp(&secret, portal.clock.now()) }),
            None,
        )
        .await;
    assert_eq!(second.status, 200, "{}", second.text);
    let fresh = second.cookie().unwrap();

    let replaced = send(
        &portal,
        Method::POST,
        &acme("/me/mfa/recovery-codes"),
        None,
        &fresh,
    )
    .await;
    assert_eq!(replaced.status, 200, "{}", replaced.text);
    let new_codes = replaced.json()["recovery_codes"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(new_codes.len(), 10);
    assert!(new_codes.iter().all(|code| !codes.contains(code)));

    let removed = send(&portal, Method::DELETE, &acme("/me/mfa/totp"), None, &fresh).await;
    assert_eq!(removed.status, 204, "{}", removed.text);
    let status = portal.get(&acme("/me/mfa"), Some(&fresh)).await.json();
    assert_eq!(status["enrolled"], false);
    let again = send(&portal, Method::DELETE, &acme("/me/mfa/totp"), None, &fresh).await;
    assert_eq!(again.status, 409);
}

/// With a second factor the login takes two requests: the session of the cookie sent along
/// still works after the first and ends with the second, when the new one is issued.
#[tokio::test]
async fn a_two_step_login_ends_the_session_of_the_cookie_sent_with_it_sec_13() {
    let portal = Portal::new().await;
    let a = portal.login("acme", "ada@acme.test").await;
    let setup = send(&portal, Method::POST, &acme("/me/mfa/totp"), None, &a).await;
    assert_eq!(setup.status, 200, "{}", setup.text);
    let secret = setup.json()["secret"].as_str().unwrap().to_owned();
    let confirmed = send(
        &portal,
        Method::POST,
        &acme("/me/mfa/totp/confirm"),
        Some(json!({ "code": totp(&secret, portal.clock.now()) })),
        &a,
    )
    .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text);

    let first = portal
        .post(
            &acme("/auth/login"),
            json!({ "email": "ada@acme.test", "password": PASSWORD }),
            Some(&a),
        )
        .await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.json()["status"], "second_factor_required");
    assert!(first.set_cookie().is_none(), "no session yet");
    assert_eq!(
        portal.get(&acme("/me"), Some(&a)).await.status,
        200,
        "a pending login ends nothing"
    );

    let challenge = first.json()["challenge"].as_str().unwrap().to_owned();
    portal.clock.advance(Duration::seconds(30));
    let second = portal
        .post(
            &acme("/auth/mfa"),
            json!({ "challenge": challenge, "code": totp(&secret, portal.clock.now()) }),
            Some(&a),
        )
        .await;
    assert_eq!(second.status, 200, "{}", second.text);
    let b = second.cookie().unwrap();
    assert_ne!(a, b, "a new token");
    assert_eq!(portal.get(&acme("/me"), Some(&a)).await.status, 401);
    assert_eq!(portal.get(&acme("/me"), Some(&b)).await.status, 200);
}

#[tokio::test]
async fn changing_the_second_factor_needs_a_recent_login_and_a_session_sec_20() {
    let portal = Portal::new().await;
    let world = client_work::seed(&portal).await;
    // Contacts manage their own factor too.
    let contact = portal.login("acme", &world.a.contact("viewer")).await;
    let begun = send(&portal, Method::POST, &acme("/me/mfa/totp"), None, &contact).await;
    assert_eq!(begun.status, 200, "{}", begun.text);

    let anonymous = call(
        &portal,
        Method::POST,
        &acme("/me/mfa/totp"),
        None,
        Auth::None,
    )
    .await;
    assert_eq!(anonymous.status, 401);
    let anonymous = call(&portal, Method::GET, &acme("/me/mfa"), None, Auth::None).await;
    assert_eq!(anonymous.status, 401);

    let cookie = portal.login("acme", "ada@acme.test").await;
    let key = send(
        &portal,
        Method::POST,
        &acme("/api-keys"),
        Some(json!({ "name": "Sync", "permissions": ["view_projects"] })),
        &cookie,
    )
    .await
    .json()["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let by_key = call(
        &portal,
        Method::POST,
        &acme("/me/mfa/totp"),
        None,
        Auth::Bearer(&key),
    )
    .await;
    assert_eq!(by_key.status, 403, "an API key has no account to secure");

    portal.clock.advance(Duration::minutes(11));
    for (method, path) in [
        (Method::POST, "/me/mfa/totp"),
        (Method::DELETE, "/me/mfa/totp"),
        (Method::POST, "/me/mfa/recovery-codes"),
    ] {
        let stale = send(&portal, method, &acme(path), None, &cookie).await;
        assert_eq!(stale.status, 403, "{path}: {}", stale.text);
        assert_eq!(stale.error_code(), "reauth_required", "{path}");
    }
    let status = portal.get(&acme("/me/mfa"), Some(&cookie)).await.json();
    assert_eq!(status["enrolled"], false, "nothing began");
}

#[tokio::test]
async fn a_password_change_needs_the_current_one_and_signs_out_everywhere_sec_19() {
    let portal = Portal::new().await;
    let cookie = portal.login("acme", "ada@acme.test").await;
    let other_device = portal.login("acme", "ada@acme.test").await;
    let new_password = "a much longer passphrase for ada 2030";

    let wrong = send(
        &portal,
        Method::POST,
        &acme("/me/password"),
        Some(json!({ "current_password": "not it at all", "new_password": new_password })),
        &cookie,
    )
    .await;
    assert_eq!(wrong.status, 422, "{}", wrong.text);
    assert_eq!(wrong.json()["error"]["fields"], json!(["current_password"]));
    let weak = send(
        &portal,
        Method::POST,
        &acme("/me/password"),
        Some(json!({ "current_password": PASSWORD, "new_password": "Password123!" })),
        &cookie,
    )
    .await;
    assert_eq!(weak.status, 422, "{}", weak.text);
    assert_eq!(weak.json()["error"]["fields"], json!(["password"]));
    assert_eq!(
        portal.get(&acme("/me"), Some(&cookie)).await.status,
        200,
        "still signed in"
    );

    let changed = send(
        &portal,
        Method::POST,
        &acme("/me/password"),
        Some(json!({ "current_password": PASSWORD, "new_password": new_password })),
        &cookie,
    )
    .await;
    assert_eq!(changed.status, 204, "{}", changed.text);
    let cleared = changed.set_cookie().unwrap();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    for old in [&cookie, &other_device] {
        assert_eq!(portal.get(&acme("/me"), Some(old)).await.status, 401);
    }
    let old_password = portal
        .post(
            &acme("/auth/login"),
            json!({ "email": "ada@acme.test", "password": PASSWORD }),
            None,
        )
        .await;
    assert_eq!(old_password.status, 401);
    let new_login = portal
        .post(
            &acme("/auth/login"),
            json!({ "email": "ada@acme.test", "password": new_password }),
            None,
        )
        .await;
    assert_eq!(new_login.status, 200, "{}", new_login.text);

    let fresh = new_login.cookie().unwrap();
    portal.clock.advance(Duration::minutes(11));
    let stale = send(
        &portal,
        Method::POST,
        &acme("/me/password"),
        Some(json!({ "current_password": new_password, "new_password": "yet another long passphrase 99" })),
        &fresh,
    )
    .await;
    assert_eq!(stale.error_code(), "reauth_required");
}

#[tokio::test]
async fn api_keys_are_shown_once_act_within_their_permissions_and_are_revoked() {
    let portal = Portal::new().await;
    let world = client_work::seed(&portal).await;
    let owner = portal.login("acme", "ada@acme.test").await;
    let created = send(
        &portal,
        Method::POST,
        &acme("/api-keys"),
        Some(json!({ "name": "CRM sync", "permissions": ["manage_clients", "view_internal"] })),
        &owner,
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let secret = created.json()["secret"].as_str().unwrap().to_owned();
    let id = created.json()["key"]["id"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("ptk_"), "{secret}");
    assert_eq!(
        created.json()["key"]["permissions"],
        json!(["view_internal", "manage_clients"])
    );

    let made = call(
        &portal,
        Method::POST,
        &acme("/clients"),
        Some(json!({ "name": "Synced Co" })),
        Auth::Bearer(&secret),
    )
    .await;
    assert_eq!(made.status, 201, "the key acts: {}", made.text);
    let beyond = call(
        &portal,
        Method::PUT,
        &acme("/branding"),
        Some(json!({ "display_name": "X", "primary_colour": "#000", "accent_colour": "#fff" })),
        Auth::Bearer(&secret),
    )
    .await;
    assert_eq!(
        beyond.status, 403,
        "not beyond its permissions: {}",
        beyond.text
    );
    let key_makes_key = call(
        &portal,
        Method::POST,
        &acme("/api-keys"),
        Some(json!({ "name": "Child", "permissions": ["manage_clients"] })),
        Auth::Bearer(&secret),
    )
    .await;
    assert_eq!(key_makes_key.status, 403);
    let elsewhere = call(
        &portal,
        Method::GET,
        &globex("/clients"),
        None,
        Auth::Bearer(&secret),
    )
    .await;
    assert_eq!(
        elsewhere.status, 401,
        "a key works only in its tenant (SEC-27)"
    );

    let listed = portal.get(&acme("/api-keys"), Some(&owner)).await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    assert!(listed.text.contains(&id));
    assert!(!listed.text.contains(&secret), "the secret is shown once");
    assert!(!listed.text.contains("secret"), "{}", listed.text);

    let member = portal.login("acme", "member@acme.test").await;
    let contact = portal.login("acme", &world.a.contact("client_admin")).await;
    for cookie in [&member, &contact] {
        let refused = send(
            &portal,
            Method::POST,
            &acme("/api-keys"),
            Some(json!({ "name": "Mine", "permissions": ["view_projects"] })),
            cookie,
        )
        .await;
        assert_eq!(refused.status, 403, "{}", refused.text);
        let refused = send(
            &portal,
            Method::POST,
            &acme(&format!("/api-keys/{id}/revoke")),
            None,
            cookie,
        )
        .await;
        assert_eq!(refused.status, 403, "{}", refused.text);
    }
    let foreign = portal.login("globex", "gil@globex.test").await;
    let nobody = send(
        &portal,
        Method::POST,
        &globex(&format!("/api-keys/{NOBODY}/revoke")),
        None,
        &foreign,
    )
    .await;
    let theirs = send(
        &portal,
        Method::POST,
        &globex(&format!("/api-keys/{id}/revoke")),
        None,
        &foreign,
    )
    .await;
    assert_eq!(theirs.status, 404);
    assert_eq!(theirs.text, nobody.text, "SEC-26");
    let still = call(
        &portal,
        Method::GET,
        &acme("/clients"),
        None,
        Auth::Bearer(&secret),
    )
    .await;
    assert_eq!(still.status, 200, "refusals revoked nothing");

    let revoked = send(
        &portal,
        Method::POST,
        &acme(&format!("/api-keys/{id}/revoke")),
        None,
        &owner,
    )
    .await;
    assert_eq!(revoked.status, 200, "{}", revoked.text);
    assert_ne!(revoked.json()["revoked_at"], Value::Null);
    let dead = call(
        &portal,
        Method::GET,
        &acme("/clients"),
        None,
        Auth::Bearer(&secret),
    )
    .await;
    assert_eq!(dead.status, 401);

    portal.clock.advance(Duration::minutes(11));
    let stale = send(
        &portal,
        Method::POST,
        &acme("/api-keys"),
        Some(json!({ "name": "Late", "permissions": ["view_projects"] })),
        &owner,
    )
    .await;
    assert_eq!(stale.error_code(), "reauth_required");
}

#[tokio::test]
async fn the_audit_log_is_filtered_and_exported_as_csv_and_json_lines_sec_40() {
    let portal = Portal::new().await;
    let world = client_work::seed(&portal).await;
    let owner = portal.login("acme", "ada@acme.test").await;
    for name in ["Alpha, \"Quoted\"", "Beta"] {
        let made = send(
            &portal,
            Method::POST,
            &acme("/clients"),
            Some(json!({ "name": name })),
            &owner,
        )
        .await;
        assert_eq!(made.status, 201);
    }
    let page = portal.get(&acme("/audit?limit=2"), Some(&owner)).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(page.json()["items"].as_array().unwrap().len(), 2);
    let cursor = page.json()["next_cursor"].as_str().unwrap().to_owned();
    let next = portal
        .get(
            &acme(&format!("/audit?limit=2&cursor={cursor}")),
            Some(&owner),
        )
        .await;
    assert_eq!(next.status, 200);
    assert!(next.json()["items"][0]["seq"].as_i64() < page.json()["items"][1]["seq"].as_i64());

    let action = page.json()["items"][0]["action"]
        .as_str()
        .unwrap()
        .to_owned();
    let filtered = portal
        .get(
            &acme(&format!("/audit?action={action}&limit=200")),
            Some(&owner),
        )
        .await;
    let items = filtered.json()["items"].as_array().unwrap().clone();
    assert!(!items.is_empty());
    assert!(items.iter().all(|event| event["action"] == action.as_str()));
    let future = portal
        .get(&acme("/audit?from=2999-01-01T00:00:00Z"), Some(&owner))
        .await;
    assert_eq!(future.json()["items"], json!([]));
    let bad = portal
        .get(&acme("/audit?from=yesterday"), Some(&owner))
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.json()["error"]["fields"], json!(["from"]));

    let all = portal
        .get(&acme("/audit?limit=200"), Some(&owner))
        .await
        .json();
    let total = all["items"].as_array().unwrap().len();
    assert!(total > 5, "{total}");

    let csv = portal
        .get(&acme("/audit/export?format=csv"), Some(&owner))
        .await;
    assert_eq!(csv.status, 200, "{}", csv.text);
    assert_eq!(
        csv.headers.get(header::CONTENT_TYPE).unwrap(),
        "text/csv; charset=utf-8"
    );
    assert!(
        csv.headers
            .get(header::CONTENT_DISPOSITION)
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    let mut lines = csv.text.split("\r\n").filter(|line| !line.is_empty());
    assert_eq!(
        lines.next().unwrap(),
        "seq,occurred_at,actor_kind,actor_id,action,object_kind,object_id,outcome,ip,details,personal,hash"
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), total, "every event, nothing more");
    // Details are JSON: their quotes and commas are quoted and doubled (RFC 4180).
    assert!(
        rows.iter().any(|row| row.contains("\"{\"\"")),
        "{}",
        csv.text
    );
    assert!(
        rows.iter()
            .all(|row| !row.starts_with(['=', '+', '-', '@']))
    );

    let jsonl = portal
        .get(&acme("/audit/export?format=jsonl"), Some(&owner))
        .await;
    assert_eq!(jsonl.status, 200);
    assert_eq!(
        jsonl.headers.get(header::CONTENT_TYPE).unwrap(),
        "application/x-ndjson"
    );
    let events: Vec<Value> = jsonl
        .text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    // The CSV export itself was recorded before this one started.
    assert_eq!(events.len(), total + 1);
    assert_eq!(events[0]["action"], "audit.exported");
    assert_eq!(events[0]["details"]["format"], "csv");
    assert!(
        events
            .windows(2)
            .all(|pair| pair[0]["seq"].as_i64() > pair[1]["seq"].as_i64())
    );

    let filtered = portal
        .get(
            &acme("/audit/export?format=jsonl&action=audit.exported"),
            Some(&owner),
        )
        .await;
    assert_eq!(filtered.text.lines().count(), 2, "{}", filtered.text);
    let unknown = portal
        .get(&acme("/audit/export?format=xml"), Some(&owner))
        .await;
    assert_eq!(unknown.status, 422);

    // Refused: anonymous, contacts, a manager (no audit permissions), another tenant's log.
    assert_eq!(
        call(
            &portal,
            Method::GET,
            &acme("/audit/export?format=csv"),
            None,
            Auth::None
        )
        .await
        .status,
        401
    );
    let contact = portal.login("acme", &world.a.contact("client_admin")).await;
    let manager = portal.login("acme", "manager@acme.test").await;
    for cookie in [&contact, &manager] {
        assert_eq!(portal.get(&acme("/audit"), Some(cookie)).await.status, 403);
        assert_eq!(
            portal
                .get(&acme("/audit/export?format=csv"), Some(cookie))
                .await
                .status,
            403
        );
    }
    let exports = portal
        .get(&acme("/audit?action=audit.exported"), Some(&owner))
        .await
        .json();
    assert_eq!(
        exports["items"].as_array().unwrap().len(),
        3,
        "each export is recorded, refused ones are not"
    );
    let foreign = portal.login("globex", "gil@globex.test").await;
    let theirs = portal
        .get(&globex("/audit/export?format=jsonl"), Some(&foreign))
        .await;
    assert_eq!(theirs.status, 200);
    assert!(!theirs.text.contains(&portal.acme.to_string()), "SEC-27");
    assert!(!theirs.text.contains(&world.a.client.to_string()), "SEC-27");
}

#[tokio::test]
async fn exports_stream_every_page_and_defuse_formulas_sec_40() {
    let portal = Portal::new().await;
    let owner = portal.login("acme", "ada@acme.test").await;
    let system = TenantScope::dangerous_system(portal.acme);
    // More than one store page (200), and an action a spreadsheet would run as a formula.
    for n in 0..450 {
        let event = NewAuditEvent::by(&system, "test.filler", None).with_details(json!({ "n": n }));
        portal
            .stores
            .audit
            .append(&system, event, &AuditContext::default())
            .await
            .unwrap();
    }
    let hostile = NewAuditEvent::by(&system, "=HYPERLINK(\"https://evil.example\")", None);
    portal
        .stores
        .audit
        .append(&system, hostile, &AuditContext::default())
        .await
        .unwrap();

    let jsonl = portal
        .get(
            &acme("/audit/export?format=jsonl&action=test.filler"),
            Some(&owner),
        )
        .await;
    assert_eq!(jsonl.status, 200, "{}", jsonl.text);
    let numbers: std::collections::BTreeSet<i64> = jsonl
        .text
        .lines()
        .map(|line| {
            serde_json::from_str::<Value>(line).unwrap()["details"]["n"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(numbers.len(), 450, "every event once, across pages");

    let csv = portal
        .get(&acme("/audit/export?format=csv"), Some(&owner))
        .await;
    let rows: Vec<&str> = csv
        .text
        .split("\r\n")
        .filter(|row| !row.is_empty())
        .collect();
    assert!(rows.len() > 451, "{}", rows.len());
    let hostile_row = rows.iter().find(|row| row.contains("HYPERLINK")).unwrap();
    assert!(
        hostile_row.contains(",\"'=HYPERLINK(\"\"https://evil.example\"\")\","),
        "{hostile_row}"
    );
    assert!(
        !csv.text.contains(",=HYPERLINK"),
        "no cell starts with a formula"
    );
}
