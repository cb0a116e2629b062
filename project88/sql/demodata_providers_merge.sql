INSERT INTO providers (id, name, slug, api_base_url, created_at)
SELECT id, name, slug, api_base_url, created_at FROM demo_providers ORDER BY id
ON CONFLICT (id) DO UPDATE
SET name = EXCLUDED.name, slug = EXCLUDED.slug, api_base_url = EXCLUDED.api_base_url,
    created_at = EXCLUDED.created_at;
DROP TABLE demo_providers;
