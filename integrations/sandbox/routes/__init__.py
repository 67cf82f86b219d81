"""HTTP routes, one module per domain (contract paths) plus the sandbox's own endpoints."""
