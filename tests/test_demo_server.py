"""The loopback site the demo, the tests and the benchmarks serve: a client that
hangs up mid-answer prints nothing (wget stopped at its time box did, a 20-line
traceback each time, into the benchmarks' console); any other fault still does."""

from __future__ import annotations

import pytest

from archiver.demo.server import _SiteServer

CLIENT = ("127.0.0.1", 40104)


@pytest.mark.parametrize("hang_up", [BrokenPipeError, ConnectionResetError,
                                     ConnectionAbortedError])
def test_a_client_hanging_up_prints_nothing(hang_up: type[OSError],
                                            capsys: pytest.CaptureFixture[str]) -> None:
    server = _SiteServer({})
    try:
        try:
            raise hang_up(32, "the client went away")
        except OSError:
            server.handle_error(None, CLIENT)
    finally:
        server.server_close()
    assert capsys.readouterr().err == ""


def test_any_other_fault_is_still_printed(capsys: pytest.CaptureFixture[str]) -> None:
    server = _SiteServer({})
    try:
        try:
            raise ValueError("a bug in a route")
        except ValueError:
            server.handle_error(None, CLIENT)
    finally:
        server.server_close()
    err = capsys.readouterr().err
    assert "Traceback" in err and "ValueError: a bug in a route" in err
