-- Organisation and people (issue 4): unit contacts and place, staff users with roles, and
-- their login sessions (in the database, so every server instance knows them).

ALTER TABLE unit ADD COLUMN contact TEXT NOT NULL DEFAULT '';   -- person to call
ALTER TABLE unit ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE unit ADD COLUMN address TEXT NOT NULL DEFAULT '';
-- Enterprises and schools (and any unit) attach to the area they belong to.
ALTER TABLE unit ADD COLUMN area_id INTEGER REFERENCES area(id);
ALTER TABLE unit ADD COLUMN sort INTEGER NOT NULL DEFAULT 0;
CREATE INDEX unit_parent ON unit (parent_id);

-- Which services a key may post to: '*' (all), or a comma list of service codes and
-- category group codes (e.g. '0101,0102,03').
ALTER TABLE apikey ADD COLUMN services TEXT NOT NULL DEFAULT '*';

CREATE TABLE users (
	id INTEGER PRIMARY KEY,
	login TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	unit_id INTEGER NOT NULL REFERENCES unit(id),
	roles INTEGER NOT NULL,              -- bit set of core/roles.h; names in the API and CLI
	phone TEXT NOT NULL DEFAULT '',
	password_hash TEXT NOT NULL,         -- argon2id, libsodium's encoded string (salt inside)
	totp_secret TEXT,                    -- base32 RFC 6238 secret; NULL: no second factor
	active INTEGER NOT NULL DEFAULT 1,
	failed_logins INTEGER NOT NULL DEFAULT 0,  -- in a row, since the last good login
	locked_until INTEGER NOT NULL DEFAULT 0,   -- unix seconds; logins refused before it
	totp_last_step INTEGER NOT NULL DEFAULT 0, -- the last TOTP time step used: a code works once
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX users_unit ON users (unit_id);

CREATE TABLE sessions (
	id INTEGER PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,     -- hex SHA-256 of the cookie's random 256-bit token
	user_id INTEGER NOT NULL REFERENCES users(id),
	csrf TEXT NOT NULL,                  -- sent back by the browser in X-CSRF-Token / csrf_token
	created_at INTEGER NOT NULL,
	last_seen_at INTEGER NOT NULL,       -- idle expiry counts from here
	expires_at INTEGER NOT NULL,         -- absolute expiry
	ip TEXT NOT NULL DEFAULT '',
	user_agent TEXT NOT NULL DEFAULT '',
	mfa_pending INTEGER NOT NULL DEFAULT 0,  -- password accepted, TOTP code still owed
	revoked_at INTEGER
);
CREATE INDEX sessions_user ON sessions (user_id);
