-- 001_init: sessions, calls and the IAM actions and resources they need.
--
-- Times are Unix nanoseconds (UTC); durations are nanoseconds. Strings that
-- repeat across calls (action names, ARNs, condition sets, the way a call
-- uses an action) are interned in their own tables, so that a call's rows
-- are a few integers and aggregating a million calls groups integers.

CREATE TABLE sessions (
	id         INTEGER PRIMARY KEY,
	name       TEXT    NOT NULL UNIQUE,
	created_ns INTEGER NOT NULL
);

CREATE TABLE session_labels (
	session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
	key        TEXT    NOT NULL,
	value      TEXT    NOT NULL,
	PRIMARY KEY (session_id, key)
) WITHOUT ROWID;

-- principals maps an access key ID to the principal that owns it. A call's
-- own principal_arn, when it has one, wins over this mapping.
CREATE TABLE principals (
	access_key_id TEXT    PRIMARY KEY,
	principal_arn TEXT    NOT NULL,
	updated_ns    INTEGER NOT NULL
) WITHOUT ROWID;

-- conditions are condition-key values: a JSON object of string arrays,
-- keys sorted.
CREATE TABLE conditions (
	id   INTEGER PRIMARY KEY,
	json TEXT    NOT NULL UNIQUE
);

CREATE TABLE actions (
	id   INTEGER PRIMARY KEY,
	name TEXT    NOT NULL UNIQUE
);

CREATE TABLE resources (
	id  INTEGER PRIMARY KEY,
	arn TEXT    NOT NULL UNIQUE
);

-- uses are the ways calls need an action: an iamwatch.ActionUse without
-- its resources.
CREATE TABLE uses (
	id           INTEGER PRIMARY KEY,
	action_id    INTEGER NOT NULL REFERENCES actions (id),
	level        TEXT    NOT NULL,
	exact        INTEGER NOT NULL,
	possible     INTEGER NOT NULL,
	reason       TEXT    NOT NULL,
	condition_id INTEGER REFERENCES conditions (id)
);

CREATE UNIQUE INDEX uses_key ON uses (action_id, level, exact, possible, reason, condition_id);

CREATE TABLE calls (
	id            INTEGER PRIMARY KEY,
	-- uid is unique across databases, so that exports can be merged
	-- idempotently: a UUIDv7, time-ordered so that inserting it appends to
	-- its index instead of touching a random page of it.
	uid           TEXT    NOT NULL UNIQUE,
	session_id    INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
	time_ns       INTEGER NOT NULL,
	source        TEXT    NOT NULL,
	access_key_id TEXT    NOT NULL DEFAULT '',
	principal_arn TEXT    NOT NULL DEFAULT '',
	service       TEXT    NOT NULL DEFAULT '',
	service_id    TEXT    NOT NULL DEFAULT '',
	model         TEXT    NOT NULL DEFAULT '',
	protocol      TEXT    NOT NULL DEFAULT '',
	operation     TEXT    NOT NULL DEFAULT '',
	region        TEXT    NOT NULL DEFAULT '',
	account_id    TEXT    NOT NULL DEFAULT '',
	recognized    INTEGER NOT NULL DEFAULT 0,
	reason        TEXT    NOT NULL DEFAULT '',
	condition_id  INTEGER REFERENCES conditions (id),
	pending       INTEGER NOT NULL,
	status        INTEGER NOT NULL DEFAULT 0,
	error_code    TEXT    NOT NULL DEFAULT '',
	latency_ns    INTEGER NOT NULL DEFAULT 0,
	-- uses_hash is a hash of the call's call_uses rows, so that Finish
	-- rewrites them only when they changed: deleting them is the one
	-- costly write of the hot path.
	uses_hash     INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX calls_session_time ON calls (session_id, time_ns);
CREATE INDEX calls_time ON calls (time_ns);

CREATE TABLE call_labels (
	call_id INTEGER NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
	key     TEXT    NOT NULL,
	value   TEXT    NOT NULL,
	PRIMARY KEY (call_id, key)
) WITHOUT ROWID;

-- call_uses holds Call.Actions: action seq of the call, its resource rseq
-- (resource_id NULL and rseq 0 for an action without resources). time_ns
-- and condition_id are the call's, copied so that aggregating uses reads
-- this table alone.
CREATE TABLE call_uses (
	call_id      INTEGER NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
	seq          INTEGER NOT NULL,
	rseq         INTEGER NOT NULL,
	use_id       INTEGER NOT NULL REFERENCES uses (id),
	resource_id  INTEGER REFERENCES resources (id),
	time_ns      INTEGER NOT NULL,
	condition_id INTEGER REFERENCES conditions (id),
	PRIMARY KEY (call_id, seq, rseq)
) WITHOUT ROWID;
