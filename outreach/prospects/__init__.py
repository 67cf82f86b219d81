"""Prospect management: source records across days, golden prospects and their lifecycle."""
