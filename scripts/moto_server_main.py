"""moto's server (`python -m moto.server`), with one repair for a machine without Docker.

moto's debug endpoint `/moto-api/data.json` reads every attribute of every model and skips those that raise
`TypeError`, `AttributeError` or `ValueError`. A Lambda function's `docker_client` property raises docker's own
`DockerException` when no Docker daemon runs (this machine, CI): once any test has created a function, every read of
`data.json` answered 500. Here that property raises `AttributeError` instead, so `data.json` leaves it out as it does
any other unreadable attribute. Nothing else changes: without Docker no Lambda code ever runs under moto anyway.
"""

import sys

from moto.utilities import docker_utilities

_docker_client = docker_utilities.DockerModel.docker_client


def _docker_client_or_attribute_error(self):
    try:
        return _docker_client.fget(self)
    except Exception as error:  # docker.errors.DockerException: no daemon to talk to
        raise AttributeError(f"no Docker daemon: {error}") from error


docker_utilities.DockerModel.docker_client = property(_docker_client_or_attribute_error)

if __name__ == "__main__":
    from moto.server import main

    sys.exit(main())
