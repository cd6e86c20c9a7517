"""The package's version: always the version of the npm package @srcode/token-reward it ships beside."""

__version__ = "0.1.0"
