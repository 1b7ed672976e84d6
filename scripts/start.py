#!/usr/bin/env python3
"""What `make run` runs: every process of the Procfile, started by honcho, with one
environment whose precedence is the documented one for all of them: a variable already
set wins over the env file (ENV_FILE, default `.env`), which fills in only what is unset.

honcho reads `.env` by itself and lays it over the environment (and reads `.env` whatever
ENV_FILE says), so it is told to read no file: the file is merged here, beneath the
environment, before honcho copies the environment into each process. The services read
the same file again at start, with the same rule, so running them without this script
changes nothing. With INTERNAL_API_TOKEN set nowhere, both services get one fresh random token."""
from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Mapping, MutableMapping

from dotenv import dotenv_values
from honcho.command import main as honcho


def fill_in_from(env_file: str, environ: MutableMapping[str, str]) -> None:
    """Sets each variable of `env_file` that `environ` does not have already."""
    if not os.path.isfile(env_file):
        return
    found: Mapping[str, str | None] = dotenv_values(env_file)
    for name, value in found.items():
        if value is not None and name not in environ:
            environ[name] = value


def main(argv: list[str]) -> None:
    fill_in_from(os.environ.get("ENV_FILE") or ".env", os.environ)
    # python_service never serves its credential routes without a token; both services get the
    # same fresh one when none is set (never printed: it lives only in their environments)
    os.environ.setdefault("INTERNAL_API_TOKEN", secrets.token_urlsafe(32))
    honcho(["start", "--env", os.devnull, *argv])  # honcho's own env-file reading off: merged above


if __name__ == "__main__":
    main(sys.argv[1:])
