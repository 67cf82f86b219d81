"""Conversion: prospects becoming registered, verified contractors, and the events that announce it."""
