from __future__ import annotations

import pytest

from arrears.delinquency import BucketScheme, LprTable, load_bucket_scheme, load_lpr_table


@pytest.fixture(scope="session")
def scheme() -> BucketScheme:
    return load_bucket_scheme()


@pytest.fixture(scope="session")
def lpr() -> LprTable:
    return load_lpr_table()
