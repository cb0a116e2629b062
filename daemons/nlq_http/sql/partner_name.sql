SELECT name FROM timing_partners WHERE id = %(partner_id)s;
