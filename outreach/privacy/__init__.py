"""Privacy (docs/privacy.md): `crypto` (encryption and blind indexes), `access` (the one audited way to decrypt),
`audit` (the audit log), `rotation` (key rotation), `retention`, `subject` and `dsar` (data-subject requests)."""
