"""Closed-loop simulation of the pipeline against the sandbox (`outreach simulate`)."""
