"""``rbconfig validate``: exit codes, the three output formats, folder walks, cold start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rbconfig.cli import main
from rbconfig.commands.validate import Report, _github, _human
from rbconfig.errors import Problem

ROOT = Path(__file__).resolve().parents[2]
GOOD = 'rbconfig: 1\npaths:\n  hello:\n    url: /hello\n    use: python:m.hello\n'
BAD = 'rbconfig: 1\npaths:\n  hello:\n    url: /hello\n    methd: GET\n    use: m.hello\n'


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    """A folder with one good and one bad spec, other YAML, and things to skip."""
    (tmp_path / 'good.yaml').write_text(GOOD)
    (tmp_path / 'm.py').write_text('def hello():\n    return "hi"\n')  # GOOD's handler
    (tmp_path / 'sub').mkdir()
    (tmp_path / 'sub' / 'bad.yml').write_text(BAD)
    (tmp_path / 'sub' / 'good.toml').write_text('rbconfig = 1\n[paths.a]\nurl = "/a"\n')
    (tmp_path / 'ci.yaml').write_text('name: CI\njobs: {}\n')
    (tmp_path / 'pyproject.toml').write_text('[project]\nname = "x"\n')
    (tmp_path / '.hidden').mkdir()
    (tmp_path / '.hidden' / 'bad.yaml').write_text(BAD)
    (tmp_path / 'notes.txt').write_text('not a spec')
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(['validate', *argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_valid_file_exits_0(specs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, str(specs / 'good.yaml')) == (0, '1 spec file checked, all valid\n', '')


def test_invalid_folder_exits_1_with_every_problem(
    specs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, str(specs))
    bad = specs / 'sub' / 'bad.yml'
    assert status == 1
    assert err == ''
    assert out.splitlines() == [
        f"{bad}:5:5: paths.hello.methd: unknown key 'methd' (did you mean 'method'?)",
        f"{bad}:6:5: paths.hello.use: expected a location 'python:module.attr', 'file:PATH', "
        "'directory:PATH' or 'proxy:http(s)://host:port', got 'm.hello' "
        "(did you mean 'python:m.hello'?)",
        '3 spec files checked, 1 invalid (2 errors); 2 other YAML/TOML files skipped',
    ]


def test_a_named_file_is_always_checked(specs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, str(specs / 'ci.yaml'))
    assert status == 1
    assert "ci.yaml:1:1: name: unknown key 'name'; expected one of:" in out
    assert out.endswith('1 spec file checked, 1 invalid (3 errors)\n')


def test_missing_path_is_a_usage_error(specs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, str(specs / 'good.yaml'), str(specs / 'nope.yaml'))
    assert (status, out) == (2, '')
    assert err == f'rbconfig validate: error: no such file or folder: {specs / "nope.yaml"}\n'


def test_folder_without_specs_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(capsys, str(tmp_path))
    assert status == 2
    assert 'no spec files (.yaml, .yml, .toml, .rbr) found' in err


def test_bad_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(['validate', '--format', 'xml', 'x.yaml'])
    assert caught.value.code == 2
    assert "invalid choice: 'xml'" in capsys.readouterr().err


def test_json_format(specs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, '--format', 'json', str(specs / 'sub'))
    report = json.loads(out)
    assert status == 1
    assert report['valid'] is False
    assert report['files'] == [
        {'file': str(specs / 'sub' / 'bad.yml'), 'valid': False},
        {'file': str(specs / 'sub' / 'good.toml'), 'valid': True},
    ]
    assert report['problems'][0] == {
        'file': str(specs / 'sub' / 'bad.yml'),
        'line': 5,
        'column': 5,
        'where': 'paths.hello.methd',
        'message': "unknown key 'methd' (did you mean 'method'?)",
        'severity': 'error',
    }
    assert report['summary'] == '2 spec files checked, 1 invalid (2 errors)'


def test_github_format(specs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, '--format', 'github', str(specs / 'sub' / 'bad.yml'))
    lines = out.splitlines()
    assert status == 1
    assert lines[0] == (
        f'::error file={specs / "sub" / "bad.yml"},line=5,col=5,title=paths.hello.methd'
        "::unknown key 'methd' (did you mean 'method'?)"
    )
    assert lines[1].startswith('::error ')
    assert lines[2] == '1 spec file checked, 1 invalid (2 errors)'


def test_github_escapes_and_warnings() -> None:
    from io import StringIO

    report = Report(
        files=['a,b.yaml'],
        problems=[Problem('a,b.yaml', 3, None, 'x.y', '50% done\nnext', 'warning')],
    )
    out = StringIO()
    _github(report, out)
    assert out.getvalue().splitlines()[0] == (
        '::warning file=a%2Cb.yaml,line=3,title=x.y::50%25 done%0Anext'
    )


def test_human_colours_and_warnings() -> None:
    from io import StringIO

    report = Report(
        files=['a.yaml'],
        problems=[
            Problem('a.yaml', 1, 2, 'meta', 'old style', 'warning'),
            Problem('a.yaml', 3, 4, 'paths', 'bad'),
        ],
        invalid={'a.yaml'},
    )
    plain, coloured = StringIO(), StringIO()
    _human(report, plain, color=False)
    _human(report, coloured, color=True)
    assert plain.getvalue().splitlines() == [
        'a.yaml:1:2: warning: meta: old style',
        'a.yaml:3:4: paths: bad',
        '1 spec file checked, 1 invalid (1 error, 1 warning)',
    ]
    assert coloured.getvalue().splitlines()[1] == (
        '\033[1ma.yaml:3:4:\033[0m \033[31mpaths:\033[0m bad'
    )


def test_color_always_and_never(specs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, '--color', 'always', str(specs / 'sub' / 'bad.yml'))
    assert '\033[31m' in out
    _, out, _ = run(capsys, '--color', 'never', str(specs / 'sub' / 'bad.yml'))
    assert '\033[' not in out


def _cli(*argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, '-m', 'rbconfig.cli', *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **env},
        timeout=60,
    )


def test_process_exit_codes(specs: Path) -> None:
    assert _cli('validate', str(specs / 'good.yaml')).returncode == 0
    assert _cli('validate', str(specs)).returncode == 1
    assert _cli('validate', str(specs / 'missing')).returncode == 2
    assert _cli('validate').returncode == 2


def test_example_apps_and_rbr_files_validate() -> None:
    result = _cli('validate', 'apps')
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip().endswith('all valid')
    result = _cli('validate', '--format', 'json', 'apps')
    files = [entry['file'] for entry in json.loads(result.stdout)['files']]
    assert any(name.endswith('.rbr') for name in files)
    assert any(name.endswith('.toml') for name in files)


def test_validate_never_imports_the_runtime(specs: Path) -> None:
    code = (
        'import sys\n'
        'from rbconfig.cli import main\n'
        f'status = main(["validate", {str(specs)!r}, {str(ROOT / "apps")!r}])\n'
        'heavy = sorted({m.split(".")[0] for m in sys.modules} & {"falcon", "gevent", "socketio",'
        ' "engineio", "webob", "redis", "rbconfig.runtime"})\n'
        'runtime = [m for m in sys.modules if m.startswith("rbconfig.runtime")]\n'
        'print(status, heavy, runtime)\n'
    )
    result = subprocess.run(
        [sys.executable, '-c', code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.stdout.splitlines()[-1] == '1 [] []'


def test_only_specs_skips_named_files_that_are_not_specs(
    specs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(
        capsys,
        '--only-specs',
        str(specs / 'ci.yaml'),
        str(specs / 'pyproject.toml'),
        str(specs / 'good.yaml'),
    )
    assert (status, out) == (0, '1 spec file checked, all valid; 2 other YAML/TOML files skipped\n')
    status, out, _ = run(capsys, '--only-specs', str(specs / 'ci.yaml'))
    assert (status, out) == (0, '0 spec files checked, all valid; 1 other YAML/TOML file skipped\n')


def test_pre_commit_hook_definition() -> None:
    import re

    import yaml

    hooks = yaml.safe_load((ROOT / '.pre-commit-hooks.yaml').read_text())
    hook = next(hook for hook in hooks if hook['id'] == 'rbconfig-validate')
    assert hook['language'] == 'python'
    assert hook['entry'] == 'rbconfig validate --only-specs'
    for name in ('apps/a.yaml', 'b.yml', 'c.toml', 'legacy.rbr'):
        assert re.search(hook['files'], name)
    assert not re.search(hook['files'], 'notes.md')


# Each is a spec with an error (meta.bogus): a folder walk and --only-specs must check it.
HIDDEN_SPECS = {
    'bom.yaml': '\ufeffrbconfig: 1\nmeta:\n  bogus: 1\n',
    'UP.RBR': 'meta (\n    bogus "x"\n);\n',
    'double.yaml': '"rbconfig": 1\nmeta:\n  bogus: 1\n',
    'single.yml': "'paths': {}\nmeta:\n  bogus: 1\n",
    'flow.yaml': '{rbconfig: 1, meta: {bogus: 1}}\n',
    'flow-late.yaml': '# a comment\n---\n{meta: {bogus: 1},\n "rbconfig": 1}\n',
    'anchored.yaml': 'meta: &m\n  bogus: 1\n!!str rbconfig: 1\n',
    'bom.toml': '\ufeffrbconfig = 1\n[meta]\nbogus = 1\n',
    'quoted.toml': "'rbconfig' = 1\n[meta]\nbogus = 1\n",
    'dquoted.toml': '"paths" = {}\n[meta]\nbogus = 1\n',
    'late.toml': 'x-list = [\n  [1],\n]\nrbconfig = 1\n[meta]\nbogus = 1\n',
}

# Not specs: a folder walk and --only-specs leave them alone (even mentioning paths).
NOT_SPECS = {
    'pyproject.toml': '[project]\nname = "x"\n[tool.pytest.ini_options]\ntestpaths = ["t"]\n'
    '[tool.other]\npaths = ["a"]\nrbconfig = 1\n',
    'docker-compose.yml': 'services:\n  web:\n    image: nginx\n',
    'ci.yml': 'on:\n  push:\n    paths:\n      - "src/**"\njobs: {}\n',
    'flow-ci.yml': '{"on": {"push": {"paths": ["src/**"]}}, "jobs": {}}\n',
    'list.yaml': '- rbconfig: 1\n- paths: {}\n',
    'helm.yaml': '{{- if .Values.x }}\nspec:\n  paths:\n    - /\n',
}


@pytest.mark.parametrize('name', sorted(HIDDEN_SPECS))
def test_every_spec_spelling_is_found_in_folders_and_by_only_specs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    spec = tmp_path / name
    spec.write_text(HIDDEN_SPECS[name], encoding='utf-8')
    for args in ([str(tmp_path)], ['--only-specs', str(spec)]):
        status, out, err = run(capsys, *args)
        assert (status, err) == (1, ''), out
        assert out.startswith(f'{spec}:'), out
        assert out.splitlines()[-1].startswith('1 spec file checked, 1 invalid ('), out
        assert 'meta.bogus: unknown' in out


def test_files_that_are_not_specs_are_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, text in NOT_SPECS.items():
        (tmp_path / name).write_text(text, encoding='utf-8')
    (tmp_path / 'good.yaml').write_text(GOOD.replace('python:m.hello', 'file:good.yaml'))
    status, out, _ = run(capsys, str(tmp_path))
    assert (status, out) == (0, '1 spec file checked, all valid; 6 other YAML/TOML files skipped\n')
    status, out, _ = run(capsys, '--only-specs', *(str(tmp_path / name) for name in NOT_SPECS))
    assert (status, out) == (
        0,
        '0 spec files checked, all valid; 6 other YAML/TOML files skipped\n',
    )
