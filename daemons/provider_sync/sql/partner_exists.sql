SELECT 1 FROM timing_partners WHERE id = %(partner)s
