"""``archiver schedule``: systemd service and timer units, and cron lines, for recurring crawls.

Nothing is installed: the units and lines are printed, ready to save. Each
site gets its own output directory (``DIR/SITE``), hence its own run lock,
catalog and JOBDIR, so sites never wait for each other while two runs of one
site never overlap. Start minutes are spread over the hour by a hash of the
name, so that a dozen sites do not all start at :00.

Exit statuses the units treat as success: 3 (stopped cleanly, resumed by the
next run) and 75 (the previous run still holds the lock; this one skipped).
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from archiver.commands.sites import (
    add_filter_arguments,
    add_settings_argument,
    add_sites_dir_argument,
    site_filter,
)
from archiver.console.errors import UsageError
from archiver.durations import parse_duration
from archiver.run.outcome import ExitCode

ALIASES = {"hourly": "1h", "daily": "1d", "weekly": "1w"}


@dataclass(frozen=True)
class Interval:
    """A recurrence both systemd ``OnCalendar`` and cron can express exactly."""

    count: int
    unit: str  # m, h, d or w

    @classmethod
    def parse(cls, text: str) -> Interval:
        duration = parse_duration(ALIASES.get(text.strip().lower(), text))
        if duration is not None and duration.unit != "s" and duration.count.is_integer():
            interval = cls(int(duration.count), duration.unit)
            if interval.count and (
                (interval.unit == "m" and 60 % interval.count == 0)
                or (interval.unit == "h" and 24 % interval.count == 0)
                or (interval.unit in "dw" and interval.count == 1)
            ):
                return interval
        raise ValueError(
            f"--every {text!r}: use minutes dividing 60 (15m, 30m), hours dividing 24 "
            "(1h, 6h, 12h), 1d/daily or 1w/weekly"
        )

    def on_calendar(self, minute: int, hour: int) -> str:
        if self.unit == "m":
            return f"*-*-* *:{minute % self.count:02d}/{self.count}:00"
        if self.unit == "h":
            return f"*-*-* {hour % self.count:02d}/{self.count}:{minute:02d}:00"
        if self.unit == "d":
            return f"*-*-* {hour:02d}:{minute:02d}:00"
        return f"Mon *-*-* {hour:02d}:{minute:02d}:00"

    def cron(self, minute: int, hour: int) -> str:
        if self.unit == "m":
            return f"{minute % self.count}-59/{self.count} * * * *"
        if self.unit == "h":
            return f"{minute} {hour % self.count}-23/{self.count} * * *"
        if self.unit == "d":
            return f"{minute} {hour} * * *"
        return f"{minute} {hour} * * 1"


@dataclass(frozen=True)
class Job:
    name: str
    crawl_args: list[str]
    output: Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "schedule", help="print systemd timer units and cron lines for recurring crawls"
    )
    parser.add_argument("sites", nargs="*", metavar="SITE",
                        help="configured site names (default with no --url: all of them)")
    parser.add_argument("--url", action="append", default=[], dest="urls", metavar="URL",
                        help="schedule a config-less crawl of this start URL (repeatable)")
    parser.add_argument("--name", help="job name for --url crawls (default: the host)")
    parser.add_argument("--every", default="1h", metavar="INTERVAL",
                        help="15m, 30m, 1h, 6h, 12h, daily, weekly (default 1h)")
    parser.add_argument("--output", type=Path, default=Path("output"), metavar="DIR",
                        help="archive root; each job writes to DIR/NAME")
    parser.add_argument("--format", choices=["all", "systemd", "cron"], default="all")
    add_settings_argument(parser, "setting passed on to every crawl")
    add_sites_dir_argument(parser)
    add_filter_arguments(parser)
    parser.set_defaults(func=run)


def _jobs(args: argparse.Namespace) -> list[Job]:
    from archiver.sites import select_sites, site_names, sites_dir

    output = args.output.resolve()
    extra = [arg for pair in args.settings for arg in ("-s", pair)]
    if args.urls:
        if site_filter(args):
            raise ValueError("--country/--language/--region choose among site configs, "
                             "not --url crawls")
        name = args.name or urlsplit(args.urls[0]).hostname or "crawl"
        name = re.sub(r"[^A-Za-z0-9_.-]", "-", name)
        urls = [arg for url in args.urls for arg in ("--url", url)]
        return [Job(name, [*urls, "--output", str(output / name), *extra], output / name)]
    directory = sites_dir(args.sites_dir)
    names = args.sites or site_names(directory)
    if not names:
        raise ValueError(f"no site configs in {directory}: name SITEs or give --url URL")
    names = select_sites(names, directory, site_filter(args))
    sites_dir_args = ["--sites-dir", str(args.sites_dir.resolve())] if args.sites_dir else []
    jobs = []
    for site in names:
        name = re.sub(r"[^A-Za-z0-9_.-]", "-", Path(site).stem)
        jobs.append(Job(name, [site, *sites_dir_args, "--output", str(output / name), *extra],
                        output / name))
    return jobs


def archiver_command() -> list[str]:
    """The archiver running now, by absolute path: the units and cron lines run this
    same install whatever PATH systemd or cron give them (cron's is /usr/bin:/bin), and
    whichever other ``archiver`` another checkout or venv puts first on the operator's."""
    script = Path(sys.argv[0])
    if script.name == "archiver" and script.is_file():  # the console script
        return [os.path.abspath(script)]
    return [sys.executable, "-m", "archiver"]  # python -m archiver


def systemd_units(job: Job, interval: Interval, minute: int, hour: int) -> str:
    command = shlex.join([*archiver_command(), "crawl", *job.crawl_args])
    unit = f"archiver-{job.name}"
    return f"""# /etc/systemd/system/{unit}.service
[Unit]
Description=news-archiver crawl of {job.name}
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
WorkingDirectory={Path.cwd()}
ExecStart={command}
# {ExitCode.PAUSED:d}: stopped cleanly, resumed next run; {ExitCode.LOCKED:d}: previous run going
SuccessExitStatus={ExitCode.PAUSED:d} {ExitCode.LOCKED:d}
# SIGINT/SIGTERM make Scrapy stop cleanly and keep its JOBDIR for the next run
KillSignal=SIGINT
TimeoutStopSec=10min
Nice=10

# /etc/systemd/system/{unit}.timer
[Unit]
Description=Crawl {job.name} every {interval.count}{interval.unit}

[Timer]
OnCalendar={interval.on_calendar(minute, hour)}
RandomizedDelaySec=60
Persistent=true

[Install]
WantedBy=timers.target

# enable with: systemctl daemon-reload && systemctl enable --now {unit}.timer
"""


def cron_line(job: Job, interval: Interval, minute: int, hour: int) -> str:
    log = job.output / "cron.log"
    command = shlex.join([*archiver_command(), "crawl", *job.crawl_args])
    # cron mails what a job prints: print only when the run failed.
    fine = f"{ExitCode.OK:d}|{ExitCode.PAUSED:d}|{ExitCode.LOCKED:d}"
    body = (f"cd {shlex.quote(str(Path.cwd()))} && {command} >> {shlex.quote(str(log))} 2>&1;"
            f' rc=$?; case $rc in {fine}) ;; *) echo "archiver crawl'
            f' {job.name} failed (exit $rc), see {log}";; esac')
    return f"{interval.cron(minute, hour)} {body.replace('%', chr(92) + '%')}"


def run(args: argparse.Namespace) -> int:
    from archiver.sites import SiteConfigError

    try:
        interval = Interval.parse(args.every)
        jobs = _jobs(args)
    except (ValueError, SiteConfigError) as error:
        raise UsageError(str(error)) from None
    cron_lines = []
    for job in jobs:
        spread = zlib.crc32(job.name.encode())
        minute, hour = spread % 60, (spread // 60) % 24
        if args.format in ("all", "systemd"):
            print(systemd_units(job, interval, minute, hour))
        cron_lines.append(cron_line(job, interval, minute, hour))
    if args.format in ("all", "cron"):
        print("# crontab (crontab -e); output directories must exist: mkdir -p "
              + " ".join(shlex.quote(str(job.output)) for job in jobs))
        print("\n".join(cron_lines))
    return ExitCode.OK
