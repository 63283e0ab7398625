"""hcctrials: an open-source workbench for hepatocellular-carcinoma clinical trials.

The clinical core (``model``, ``scores``, ``criteria``, ``response``, ``endpoints``) is pure
Python with no I/O; adapters (``sources``, ``storage``, ``cli``, ``web``, ``reports``) sit
around it.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
