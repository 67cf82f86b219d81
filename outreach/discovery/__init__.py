"""Discovery: candidate contractor records from every source, in one shape, with provenance."""
