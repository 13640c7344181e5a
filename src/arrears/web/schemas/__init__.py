"""Pydantic request/response models of the API, kept apart from the tables (storage) and the dataclasses the
services return; routes map one to the other."""
