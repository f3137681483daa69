"""Tests of the installed keyward wheel: the `keyward` module's API and the
`keyward` command it ships. Run by tests/python-wheel.sh in a fresh venv where
the wheel (not this checkout's python/ directory) is installed.

No secret value, and no 4-character fragment of one, may appear in a result,
an exception message or a traceback.
"""

import contextlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import keyward

REPO = Path(__file__).resolve().parents[2]

SCHEMA = textwrap.dedent(
    """\
    [settings]
    app = "billing"
    environments = ["dev", "staging", "prod"]
    production = ["prod"]

    [secrets.DB_PASSWORD]
    kind = "password"
    min_length = 16
    owner = "platform-team"

    [secrets.SESSION_SECRET]
    kind = "hmac-key"
    min_bits = 256

    [secrets.DATABASE_URL]
    kind = "url"
    require_password = true
    schemes = ["postgresql"]
    """
)

# Invalid values, each distinctive enough that a 4-character fragment of it
# in a message could only come from the value.
BAD = {
    "APP_ENV": "staging",
    "DB_PASSWORD": "letmein",
    "SESSION_SECRET": "qvKjzWbh",
    # DATABASE_URL missing
}


def fragments(value, n=4):
    return {value[i : i + n] for i in range(len(value) - n + 1)}


def assert_no_value(text, values):
    for v in values:
        assert v not in text
        for f in fragments(v):
            assert f not in text, f"fragment {f!r} of a value leaked"


# the command pip installed with the wheel, next to this interpreter
KEYWARD = str(Path(sys.executable).parent / ("keyward.exe" if os.name == "nt" else "keyward"))


