"""Governance, the spine every service plugs into: the public algorithm register, the
tamper-evident decision journal, footprint measurement and algorithm runs."""
