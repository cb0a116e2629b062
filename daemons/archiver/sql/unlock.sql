SELECT pg_advisory_unlock(hashtext('project88.archiver'));
