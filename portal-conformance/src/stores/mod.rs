//! The stores suite: the checks every backend of [`Stores`](portal_storage::Stores) passes, one
//! module per area. Each check builds its own tenants through the stores, so the checks of one
//! harness may run side by side.

#![allow(
    missing_docs,
    reason = "each check is a test whose name says what it proves; the module docs say the area"
)]

/// Share links, sessions and login throttling.
pub mod access;
/// Adoption analytics: known figures, the window, assignment, permission and tenant.
pub mod analytics;
/// Approval requests and decisions: exact versions, deciders, one winner.
pub mod approvals;
/// The hash-chained audit log, its permission, and outbox claims.
pub mod audit;
/// Change stamps move with committed writes.
pub mod changes;
/// Documents and versions, updates, decisions, tasks, requests and messages.
pub mod content;
/// Lookups by external id follow the rules of lookups by portal id.
pub mod external_ids;
/// Invoices: finance roles only, checked moves.
pub mod finance;
/// A small world built through the stores: tenants, staff of every role, clients and work.
pub mod fixtures;
/// Idempotency keys of retried requests.
pub mod idempotency;
/// Invitations and API keys.
pub mod invitations;
/// Another tenant, another client: nothing seen, nothing changed.
pub mod isolation;
/// Login tokens, TOTP steps and recovery codes.
pub mod mfa;
/// Deadline and security notices.
pub mod notices;
/// In-app notifications, mail preferences, webhooks and their deliveries.
pub mod notifications;
/// Offboarding and erasing a client.
pub mod offboarding;
/// Cursor pagination.
pub mod pagination;
/// Passkeys and the state of their ceremonies.
pub mod passkeys;
/// Who sees and changes which people.
pub mod people_reach;
/// People's own preferences.
pub mod preferences;
/// Tenants, users, roles, memberships and clients.
pub mod tenancy;
/// Resumable uploads' records: owned by their user or share link, expiring, swept, checked;
/// share links that take uploads.
pub mod uploads;
/// Projects, milestones and deliverables: drafts, publishing, state machines.
pub mod work;

