"""Privacy: encryption of contact data, and (later) consent, DSAR and retention."""
