-- 003_use_sets: a call names its set of uses instead of owning rows of them.
--
-- Calls repeat: a test suite or a service makes the same few calls on the
-- same few resources thousands of times. call_uses gave each call a row per
-- action and resource, which was a third of the cost of storing a call.
-- Now each distinct set of (use, resource) rows is stored once, in
-- use_set_items, under a use_sets row whose key spells the set out, and a
-- call points at its set. call_uses stays as a view with the old columns,
-- so reads are unchanged.
--
-- A set's key is its items in (seq, rseq) order, "seq:rseq:use_id:resource_id"
-- joined by ",", with an empty resource_id for an action without resources.
-- The writer builds the same string, so that a set is found by its key.

CREATE TABLE use_sets (
	id  INTEGER PRIMARY KEY,
	key TEXT    NOT NULL UNIQUE
);

CREATE TABLE use_set_items (
	set_id      INTEGER NOT NULL REFERENCES use_sets (id),
	seq         INTEGER NOT NULL,
	rseq        INTEGER NOT NULL,
	use_id      INTEGER NOT NULL REFERENCES uses (id),
	resource_id INTEGER REFERENCES resources (id),
	PRIMARY KEY (set_id, seq, rseq)
) WITHOUT ROWID;

ALTER TABLE calls ADD COLUMN use_set_id INTEGER REFERENCES use_sets (id);

CREATE TEMP TABLE m003_keys (call_id INTEGER PRIMARY KEY, key TEXT NOT NULL);
INSERT INTO m003_keys
	SELECT call_id, group_concat(seq || ':' || rseq || ':' || use_id || ':' || coalesce(resource_id, ''), ','
		ORDER BY seq, rseq) AS key
	FROM call_uses GROUP BY call_id;

INSERT INTO use_sets (key) SELECT DISTINCT key FROM m003_keys ORDER BY key;

INSERT INTO use_set_items (set_id, seq, rseq, use_id, resource_id)
	SELECT s.id, cu.seq, cu.rseq, cu.use_id, cu.resource_id
	FROM (SELECT key, min(call_id) AS call_id FROM m003_keys GROUP BY key) k
	JOIN use_sets s ON s.key = k.key
	JOIN call_uses cu ON cu.call_id = k.call_id;

UPDATE calls SET use_set_id = (SELECT s.id FROM m003_keys k JOIN use_sets s ON s.key = k.key WHERE k.call_id = calls.id);

DROP TABLE m003_keys;
DROP TABLE call_uses;
ALTER TABLE calls DROP COLUMN uses_hash;

-- call_uses as it was: the call's time and conditions on each row.
CREATE VIEW call_uses AS
	SELECT c.id AS call_id, i.seq, i.rseq, i.use_id, i.resource_id, c.time_ns, c.condition_id
	FROM calls c JOIN use_set_items i ON i.set_id = c.use_set_id;