/// Generates one `#[tokio::test]` per check of the stores suite.
///
/// `$make` names an `async fn` answering a [`Harness`](crate::Harness) — or an
/// `Option<Harness>`, where `None` means the backend is not available here and the tests return
/// early (make that loud where it must run). Call it inside a module of a test target; the
/// calling crate needs `tokio` with the `macros` and `rt-multi-thread` features.
#[macro_export]
macro_rules! stores_suite {
    ($make:path) => {
        $crate::__stores_suite! { $make;
            notices::deadlines_are_announced_once,
            notices::security_notices_follow_real_changes,
            notifications::a_pass_is_written_in_batches,
            changes::stamps_move_with_committed_writes,
            tenancy::tenants_are_created_with_built_in_roles_and_routed,
            tenancy::slugs_and_domains_are_unique,
            tenancy::branding_needs_its_permission,
            tenancy::emails_are_unique_per_tenant,
            tenancy::credentials_and_password_changes,
            tenancy::disabling_a_user_ends_sessions_and_memberships,
            tenancy::custom_roles,
            tenancy::memberships_build_scopes,
            tenancy::members_see_only_assigned_clients,
            tenancy::clients_upsert_idempotently,
            tenancy::archived_clients_lose_their_contacts,
            offboarding::offboarding_ends_access_sessions_invitations_and_share_links,
            offboarding::offboarding_needs_its_permission_and_reach,
            offboarding::erasure_needs_an_offboarded_client_its_permission_and_reach,
            offboarding::erasure_pseudonymises_contacts_and_keeps_the_chain_verifiable,
            work::drafts_stay_internal_until_published,
            work::publishing_needs_the_permission,
            work::children_of_an_internal_project_stay_hidden,
            work::project_progress_counts_visible_milestones,
            work::state_machines_are_enforced,
            work::upserts_are_idempotent,
            work::foreign_parents_are_not_found,
            work::edits_replace_the_writable_fields,
            approvals::requesting_moves_the_deliverable_to_review,
            approvals::a_decision_must_name_the_exact_version,
            approvals::only_deciders_may_decide,
            approvals::concurrent_decisions_have_one_winner,
            approvals::cancel_and_expire,
            approvals::the_team_cannot_sign_off_for_the_client,
            content::document_versions_are_numbered,
            content::a_document_and_its_first_version_are_created_together,
            content::stored_bytes_count_every_version_of_the_tenant,
            content::contacts_upload_shared_documents,
            content::updates_decisions_and_tasks,
            content::requests_flow,
            content::internal_messages_stay_internal,
            finance::invoices_are_for_finance_roles,
            finance::invoice_moves_are_checked,
            access::share_links,
            access::sessions,
            access::throttling,
            invitations::invitations_are_created_listed_and_revoked,
            invitations::resending_replaces_the_pending_invitation,
            invitations::pending_invitations_honour_expiry_revocation_and_acceptance,
            invitations::accepting_creates_the_user_and_membership,
            invitations::accepting_as_an_existing_user_sets_the_password_and_ends_sessions,
            invitations::concurrent_acceptances_have_one_winner,
            invitations::accepting_conflicts_with_the_other_side_or_a_disabled_user,
            invitations::inviting_needs_the_permission,
            invitations::invitations_stay_in_their_tenant,
            invitations::deleting_a_role_drops_its_invitations,
            invitations::api_keys_are_created_listed_and_revoked,
            invitations::api_key_prefixes_are_unique_across_tenants,
            invitations::api_keys_never_exceed_their_creator,
            invitations::api_keys_stay_in_their_tenant,
            audit::writes_are_audited_and_the_chain_verifies,
            audit::a_changed_event_breaks_the_chain,
            audit::a_removed_event_breaks_the_chain,
            audit::changed_personal_facts_break_the_chain,
            audit::a_half_erased_event_breaks_the_chain,
            audit::erasing_personal_facts_keeps_the_chain_verifiable,
            audit::the_audit_log_needs_its_permission,
            audit::outbox_rows_are_claimed_once,
            mfa::login_tokens_are_single_use_and_replaced,
            mfa::login_tokens_expire,
            mfa::login_tokens_are_bound_to_purpose_and_tenant,
            mfa::concurrent_token_consumers_have_one_winner,
            mfa::totp_enrolment_begins_replaces_and_confirms,
            mfa::totp_steps_are_never_replayed,
            mfa::concurrent_uses_of_one_code_have_one_winner,
            mfa::recovery_codes_work_once,
            mfa::another_tenants_pair_sees_no_second_factor,
            passkeys::passkeys_are_added_listed_renamed_and_revoked,
            passkeys::credential_ids_are_unique_per_tenant_and_checked,
            passkeys::passkey_uses_update_the_credential_and_last_use,
            passkeys::ceremonies_are_single_use_and_bound,
            passkeys::ceremonies_expire_and_are_swept,
            passkeys::concurrent_ceremony_takers_have_one_winner,
            passkeys::another_tenant_finds_no_passkey,
            pagination::lists_page_with_cursors,
            isolation::another_tenant_sees_and_changes_nothing,
            uploads::resumable_uploads_belong_to_the_user_who_began_them,
            uploads::resumable_uploads_expire_and_are_swept,
            uploads::resumable_uploads_are_checked,
            uploads::share_links_take_uploads_of_their_own,
            isolation::another_client_sees_and_changes_nothing,
            people_reach::a_member_sees_colleagues_and_the_contacts_of_its_clients_only,
            people_reach::an_admin_sees_and_changes_everyone,
            people_reach::a_manager_of_one_client_changes_only_that_clients_contacts,
            people_reach::memberships_and_invitations_stay_within_the_managed_client,
            people_reach::nobody_pulls_another_clients_contact_into_theirs,
            people_reach::a_removed_contact_is_seen_only_by_staff_managing_every_client,
            people_reach::contacts_see_themselves_and_their_clients_contacts,
            preferences::people_set_their_own_language_and_finish_the_tour,
            preferences::only_the_person_or_their_admins_change_their_preferences,
            idempotency::keys_start_replay_and_refuse_other_requests,
            idempotency::abandoned_keys_may_be_used_again,
            idempotency::expired_keys_count_as_absent_and_are_swept,
            idempotency::concurrent_begins_have_one_winner,
            idempotency::keys_stay_in_their_tenant,
            idempotency::keys_statuses_and_lifetimes_are_checked,
            external_ids::clients_are_found_by_external_id_within_their_scope,
            external_ids::projects_are_found_by_external_id_as_by_portal_id,
            external_ids::milestones_are_found_by_external_id_as_by_portal_id,
            notifications::recording_is_for_the_dispatcher_and_idempotent,
            notifications::people_list_count_and_mark_only_their_own,
            notifications::mail_preferences_are_the_persons_own,
            notifications::mail_is_claimed_under_a_lease,
            notifications::webhooks_are_managed_by_integrators,
            notifications::deliveries_are_queued_for_wanting_endpoints,
            notifications::deliveries_are_claimed_attempted_and_redelivered,
            analytics::adoption_figures_match_a_known_history,
            analytics::adoption_figures_respect_the_window,
            analytics::adoption_figures_follow_assignment_and_permission,
            analytics::adoption_figures_stay_in_their_tenant,
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __stores_suite {
    ($make:path; $($area:ident :: $check:ident),+ $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $check() {
                let Some(harness) = $crate::IntoHarness::into_harness($make().await) else {
                    return;
                };
                $crate::stores::$area::$check(&harness).await;
            }
        )+
    };
}
