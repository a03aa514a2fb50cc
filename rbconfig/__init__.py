"""rbconfig: declarative web services from YAML, TOML or RedBarrel ``.rbr`` specs."""

from .errors import Problem, SpecError

__version__ = '0.1.0'

__all__ = ['Problem', 'SpecError', '__version__']
