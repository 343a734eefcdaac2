"""docker-compose.yml (docs/operations.md): parsed and checked against what crmscan needs."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from click.testing import CliRunner

from scanner.cli import cli
from scanner.workers.settings import WorkerSettings

ROOT = Path(__file__).resolve().parents[3]


def _compose() -> dict:
    data = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_compose_runs_redis_postgres_workers_and_one_beat() -> None:
    services = _compose()["services"]
    assert {"redis", "postgres", "worker", "beat"} <= set(services)
    worker, beat = services["worker"], services["beat"]
    assert worker["command"][0] == "worker" and worker["deploy"]["replicas"] >= 2
    assert beat["command"][:3] == ["schedule", "--config", "/etc/crmscan/targets.yaml"]
    assert beat["deploy"]["replicas"] == 1  # two beats would queue every schedule twice
    for name in ("worker", "beat"):
        service = services[name]
        env = service["environment"]
        assert env["CRMSCAN_BROKER_URL"] == "redis://redis:6379/0"
        assert (
            env["CRMSCAN_STORE"].startswith("postgresql://")
            and "@postgres:5432/" in env["CRMSCAN_STORE"]
        )
        assert set(service["depends_on"]) == {"redis", "postgres"}
        assert all(d["condition"] == "service_healthy" for d in service["depends_on"].values())
        assert any(v.endswith(":/etc/crmscan/targets.yaml:ro") for v in service["volumes"])
        # The settings parse as the workers will read them.
        settings = WorkerSettings.from_env({k: str(v) for k, v in env.items()})
        assert settings.visibility_timeout > settings.time_limit
    postgres = services["postgres"]["environment"]
    assert postgres["POSTGRES_DB"] in services["worker"]["environment"]["CRMSCAN_STORE"]
    assert services["redis"]["healthcheck"] and services["postgres"]["healthcheck"]


def test_compose_keeps_secrets_in_files_and_the_cli_commands_exist() -> None:
    compose = _compose()
    text = (ROOT / "docker-compose.yml").read_text()
    # No credential values: secrets are files mounted by Docker.
    assert not re.search(r"(pat-na1-|00D[A-Za-z0-9]{12}|Bearer |xox[bp]-|hooks\.slack\.com)", text)
    assert set(compose["secrets"]) >= {"webhook_url"}
    assert all(s["file"].startswith("./secrets/") for s in compose["secrets"].values())
    assert (
        compose["services"]["worker"]["environment"]["CRMSCAN_WEBHOOK_URL_FILE"]
        == "/run/secrets/webhook_url"
    )
    runner = CliRunner()
    for service in ("worker", "beat", "enqueue"):
        command = compose["services"][service]["command"]
        result = runner.invoke(cli, [command[0], "--help"])
        assert result.exit_code == 0, result.output
        for option in (a for a in command if a.startswith("--")):
            assert option in result.output, (service, option)
