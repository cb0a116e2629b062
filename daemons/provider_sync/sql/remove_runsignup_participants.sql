DELETE FROM runsignup_participants
WHERE timing_partner_id = %(partner)s AND registration_id = ANY(%(ids)s::bigint[])
RETURNING id
