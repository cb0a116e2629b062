-- One archiver at a time per database, whatever the number of processes.
SELECT pg_try_advisory_lock(hashtext('project88.archiver'));
