"""Webhooks: an organisation's own systems hear about its agreements' events, signed, retried, logged."""
