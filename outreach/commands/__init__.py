"""Command groups of the `outreach` CLI, one module per area, registered in `outreach.cli`."""
