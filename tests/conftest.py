"""Shared test settings: hypothesis profiles and the optional reference tools.

PyTorch is optional on a learner's machine: the comparisons with it skip, with
a reason, when it is missing. CI sets ``CONVLAB_REQUIRE_TORCH=1`` so a missing
PyTorch fails instead of skipping.
"""

import os

import matplotlib
import pytest
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")

# At least 200 examples per property everywhere (CI included); no deadline,
# because a shared 2-core machine makes timings noisy.
settings.register_profile(
    "convlab",
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    derandomize=False,
    print_blob=True,
)
settings.register_profile("quick", parent=settings.get_profile("convlab"), max_examples=25)
# CI (.ci/run): the same 200 examples per property, drawn from a seed fixed per test, so
# a run of CI is reproducible and a change is judged on the examples its parent passed.
# Everywhere else each run draws new examples (a failure prints its reproduction blob).
settings.register_profile("ci", parent=settings.get_profile("convlab"), derandomize=True)
settings.register_profile("ci-quick", parent=settings.get_profile("quick"), derandomize=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "convlab"))


def _optional(module_name, flag, how):
    try:
        return __import__(module_name)
    except ImportError:
        if os.environ.get(flag):
            pytest.fail(f"{module_name} is required here ({flag} is set) but is not installed")
        pytest.skip(f"{module_name} is not installed: {how} (CI sets {flag}=1 and runs these)")


@pytest.fixture(scope="session")
def torch():
    """The torch module, or a skip (a failure when CONVLAB_REQUIRE_TORCH is set)."""
    module = _optional("torch", "CONVLAB_REQUIRE_TORCH", "pip install torch==2.13.0 to enable")
    module.set_num_threads(1)
    return module


@pytest.fixture
def check_defaults():
    """Start and end a test with convlab.check at its defaults: no seed, full hints.

    The exercise test files use it for every test (``pytestmark``), since a test that
    picks a seed or a feedback level must not leave it to the next.
    """
    from convlab import check

    check.use_seed(None)
    check.feedback_level("hints")
    yield
    check.use_seed(None)
    check.feedback_level("hints")
