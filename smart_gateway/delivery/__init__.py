"""Push delivery: the outbox worker that carries queued messages to push partners."""
