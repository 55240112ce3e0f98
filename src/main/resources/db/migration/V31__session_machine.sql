-- Issue 9: the session machine.

-- ENDING: over for the supervisor, but rtpengine has not yet confirmed that its media is gone.
ALTER TABLE supervision_session DROP CONSTRAINT supervision_session_state_check;
ALTER TABLE supervision_session ADD CONSTRAINT supervision_session_state_check
    CHECK (state IN ('JOINING', 'ACTIVE', 'ENDING', 'ENDED'));

-- When the session became active (null: it never did), so its end is audited as "ended", not as a failed join.
ALTER TABLE supervision_session ADD COLUMN activated_at TIMESTAMPTZ;
UPDATE supervision_session SET activated_at = started_at WHERE state = 'ACTIVE'
    OR (state = 'ENDED' AND end_reason IN ('SUPERVISOR_HUNG_UP', 'CALL_ENDED', 'API'));

-- A deletion must never cascade a session away: live sessions are ended (revoked) through the
-- machine, and the history of ended ones stays, keyed by the ids the audit trail names.
ALTER TABLE supervision_session DROP CONSTRAINT supervision_session_customer_id_fkey;
ALTER TABLE supervision_session DROP CONSTRAINT supervision_session_supervisor_account_id_fkey;
ALTER TABLE supervision_session DROP CONSTRAINT supervision_session_agent_account_id_fkey;
CREATE INDEX supervision_session_customer_live_idx ON supervision_session (customer_id) WHERE state <> 'ENDED';

-- rtpengine never forgets a party, so the media layer re-uses a call's idle supervisor slots: a tag
-- is unique among the live sessions of a call, not over its history.
ALTER TABLE supervision_session DROP CONSTRAINT supervision_session_tag_uq;
CREATE UNIQUE INDEX supervision_session_live_tag_uq ON supervision_session (call_id, supervisor_tag)
    WHERE state <> 'ENDED';
