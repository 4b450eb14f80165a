-- 002_drop_calls_time: calls are no longer indexed by time alone.
--
-- Every captured call paid for this index (an eighth of the writer's cost
-- per call), and only a listing of calls by time across all sessions
-- used it: policies aggregate call_uses, which has its own copy of the
-- time, and listings of a session use calls_session_time.

DROP INDEX IF EXISTS calls_time;