def cli(*args, **kw):
    return subprocess.run(
        [KEYWARD, *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def new_secret(kind, *extra):
    out = cli("secret", "new", "--kind", kind, *extra)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


@pytest.fixture
def schema(tmp_path):
    p = tmp_path / "secrets.schema.toml"
    p.write_text(SCHEMA)
    return p


@pytest.fixture
def good():
    password = new_secret("password", "--length", "24")
    return {
        "APP_ENV": "staging",
        "DB_PASSWORD": password,
        "SESSION_SECRET": new_secret("hmac-key", "--bits", "256"),
        "DATABASE_URL": f"postgresql://billing:{password}@staging-db.internal:5432/billing",
    }


def write_env(path, values):
    # single quotes: no ${} expansion (the generated values are [A-Za-z0-9_-])
    path.write_text("".join(f"{k}='{v}'\n" for k, v in values.items()))
    return path


# --- the package ----------------------------------------------------------


def test_imports_the_installed_wheel_not_the_checkout():
    # the module comes from site-packages, where pip put the wheel
    assert "site-packages" in Path(keyward.__file__).parts
    assert REPO / "python" not in Path(keyward.__file__).parents
    assert keyward.__version__ != "0+unknown"


def test_binary_is_the_one_pip_installed_next_to_this_python():
    exe = Path(keyward.binary())
    assert exe.parent == Path(sys.executable).parent
    assert os.access(exe, os.X_OK)


# --- validate(): valid and invalid ------------------------------------------


def test_valid_environment_gives_a_valid_result(schema, good):
    r = keyward.validate(schema=schema, environ=good)
    assert r.valid and bool(r)
    assert r.errors == []
    assert r.checked == 3 and r.present == 3
    assert r.environment.name == "staging" and r.environment.production is False
    assert r.sources == ("environment",)
    assert r.runtime in ("local", "kubernetes")
    # the result never carries a value (the URL's secret part is the password)
    assert_no_value(repr(r), [good["DB_PASSWORD"], good["SESSION_SECRET"]])


def test_valid_env_file(schema, good, tmp_path):
    env = write_env(tmp_path / "app.env", good)
    r = keyward.validate(schema=schema, env_file=env)
    assert r.valid, r.summary()
    assert r.sources == (str(env),)
    # require() returns the same result when valid
    assert keyward.require(schema=schema, env_file=env).valid


def test_several_env_files_earlier_wins(schema, good, tmp_path):
    ok = write_env(tmp_path / "ok.env", good)
    bad = write_env(tmp_path / "bad.env", BAD)
    assert keyward.validate(schema=schema, env_file=[ok, bad]).valid
    r = keyward.validate(schema=schema, env_file=[str(bad), str(ok)])
    assert not r.valid
    assert r.sources == (str(bad), str(ok))
    # DATABASE_URL, absent from bad.env, comes from ok.env
    assert "DATABASE_URL" not in {i.secret for i in r.errors}


def test_weak_and_missing_secrets_are_issues_with_names_and_problems(schema):
    r = keyward.validate(schema=schema, environ=BAD)
    assert not r.valid and not bool(r)
    problems = {(i.secret, i.problem) for i in r.errors}
    assert ("DATABASE_URL", "missing") in problems
    assert ("DB_PASSWORD", "too_short") in problems
    assert ("DB_PASSWORD", "common_password") in problems
    assert ("SESSION_SECRET", "too_short") in problems
    assert all(i.severity == "error" for i in r.errors)
    owner = {i.owner for i in r.issues if i.secret == "DB_PASSWORD"}
    assert owner == {"platform-team"}
    assert_no_value(repr(r), [v for k, v in BAD.items() if k != "APP_ENV"])


def test_raised_error_lists_names_and_problems_never_values(schema):
    with pytest.raises(keyward.ValidationError) as info:
        keyward.require(schema=schema, environ=BAD)
    err = info.value
    msg = str(err)
    assert msg.startswith("secrets configuration is invalid (")
    for name in ("DATABASE_URL", "DB_PASSWORD", "SESSION_SECRET"):
        assert name in msg
    for problem in ("[missing]", "[too_short]", "[common_password]"):
        assert problem in msg
    assert err.result.valid is False
    values = [v for k, v in BAD.items() if k != "APP_ENV"]
    assert_no_value(msg, values)
    # nor in the traceback a log would show
    import traceback

    assert_no_value("".join(traceback.format_exception(type(err), err, err.__traceback__)), values)
    # raise_on_error=True is the same
    with pytest.raises(keyward.ValidationError):
        keyward.validate(schema=schema, environ=BAD, raise_on_error=True)


def test_production_value_in_staging_is_an_isolation_error(tmp_path, good):
    schema = tmp_path / "s.toml"
    schema.write_text(SCHEMA + "prod_pattern = '@prod-db\\.'\n")
    env = dict(good, DATABASE_URL=good["DATABASE_URL"].replace("staging-db", "prod-db"))
    r = keyward.validate(schema=schema, environ=env)
    assert ("DATABASE_URL", "isolation") in {(i.secret, i.problem) for i in r.errors}
    # --environment wins over APP_ENV
    r = keyward.validate(schema=schema, environ=env, environment="prod")
    assert r.environment.name == "prod" and r.environment.production


def test_default_source_is_the_environment_plus_dot_env(schema, good, tmp_path):
    # no source option: what keyward does at start-up by default (./.env
    # outside Kubernetes); cwd= is where the application runs
    write_env(tmp_path / ".env", good)
    env = {k: v for k, v in os.environ.items() if k not in good}
    env.pop("KUBERNETES_SERVICE_HOST", None)
    with _patched_environ(env):
        r = keyward.validate(schema=schema, cwd=tmp_path)
    if os.path.exists("/var/run/secrets/kubernetes.io/serviceaccount/token"):
        # in a pod keyward reads no .env by default
        assert not any(".env" in s for s in r.sources) and not r.valid
    else:
        assert r.valid, r.summary()
        assert any(".env" in s for s in r.sources)


@contextlib.contextmanager
def _patched_environ(env):
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


# --- bad input: KeywardError, clear, no value -------------------------------


def test_missing_schema_is_a_clear_error(tmp_path):
    missing = tmp_path / "nowhere" / "secrets.schema.toml"
    with pytest.raises(keyward.KeywardError) as info:
        keyward.validate(schema=missing, environ={})
    assert not isinstance(info.value, keyward.ValidationError)
    msg = str(info.value)
    assert str(missing) in msg and "No such file" in msg


def test_malformed_schema_is_a_clear_error(tmp_path):
    bad = tmp_path / "secrets.schema.toml"
    bad.write_text("[secrets.DB_PASSWORD]\nkind = \"no-such-kind\"\n")
    with pytest.raises(keyward.KeywardError) as info:
        keyward.validate(schema=bad, environ={})
    assert "no-such-kind" in str(info.value) or "kind" in str(info.value)


def test_unparsable_env_file_error_quotes_no_value(schema, tmp_path):
    value = "Zr8vQk2LmX7pWn4T"
    env = tmp_path / "broken.env"
    env.write_text(f'DB_PASSWORD="{value}\nSESSION_SECRET=x\n')  # unterminated quote
    with pytest.raises(keyward.KeywardError) as info:
        keyward.validate(schema=schema, env_file=env)
    msg = str(info.value)
    assert str(env) in msg
    assert_no_value(msg, [value])
    assert msg.startswith(f"{env}:1: ")  # keyward's message, without its "keyward: error:" prefix
    # the exception is not chained to another (whose text a traceback would show)
    assert info.value.__cause__ is None and info.value.__context__ is None


def test_missing_env_file_is_a_clear_error(schema, tmp_path):
    with pytest.raises(keyward.KeywardError, match="missing.env"):
        keyward.validate(schema=schema, env_file=tmp_path / "missing.env")


# --- the command --------------------------------------------------------------


def test_cli_version_is_the_package_version():
    out = cli("--version")
    assert out.returncode == 0
    assert out.stdout.split() == ["keyward", keyward.__version__]


def test_python_dash_m_keyward_runs_the_same_command():
    out = subprocess.run(
        [sys.executable, "-m", "keyward", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["keyward", keyward.__version__]


def test_cli_validate_exit_codes(schema, good, tmp_path):
    ok = cli("validate", "--schema", str(schema), "--env-file", str(write_env(tmp_path / "ok.env", good)))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "VALID:" in ok.stdout
    bad = cli("validate", "--schema", str(schema), "--env-file", str(write_env(tmp_path / "bad.env", BAD)))
    assert bad.returncode == 1
    assert "INVALID:" in bad.stdout and "DATABASE_URL" in bad.stdout
    assert_no_value(bad.stdout + bad.stderr, [BAD["DB_PASSWORD"], BAD["SESSION_SECRET"]])
    err = cli("validate", "--schema", str(tmp_path / "absent.toml"))
    assert err.returncode == 2
    assert "absent.toml" in err.stderr and "Traceback" not in err.stderr


def test_cli_scan_finds_a_token_and_masks_it(tmp_path):
    token = _github_token()
    (tmp_path / "settings.py").write_text(f'GITHUB_TOKEN = "{token}"\n')
    out = cli("scan", str(tmp_path))
    assert out.returncode == 1, out.stdout + out.stderr
    assert "settings.py:1:" in out.stdout
    assert_no_value(out.stdout + out.stderr, [token[4:]])


def _github_token():
    """A fresh fake GitHub token: ghp_ + 30 base62 + base62(crc32) in 6."""
    import random
    import zlib

    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    body = "".join(random.SystemRandom().choice(alphabet) for _ in range(30))
    n, crc = zlib.crc32(body.encode()) & 0xFFFFFFFF, ""
    while n:
        crc, n = alphabet[n % 62] + crc, n // 62
    return "ghp_" + body + crc.rjust(6, "0")


# --- a FastAPI start-up hook ----------------------------------------------------


def test_fastapi_lifespan_refuses_to_start_on_invalid_secrets(schema, good):
    fastapi = pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    def make_app(environ):
        @contextlib.asynccontextmanager
        async def lifespan(app):
            keyward.require(schema=schema, environ=environ)
            yield

        app = fastapi.FastAPI(lifespan=lifespan)

        @app.get("/health")
        def health():
            return {"ok": True}

        return app

    with TestClient(make_app(good)) as client:
        assert client.get("/health").json() == {"ok": True}

    with pytest.raises(keyward.ValidationError) as info:
        with TestClient(make_app(BAD)):
            pass
    assert "DB_PASSWORD" in str(info.value)
    assert_no_value(str(info.value), [BAD["DB_PASSWORD"], BAD["SESSION_SECRET"]])
