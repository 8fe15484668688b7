"""Fraud risk: the built-in scoring of an order at placement (rules.py, pure), the shop's thresholds and
weights (settings.py), the facts the placement read gathers (history.py), assessments from outside
services and what a HIGH level does (service.py)."""
