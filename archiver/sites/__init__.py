"""Site configs: one validated YAML file per news site (see ``spiders/sites/``)."""

from archiver.sites.config import SiteConfig
from archiver.sites.loader import (
    ConfigProblem,
    SiteConfigError,
    bundled_sites_dir,
    config_files,
    find_site,
    load_site,
    load_sites,
    site_names,
    sites_dir,
)

__all__ = [
    "ConfigProblem",
    "SiteConfig",
    "SiteConfigError",
    "bundled_sites_dir",
    "config_files",
    "find_site",
    "load_site",
    "load_sites",
    "site_names",
    "sites_dir",
]
