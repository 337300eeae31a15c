"""The container, checked without a Docker daemon: the Dockerfile's tree is built in a folder (its COPY lines), the
package installed the way its RUN line does (`pip install --no-deps`, here `--target`), and `livecue serve` and
`livecue demo` run from it with the image's ENV, its WORKDIR as the current folder (made read-only) and a volume
folder as LIVECUE_DATA_DIR; the HEALTHCHECK's own command must pass against each. The dependencies come from this
environment, which constraints.txt pins (checked below against pyproject.toml)."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.chaos.servers import free_port

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per Dockerfile instruction, continuation lines joined, comments dropped."""
    joined: list[str] = []
    pending = ""
    for line in (REPO / "Dockerfile").read_text().splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        pending += line.rstrip("\\").strip() + " " if line.endswith("\\") else line.strip()
        if not line.endswith("\\"):
            joined.append(pending)
            pending = ""
    return [(text.split(None, 1)[0].upper(), text.split(None, 1)[1]) for text in joined]


def image_env() -> dict[str, str]:
    """The image's ENV settings."""
    env: dict[str, str] = {}
    for instruction, args in dockerfile():
        if instruction == "ENV":
            env.update(pair.split("=", 1) for pair in shlex.split(args))
    return env


def exec_form(instruction: str) -> list[str]:
    """The JSON (exec) form of CMD or HEALTHCHECK's CMD."""
    args = next(a for i, a in dockerfile() if i == instruction)
    return list(json.loads(args[args.index("CMD") + 3:] if instruction == "HEALTHCHECK" else args))


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """(the WORKDIR tree, the folder the package was installed into), as the Dockerfile builds them."""
    root = tmp_path_factory.mktemp("image")
    workdir = root / "app"
    workdir.mkdir()
    for instruction, args in dockerfile():
        if instruction == "COPY":
            *sources, dest = shlex.split(args)
            for source in sources:
                target = workdir / dest / (Path(source).name if dest.endswith("/") or len(sources) > 1 else "")
                if (REPO / source).is_dir():
                    shutil.copytree(REPO / source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
                else:
                    shutil.copy(REPO / source, target if dest not in ("./", ".") else workdir / source)
    site = root / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
                    "--target", str(site), str(workdir)], check=True, cwd=workdir,
                   env={**os.environ, "PYTHONWARNINGS": "ignore"}, timeout=600)
    for leftover in (workdir / "build", *workdir.glob("*.egg-info")):  # the RUN line removes them too
        shutil.rmtree(leftover, ignore_errors=True)
    for folder, _, _ in os.walk(workdir):  # the image's /app belongs to root: nothing may write there
        os.chmod(folder, 0o555)
    yield workdir, site
    for folder, _, _ in os.walk(workdir):
        os.chmod(folder, 0o755)


def _run(image: tuple[Path, Path], data: Path, command: list[str], port: int) -> tuple[subprocess.Popen[str], dict]:
    workdir, site = image
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIVECUE_", "PYTHON"))}
    env.update(image_env())
    env.update({"LIVECUE_DATA_DIR": str(data), "LIVECUE_PORT": str(port),
                "PYTHONPATH": os.pathsep.join([str(site), sysconfig.get_paths()["purelib"]]),
                "LIVECUE_LOG_LEVEL": "WARNING"})
    # python -S: no site-packages of this checkout's .venv (its editable install points at the source tree); the
    # installed copy in `site` and the dependencies are all the process sees, as in the image.
    script = site / "bin" / command[0]
    proc = subprocess.Popen([sys.executable, "-S", str(script), *command[1:]], cwd=workdir, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return proc, env


def _healthy(env: dict[str, str], proc: subprocess.Popen[str], timeout: float = 120) -> None:
    check = exec_form("HEALTHCHECK")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        if subprocess.run([sys.executable, *check[1:]], env=env, capture_output=True, timeout=10).returncode == 0:
            return
        time.sleep(0.5)
    raise AssertionError("the HEALTHCHECK command never passed")


def _stop(proc: subprocess.Popen[str]) -> str:
    proc.terminate()
    try:
        out, _ = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return out


def test_the_image_serves_with_its_cmd_and_passes_its_healthcheck(image: tuple[Path, Path], tmp_path: Path) -> None:
    assert exec_form("CMD") == ["livecue", "serve"]
    assert next(a for i, a in dockerfile() if i == "USER") != "root"
    data = tmp_path / "volume"
    proc, env = _run(image, data, exec_form("CMD"), free_port())
    try:
        _healthy(env, proc)
    finally:
        _stop(proc)
    assert (data / "livecue.db").exists() and (data / "secret.key").exists()
    assert not [p for p in image[0].rglob("*") if p.name in ("livecue-data", "livecue.db")]


def test_livecue_demo_works_in_the_image_on_the_volume(image: tuple[Path, Path], tmp_path: Path) -> None:
    data = tmp_path / "volume"
    port = free_port()
    proc, env = _run(image, data, ["livecue", "demo"], port)
    try:
        _healthy(env, proc)
    finally:
        out = _stop(proc)
    assert f"http://127.0.0.1:{port}/console" in out, out
    assert f"listening on every address, port {port}" in out  # LIVECUE_HOST=0.0.0.0 from the image's ENV
    logins = json.loads((data / "demo-logins.json").read_text())
    assert logins["admin"]["password"] in out
    assert oct((data / "livecue.db").stat().st_mode & 0o777) == oct(0o600)
    assert not [p for p in image[0].rglob("*") if p.name in ("livecue-data", "livecue.db")]


def test_the_image_listens_on_every_address_as_a_container_must() -> None:
    assert image_env()["LIVECUE_HOST"] == "0.0.0.0"
    assert image_env()["LIVECUE_DATA_DIR"] == "/data"
    assert "/data" in next(a for i, a in dockerfile() if i == "VOLUME")


def test_constraints_pin_every_runtime_requirement_within_pyproject() -> None:
    pins = {}
    for line in (REPO / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version.strip()
    with (REPO / "pyproject.toml").open("rb") as handle:
        requirements = [Requirement(r) for r in tomllib.load(handle)["project"]["dependencies"]]
    for req in requirements:
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is not pinned in constraints.txt (run scripts/lock-constraints.py)"
        assert req.specifier.contains(pins[name], prereleases=True), (req, pins[name])
    ignored = (REPO / ".dockerignore").read_text().split()
    for secret_or_bulk in (".venv", "livecue-data", ".env", ".git"):
        assert secret_or_bulk in ignored
