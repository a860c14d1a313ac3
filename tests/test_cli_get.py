"""``pickterm get``: JSON on stdout, one line on stderr and exit 1 on API errors, exit 2 on bad usage."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pickterm.cli import main


def test_get_order_prints_json(capsys):
    assert main(["get", "order", "1509780516107-01", "--demo"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["orderId"] == "1509780516107-01"
    assert "rejectedItems" in data


@pytest.mark.parametrize(
    "argv, key",
    [
        (["get", "worksheets", "--order", "1509770516104-01", "--demo"], "worksheetId"),
        (["get", "shipments", "--order", "1506500515925-01", "--demo"], "serviceId"),
    ],
)
def test_get_lists(capsys, argv, key):
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert isinstance(data, list) and data and key in data[0]


def test_get_shipment_by_tracking_number_and_facility(capsys):
    assert main(["get", "shipment", "770184559302174466519320", "--external", "--demo"]) == 0
    shipment = json.loads(capsys.readouterr().out)
    assert shipment["serviceId"] == "770184559302174466519320"
    assert main(["get", "shipment", shipment["id"], "--demo"]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == shipment["id"]


def test_not_found_is_one_line_on_stderr_and_exit_1(capsys):
    assert main(["get", "worksheet", "999999999999", "--demo"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    line = captured.err.strip()
    assert "\n" not in line
    assert "Worksheet not found" in line and "WORK0001B" in line and "requestId" in line


def test_offline_is_exit_1_without_traceback():
    # Nothing listens on port 9 of loopback: connection refused, retried, then one line.
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pickterm",
            "get",
            "order",
            "1",
            "--api-url",
            "http://127.0.0.1:9",
            "--auth-url",
            "http://127.0.0.1:9",
        ],
        capture_output=True,
        text=True,
        env={"PICKTERM_API_KEY": "k", "PATH": "", "HOME": "/nonexistent"},
        timeout=60,
    )
    assert proc.returncode == 1
    assert "Network unreachable or timed out" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_plain_http_to_a_remote_host_is_refused_with_exit_2(capsys):
    assert main(["get", "order", "1", "--api-url", "http://api.pick-and-pack.com/prod/v1"]) == 2
    assert "https://" in capsys.readouterr().err


def test_bad_usage_is_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["get", "nonsense"])
    assert info.value.code == 2


@pytest.mark.parametrize(
    "argv",
    [
        ["--demo", "get", "order", "1509780516107-01"],
        ["get", "order", "1509780516107-01", "--demo"],
        ["get", "--demo", "order", "1509780516107-01"],
    ],
)
def test_connection_options_work_before_and_after_the_subcommand(capsys, argv):
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["orderId"] == "1509780516107-01"


def test_a_shipment_not_found_by_internal_id_says_that_external_finds_it(capsys):
    assert main(["get", "shipment", "CO7731904460", "--demo"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().split("\n")
    assert "not found" in lines[0] and "TRP0005E" in lines[0]
    assert lines[1] == "pickterm: It is a tracking number: pickterm get shipment CO7731904460 --external"


def test_a_shipment_found_neither_way_says_so(capsys):
    assert main(["get", "shipment", "NOSUCH000000", "--demo"]) == 1
    err = capsys.readouterr().err
    assert "not found" in err
    assert "--external does not find NOSUCH000000" in err
