SELECT c.fields_encrypted, p.rate_limit_per_hour
FROM providers AS p
LEFT JOIN partner_provider_credentials AS c
       ON c.provider_id = p.id AND c.timing_partner_id = %(partner)s
WHERE p.id = %(provider)s
