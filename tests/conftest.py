import sys
from pathlib import Path

from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).parent))

# Hypothesis profiles.  "ci" (the default) is reproducible (derandomize) and keeps
# the fuzz tests to a bounded number of examples; `pytest --slow` selects "slow",
# which runs many more (tests/test_fuzz.py scales its counts by the profile name).
# No example database is kept: CI must not depend on what a local run found.
_COMMON = dict(deadline=None, database=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                      HealthCheck.large_base_example])
settings.register_profile("ci", derandomize=True, **_COMMON)
settings.register_profile("slow", max_examples=1000, **_COMMON)


def pytest_addoption(parser):
    parser.addoption("--slow", action="store_true", default=False,
                     help="hypothesis profile 'slow': many more fuzz examples")


def pytest_configure(config):
    settings.load_profile("slow" if config.getoption("--slow") else "ci")
