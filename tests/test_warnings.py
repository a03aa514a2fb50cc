"""pytest's warning filter (pyproject.toml): deprecations fail the tests, except the
third-party ones listed there with their reason."""

from __future__ import annotations

import warnings

import pytest


def deprecation(message: str, module: str, category: type[Warning] = DeprecationWarning) -> None:
    """Warn as if the code of ``module`` had raised ``message``."""
    filename = module.replace('.', '/') + '.py'
    warnings.warn_explicit(message, category, filename, 1, module=module)


@pytest.mark.parametrize('category', [DeprecationWarning, PendingDeprecationWarning])
@pytest.mark.parametrize('module', ['rbconfig.runtime.app', 'rbconfig', 'tests.test_warnings'])
def test_our_deprecations_are_errors(module: str, category: type[Warning]) -> None:
    with pytest.raises(category, match='old API'):
        deprecation('old API', module, category)


def test_an_unlisted_third_party_deprecation_is_an_error() -> None:
    with pytest.raises(DeprecationWarning):
        deprecation('this will go away', 'webob.request')


def test_webobs_cgi_import_is_listed() -> None:
    with warnings.catch_warnings(record=True) as seen:
        # Recorded only if it gets through the configured filters.
        deprecation("'cgi' is deprecated and slated for removal in Python 3.13", 'webob.compat')
    assert seen == []
