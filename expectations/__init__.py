"""Great Expectations suites per pipeline stage (candidates, enriched, golden) and the runner asset checks call."""
