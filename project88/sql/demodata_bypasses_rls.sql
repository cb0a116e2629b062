-- demo-data: does the loading role bypass row-level security (superuser or BYPASSRLS)?
SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user;
