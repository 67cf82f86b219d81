"""Events across the boundary: CloudEvents envelopes, Standard Webhooks signatures, delivery over HTTP."""
