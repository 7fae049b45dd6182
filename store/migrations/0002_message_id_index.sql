-- Bounce and complaint reports name the original message by its Message-ID.
CREATE INDEX messages_message_id ON messages (message_id);
