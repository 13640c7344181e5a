"""Delinquency: ledger -> payment waterfall, penalty, DPD, buckets, bucket history, roll rates, legal-rate check.

Pure: no I/O beyond reading the packaged YAML data, no clock (`as_of` is always an argument).
"""

from arrears.delinquency.buckets import Bucket, BucketScheme, load_bucket_scheme, parse_bucket_scheme
from arrears.delinquency.config import DEFAULT_CONFIG, DEFAULT_WATERFALL, Component, EngineConfig
from arrears.delinquency.datafile import DataFileError
from arrears.delinquency.history import (
    BucketHistory,
    BucketSpell,
    RollRateMatrix,
    bucket_history,
    history_from_run,
    monthly_roll_rates,
    roll_rates,
)
from arrears.delinquency.ledger import InstalmentPosition, LedgerError, LedgerRun, replay
from arrears.delinquency.lpr import LprEntry, LprTable, load_lpr_table, parse_lpr_table
from arrears.delinquency.pauses import PauseCalendar
from arrears.delinquency.ratecheck import RateAction, RateCheck, RateFlag, Regime, check_rate
from arrears.delinquency.status import DelinquencyStatus, Dpd, assess, dpd_on, status_from_run

__all__ = [
    "DEFAULT_CONFIG",
    "DEFAULT_WATERFALL",
    "Bucket",
    "BucketHistory",
    "BucketScheme",
    "BucketSpell",
    "Component",
    "DataFileError",
    "DelinquencyStatus",
    "Dpd",
    "EngineConfig",
    "InstalmentPosition",
    "LedgerError",
    "LedgerRun",
    "LprEntry",
    "LprTable",
    "PauseCalendar",
    "RateAction",
    "RateCheck",
    "RateFlag",
    "Regime",
    "RollRateMatrix",
    "assess",
    "bucket_history",
    "check_rate",
    "dpd_on",
    "history_from_run",
    "load_bucket_scheme",
    "load_lpr_table",
    "monthly_roll_rates",
    "parse_bucket_scheme",
    "parse_lpr_table",
    "replay",
    "roll_rates",
    "status_from_run",
]
