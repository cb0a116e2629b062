SELECT user_id, timing_partner_id, role, full_name FROM nlq_caller(%(key_sha256)s);
