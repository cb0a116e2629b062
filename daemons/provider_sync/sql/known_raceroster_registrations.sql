SELECT provider_registration_id FROM raceroster_registrations
WHERE timing_partner_id = %(partner)s AND raceroster_event_id = %(event)s
