"""The command line never shows a traceback (issue 16): a malformed SUPABASE_URL is one line and exit 2, a closed
output pipe ends quietly, and every refusal names what is wrong."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from leadstroom import cli

from tests.test_client import assert_one_line_error, double, run_command, transports  # noqa: F401  (fixtures)

LEADSTROOM = str(Path(sys.executable).with_name("leadstroom"))
MALFORMED_URLS = {
    "http://[::1": "Invalid IPv6 URL",
    "https://:80": "has no host name",
    "https://abc.supabase.co:99999": "Port out of range",
    "https://abc.supabase.co:abc": "Port could not be cast to integer",
    "ftp://abc.supabase.co": "is not an http(s) URL",
}


@pytest.mark.parametrize("url", list(MALFORMED_URLS))
def test_a_malformed_supabase_url_is_one_line(url):
    result = run_command("combos", env={"SUPABASE_URL": url, "SUPABASE_SERVICE_ROLE_KEY": "a key"})
    assert_one_line_error(result, 2, "leadstroom: invalid input: SUPABASE_URL", MALFORMED_URLS[url])
    result = run_command("--supabase-url", url, "--key", "a key", "combos")
    assert_one_line_error(result, 2, "leadstroom: invalid input: SUPABASE_URL", MALFORMED_URLS[url])


def test_a_huge_supabase_url_is_quoted_in_100_characters():
    result = run_command("combos", env={"SUPABASE_URL": "https://[" + "1" * 100_000, "SUPABASE_SERVICE_ROLE_KEY": "k"})
    assert_one_line_error(result, 2, "leadstroom: invalid input: SUPABASE_URL")
    assert len(result.stderr) < 300


def test_a_closed_output_pipe_ends_quietly(market, database_url):
    for _ in range(30):
        market.sync()
    reader_gone = subprocess.Popen(
        [LEADSTROOM, "--json", "runs", "--database-url", database_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert reader_gone.stdout is not None
    assert reader_gone.stderr is not None
    reader_gone.stdout.close()  # before the command writes a byte
    error = reader_gone.stderr.read()
    assert reader_gone.wait(timeout=60) == cli.EXIT_CLOSED_PIPE
    assert error == b""
    # and as the issue ran it
    shell = subprocess.run(
        ["bash", "-c", f"'{LEADSTROOM}' --json runs --database-url '{database_url}' | head -c 10"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (shell.returncode, shell.stdout, shell.stderr) == (0, "[\n  {\n    ", "")


@pytest.mark.parametrize("transport", ["supabase", "direct"])
@pytest.mark.parametrize(
    ("reason", "fragment"),
    [
        ("  ", "a hold needs a reason: the reason is empty or only spaces"),
        ("x" * 501, "a hold's reason is at most 500 characters, this one has 501"),
        (
            "no budget\u202e",
            "a hold's reason may not contain control or bidirectional characters (U+202E at character 10)",
        ),
    ],
    ids=["spaces", "too long", "bidi"],
)
def test_a_refused_hold_names_the_problem(market, transports, transport, reason, fragment):  # noqa: F811
    market.partner(["loodgieter"], ["zuid-holland"], leads_per_month=50)
    market.sync()
    result = run_command(*transports[transport], "hold", "loodgieter_zuid_holland", "--reason", reason)
    assert_one_line_error(result, 2, "leadstroom: invalid input: ", fragment)
    assert "invalid method" not in result.stderr
    assert market.active_codes() == ["loodgieter_zuid_holland"]


def test_an_unknown_method_is_still_an_invalid_method(market, transports):  # noqa: F811
    result = run_command(*transports["direct"], "sync", "--method", "preferences")
    assert_one_line_error(result, 2, "leadstroom: invalid method", "supported methods: capacity")


def test_an_unexpected_error_is_one_line_too(monkeypatch, capsys):
    def broken(argv):
        raise RuntimeError("something\nnobody foresaw " + "x" * 10_000)

    monkeypatch.setattr(cli, "run_cli", broken)
    assert cli.main(["combos"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("leadstroom: unexpected error: RuntimeError: something nobody foresaw")
    assert len(err) < 300


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["plan", "--date", "9" * 100_000], "leadstroom: usage: argument --date: not a date"),
        (["explain", "f" * 100_000], "leadstroom: usage: argument PARTNER: not a partner id"),
        (["runs", "--limit", "x" * 100_000], "leadstroom: usage: argument --limit: not a positive whole number"),
        (["release", "x" * 100_000], 'leadstroom: not found: no segment with code "xxxx'),
        (["explain", "x" * 100_000 + "@example.nl"], 'leadstroom: not found: no partner with e-mail address "xxx'),
    ],
    ids=["date", "partner id", "limit", "segment code", "e-mail address"],
)
def test_a_huge_argument_is_quoted_in_at_most_100_characters(market, transports, args, fragment):  # noqa: F811
    result = run_command(*transports["direct"], *args)
    assert_one_line_error(result, 2, fragment)
    assert len(result.stderr) < 300
