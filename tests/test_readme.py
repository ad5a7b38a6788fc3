"""The README stays true: its example runs, its environment table matches the settings, and
it keeps exactly two set-up commands, the second being what .ci/run executes."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from gputensor.config import VARIABLES, readme_table

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _block_after(marker: str, lang: str) -> str:
    tail = README.split(marker, 1)[1]
    match = re.search(rf"```{lang}\n(.*?)```", tail, re.S)
    assert match, f"no {lang} block after {marker}"
    return match.group(1)


def test_example_runs():
    code = _block_after("## Example", "python")
    namespace: dict = {}
    exec(compile(code, "README example", "exec"), namespace)
    assert namespace["dw"].shape == (784, 10)


def test_environment_table_matches_config():
    table = README.split("<!-- env-table -->\n", 1)[1].split("<!-- /env-table -->", 1)[0].strip()
    assert table == readme_table()
    for name in VARIABLES:
        assert f"`{name}`" in table


def test_exactly_two_setup_commands():
    commands = re.findall(r"```bash\n(.*?)```", README, re.S)
    assert len(commands) == 2
    main_cmd = _block_after("<!-- main-command -->", "bash").strip()
    test_cmd = _block_after("<!-- test-command -->", "bash").strip()
    assert "python -m gputensor info" in main_cmd and "python -m gputensor demo" in main_cmd
    assert "pytest" in test_cmd and '".[test]"' in test_cmd


def test_ci_runs_the_readme_test_command():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    extracted = subprocess.run(
        ["awk", "/<!-- test-command -->/{found=1; next} found && /^```bash/{grab=1; next} "
                "grab && /^```/{exit} grab{print}", "README.md"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert extracted == _block_after("<!-- test-command -->", "bash").strip()
    assert "<!-- test-command -->" in script
