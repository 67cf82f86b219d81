"""Consent: the ledger of every consent change and the suppression list checked at send time."""
