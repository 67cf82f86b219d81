"""Engagement: what Messaging tells us back (delivery statuses and replies) and what we do about it."""
