"""Propensity to pay: features from the ledger and contact history, a gradient-boosted model, evaluation."""
