"""Nothing leaks: credentials stay out of request records, names stay inside the output
directory, configs cannot run code, nothing untrusted is unpickled."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.settings import Settings

from archiver.addon import Archiver
from archiver.capture import records
from archiver.pathsafety import UnsafeName, file_name_part
from archiver.sites import SiteConfigError
from archiver.sites.loader import load_site
from tests.crawling import run_archiver

ROOT = Path(__file__).resolve().parents[2]
CREDENTIALS = {"Cookie": "session=s3cret", "Authorization": "Bearer s3cret",
               "Proxy-Authorization": "Basic czNjcmV0"}


@pytest.mark.parametrize("keep", [False, True])
def test_credential_headers_stay_out_of_request_records_unless_kept(keep: bool):
    request = Request("http://127.0.0.1/private", headers={**CREDENTIALS, "Accept": "*/*"})
    record = records.request_record(request, request.url, records.new_record_id(),
                                    records.new_record_id(), records.warc_date(), keep)
    names = {name.lower() for name, _ in record.http_headers.headers}
    assert "accept" in names
    for name in CREDENTIALS:
        assert (name.lower() in names) is keep
    assert (b"s3cret" in record.http_headers.to_bytes()) is keep


@pytest.mark.parametrize("crawl_id", ["../escaped", "a/b", ""])
def test_a_crawl_id_that_would_leave_the_output_directory_is_refused(tmp_path, crawl_id):
    output = tmp_path / "out"
    run = run_archiver("crawl", "--url", "http://127.0.0.1:9/", "--output", str(output),
                       "--crawl-id", crawl_id) if crawl_id else run_archiver(
        "crawl", "--url", "http://127.0.0.1:9/", "--output", str(output),
        "-s", "ARCHIVER_WARC_PREFIX=../../escaped")
    assert run.returncode == 2, run.stderr[-2000:]
    assert "names files in the output directory" in run.stderr
    assert "Traceback" not in run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [], "nothing written anywhere"


@pytest.mark.parametrize("name", ["..", ".hidden", "x\x00y", "a\\b", "x" * 200, "-s", "a b"])
def test_names_that_are_not_plain_file_name_parts_are_refused(name: str):
    with pytest.raises(UnsafeName):
        file_name_part(name, "crawl id")


def test_the_addon_refuses_unsafe_names_from_any_settings_source():
    for name in ("ARCHIVER_CRAWL_ID", "ARCHIVER_WARC_PREFIX"):
        settings = Settings({"ARCHIVER_CRAWL_ID": "ok-1", name: "../../etc/cron.d/x"})
        with pytest.raises(UnsafeName, match=name):
            Archiver().update_settings(settings)
    Archiver().update_settings(Settings({"ARCHIVER_CRAWL_ID": "crawl-20261201.daily_2"}))


def test_a_site_config_cannot_run_code(tmp_path: Path):
    marker = tmp_path / "ran"
    config = tmp_path / "evil.yaml"
    config.write_text(f"!!python/object/apply:os.system ['touch {marker}']\n")
    with pytest.raises(SiteConfigError, match="not valid YAML"):
        load_site(config)
    assert not marker.exists()


def test_no_module_unpickles_or_loads_yaml_unsafely():
    """Scrapy's JOBDIR queues are the one pickle store: written and read by the operator's
    own runs in the output directory. Our code neither pickles nor loads YAML unsafely."""
    unsafe = re.compile(r"pickle\.loads?\(|yaml\.(unsafe_)?load\((?!source, Loader=SAFE_LOADER\))"
                        r"|yaml\.full_load|marshal\.")
    offenders = [f"{path}:{n}" for folder in ("archiver", "spiders")
                 for path in sorted((ROOT / folder).rglob("*.py"))
                 for n, line in enumerate(path.read_text().splitlines(), 1)
                 if unsafe.search(line)]
    assert offenders == []


def test_the_one_yaml_load_builds_plain_data_only(tmp_path: Path):
    """archiver.yamlfiles' ``yaml.load`` (libyaml's parser when there) constructs as
    ``yaml.safe_load`` does: a Python tag is refused, nothing runs."""
    import yaml

    from archiver.yamlfiles import SAFE_LOADER, load_yaml

    assert issubclass(SAFE_LOADER, yaml.constructor.SafeConstructor)
    assert not issubclass(SAFE_LOADER, yaml.constructor.FullConstructor)
    marker = tmp_path / "ran"
    with pytest.raises(yaml.constructor.ConstructorError):
        load_yaml(f"!!python/object/apply:os.system ['touch {marker}']\n")
    assert not marker.exists()
    assert load_yaml("a: [1, 2.5, x]\n") == {"a": [1, 2.5, "x"]}
