-- demo-data: every user gets a bcrypt hash of a random password nobody knows (generated and
-- hashed inside the server); staff set their own through a password reset.
UPDATE users SET password_hash = crypt(encode(gen_random_bytes(18), 'base64'), gen_salt('bf'));
