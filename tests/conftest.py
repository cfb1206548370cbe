"""Shared by every test: hypothesis profiles, `--slow`, and the session fixtures more than one folder uses.

Shared code lives in tests/helpers/ (imported as `helpers.*`: pyproject's pythonpath puts tests/ on sys.path);
no test module imports another.
"""
import pytest
from hypothesis import HealthCheck, settings

pytest.register_assert_rewrite("helpers")   # before the first import of a helper: their asserts explain themselves

from helpers.books import copy_sample  # noqa: E402
from helpers.epub import EPOCH, load  # noqa: E402
from helpers.outputs import Built, build_book  # noqa: E402

# Hypothesis profiles.  "ci" (the default) is reproducible (derandomize) and keeps
# the fuzz tests to a bounded number of examples; `pytest --slow` selects "slow",
# which runs many more (tests/corpus/test_fuzz.py scales its counts by the profile name).
# No example database is kept: CI must not depend on what a local run found.
_COMMON = dict(deadline=None, database=None,  # noqa: C408 (keyword style reads like settings())
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                      HealthCheck.large_base_example])
settings.register_profile("ci", derandomize=True, **_COMMON)
settings.register_profile("slow", max_examples=1000, **_COMMON)


def pytest_addoption(parser):
    parser.addoption("--slow", action="store_true", default=False,
                     help="hypothesis profile 'slow': many more fuzz examples")


def pytest_configure(config):
    settings.load_profile("slow" if config.getoption("--slow") else "ci")


@pytest.fixture(scope="session")
def epoch():
    """SOURCE_DATE_EPOCH of the EPUB builds (set for the rest of the session once asked for)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
    yield EPOCH
    mp.undo()


@pytest.fixture(scope="session")
def printed(tmp_path_factory, epoch) -> Built:
    """The sample book: only the epub edition asked for (page_source = "print"), as `bookbuild build --edition epub`
    builds it (with the print edition it takes its page numbers from). Used by the page-list and 索引 tests."""
    root = copy_sample(tmp_path_factory.mktemp("pages") / "book")
    built = build_book(root, ["epub"])
    assert built.code == 0, built.stdout
    built.book = load(root)
    return built
