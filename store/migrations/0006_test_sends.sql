-- Test copies sent by hand from preview. They live apart from messages so
-- that no report, limit, log or guardrail counts them; the address is kept
-- only as its keyed hash, as suppressions keep it.
CREATE TABLE test_sends (
    id               {{autoid}},
    campaign_id      TEXT NOT NULL,
    campaign_version TEXT NOT NULL DEFAULT '',
    variant          TEXT NOT NULL DEFAULT '',
    lang             TEXT NOT NULL DEFAULT '',
    message_id       TEXT NOT NULL DEFAULT '',
    to_hash          TEXT NOT NULL,
    at               BIGINT NOT NULL
);
CREATE INDEX test_sends_campaign ON test_sends (campaign_id, at);
