"""roadmap: a region's digital-transformation strategy run as a staged roadmap.

The package is the domain and storage layer; it never imports Prefect.
"""

__version__ = "0.1.0"
