-- New permissions for analytics, client export, offboarding and erasure: the built-in roles of
-- existing tenants get them as new tenants do (custom roles are left as their owners made them).
-- Each statement adds a name only where it is missing, so running it again changes nothing.
-- Row-level security applies to the tables' owner too: this migration works on every tenant.
SELECT set_config('portal.global', 'on', true);
UPDATE portal_role SET permissions = (permissions::jsonb || '["view_analytics"]'::jsonb)::text
 WHERE builtin IN ('owner', 'admin', 'manager') AND NOT (permissions::jsonb ? 'view_analytics');
UPDATE portal_role SET permissions = (permissions::jsonb || '["export_client_data"]'::jsonb)::text
 WHERE builtin IN ('owner', 'admin') AND NOT (permissions::jsonb ? 'export_client_data');
UPDATE portal_role SET permissions = (permissions::jsonb || '["offboard_clients"]'::jsonb)::text
 WHERE builtin IN ('owner', 'admin') AND NOT (permissions::jsonb ? 'offboard_clients');
UPDATE portal_role SET permissions = (permissions::jsonb || '["erase_client_data"]'::jsonb)::text
 WHERE builtin IN ('owner') AND NOT (permissions::jsonb ? 'erase_client_data');
