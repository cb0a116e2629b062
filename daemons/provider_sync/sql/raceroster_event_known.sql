SELECT 1 FROM raceroster_events WHERE timing_partner_id = %(partner)s AND id = %(event)s
