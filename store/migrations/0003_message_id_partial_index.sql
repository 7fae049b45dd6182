-- Only messages handed to SMTP carry a Message-ID. Left out of the index,
-- the others cost it nothing when they are planned and decided.
DROP INDEX messages_message_id;
CREATE INDEX messages_message_id ON messages (message_id) WHERE message_id <> '';
