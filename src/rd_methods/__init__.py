"""rd_methods: methods to evaluate the social impact of a territorial R&D cooperative.

The package holds the reusable, tested method code that the notebooks in ``notebooks/``
apply to each evaluation campaign (see the README and docs/architecture.md).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("rd_methods")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
