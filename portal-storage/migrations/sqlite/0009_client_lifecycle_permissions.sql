-- New permissions for analytics, client export, offboarding and erasure: the built-in roles of
-- existing tenants get them as new tenants do (custom roles are left as their owners made them).
-- Each statement adds a name only where it is missing, so running it again changes nothing.
UPDATE portal_role SET permissions = json_insert(permissions, '$[#]', 'view_analytics')
 WHERE builtin IN ('owner', 'admin', 'manager')
   AND NOT EXISTS (SELECT 1 FROM json_each(permissions) WHERE value = 'view_analytics');
UPDATE portal_role SET permissions = json_insert(permissions, '$[#]', 'export_client_data')
 WHERE builtin IN ('owner', 'admin')
   AND NOT EXISTS (SELECT 1 FROM json_each(permissions) WHERE value = 'export_client_data');
UPDATE portal_role SET permissions = json_insert(permissions, '$[#]', 'offboard_clients')
 WHERE builtin IN ('owner', 'admin')
   AND NOT EXISTS (SELECT 1 FROM json_each(permissions) WHERE value = 'offboard_clients');
UPDATE portal_role SET permissions = json_insert(permissions, '$[#]', 'erase_client_data')
 WHERE builtin IN ('owner')
   AND NOT EXISTS (SELECT 1 FROM json_each(permissions) WHERE value = 'erase_client_data');
