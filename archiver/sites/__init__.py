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
from archiver.sites.selection import SiteFilter, select_sites

__all__ = [
    "ConfigProblem",
    "SiteConfig",
    "SiteConfigError",
    "SiteFilter",
    "bundled_sites_dir",
    "config_files",
    "find_site",
    "load_site",
    "load_sites",
    "select_sites",
    "site_names",
    "sites_dir",
]
