-- project88 sync credentials set: the sealed fields replace any stored before.
INSERT INTO partner_provider_credentials (timing_partner_id, provider_id, fields_encrypted)
SELECT %(partner)s, p.id, %(sealed)s FROM providers AS p WHERE p.slug = %(provider)s
ON CONFLICT (timing_partner_id, provider_id) DO UPDATE
SET fields_encrypted = EXCLUDED.fields_encrypted, updated_at = now()
RETURNING id
