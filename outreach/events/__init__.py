"""Events: the outbox of what we publish and the inbox of what we consume."""
