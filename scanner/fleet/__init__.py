"""Scanning several orgs: the targets file."""
