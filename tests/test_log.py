"""The one `reviewqa` logger (fast): silent below WARNING for a library caller, '[reviewqa] …' lines
on stderr once the CLI configures it, progress bars only where INFO is shown."""

from __future__ import annotations

import logging

import pytest

from assistant import log as logmod


@pytest.fixture
def fresh_logger():
    saved = (list(logmod.log.handlers), logmod.log.level, logmod.log.propagate)
    logmod.log.handlers.clear()
    logmod.log.setLevel(logging.NOTSET)
    yield logmod.log
    logmod.log.handlers[:] = saved[0]
    logmod.log.setLevel(saved[1])
    logmod.log.propagate = saved[2]


def test_a_library_caller_sees_no_progress(fresh_logger, capsys):
    logmod.progress("building 1/2")
    fresh_logger.info("loading the model")
    err = capsys.readouterr().err
    assert "building" not in err and "loading" not in err
    assert not logmod.showing_progress()


def test_the_cli_configuration_prints_prefixed_lines_and_progress(fresh_logger, capsys):
    logmod.configure()
    logmod.configure()  # a second call adds no second handler
    fresh_logger.info("加载 / loading")
    logmod.progress("building 2/2", done=True)
    err = capsys.readouterr().err
    assert err.count("[reviewqa] 加载 / loading\n") == 1
    assert "\r[reviewqa] building 2/2\n" in err
    logmod.configure(logging.WARNING)
    logmod.progress("hidden")
    fresh_logger.info("hidden too")
    assert "hidden" not in capsys.readouterr().err
