DELETE FROM raceroster_registrations
WHERE timing_partner_id = %(partner)s AND provider_registration_id = ANY(%(ids)s::text[])
RETURNING id
