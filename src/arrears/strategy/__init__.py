"""Strategies as data -> proposed actions; champion/challenger.

`load_strategy("cn_default")` gives a checked, immutable `Strategy`; `select_treatment` picks the segment,
variant and treatment for an account; `next_steps` judges each step on a day. See README.md.
"""
