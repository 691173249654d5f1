"""Never delete what is not ours: a user's folder as the store, folders beside it, a killed
--rebuild, and a valid store on a read-only disk (real folders in a temporary directory)."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace

import pytest

from assistant.errors import StoreError
from assistant.indexing.build import ensure_index
from assistant.indexing.store import MANIFEST, OWNER_MARK

from .helpers import ROOT, run_cli
from .test_cli import assert_one_line_error


def _users_folder(path):
    (path / "sub").mkdir(parents=True)
    (path / "thesis.txt").write_text("my thesis", encoding="utf-8")
    (path / "sub" / "notes.md").write_text("notes", encoding="utf-8")


def _intact(path) -> bool:
    return (path / "thesis.txt").read_text(encoding="utf-8") == "my thesis" and (path / "sub" / "notes.md").read_text(
        encoding="utf-8"
    ) == "notes"


@pytest.mark.parametrize("args", [("retrieve", "智能鸿沟是什么?"), ("index", "--rebuild"), ("index",)])
def test_users_folder_as_store_is_refused_untouched(tmp_path, args):
    d = tmp_path / "d"
    _users_folder(d)
    out = run_cli(*args, env={"REVIEWQA_EMBED_MODEL": "hash:64", "REVIEWQA_STORE_DIR": str(d)})
    assert_one_line_error(out, "REVIEWQA_STORE_DIR")
    assert _intact(d) and sorted(p.name for p in d.iterdir()) == ["sub", "thesis.txt"]


def test_users_folder_refused_in_process(hash_settings, tmp_path):
    d = tmp_path / "mine"
    _users_folder(d)
    with pytest.raises(StoreError):
        ensure_index(replace(hash_settings, store_dir=d))
    with pytest.raises(StoreError):
        ensure_index(replace(hash_settings, store_dir=d), rebuild=True)
    assert _intact(d)


def test_a_file_as_store_is_refused(hash_settings, tmp_path):
    f = tmp_path / "store"
    f.write_text("not a folder")
    with pytest.raises(StoreError):
        ensure_index(replace(hash_settings, store_dir=f))
    assert f.read_text() == "not a folder"


def test_empty_folder_becomes_the_store(hash_settings, tmp_path):
    d = tmp_path / "empty"
    d.mkdir()
    idx = ensure_index(replace(hash_settings, store_dir=d))
    assert idx.built and (d / MANIFEST).is_file() and (d / OWNER_MARK).is_file()


def test_folders_beside_the_store_survive_and_our_leftovers_go(hash_settings):
    root = hash_settings.store_dir.parent
    theirs = [root / ".build-mine", root / ".old-mine", root / ".reviewqa-build-store-nomark"]
    for t in theirs:
        t.mkdir(parents=True)
        (t / "keep.txt").write_text("keep")
    ours = root / ".reviewqa-build-store-1234-1700000000000"  # a build killed midway: marked, half written
    (ours / "chroma").mkdir(parents=True)
    (ours / OWNER_MARK).write_text("x")
    idx = ensure_index(hash_settings)
    assert idx.built and not ours.exists()
    assert all((t / "keep.txt").read_text() == "keep" for t in theirs)
    ensure_index(hash_settings, rebuild=True)
    assert all((t / "keep.txt").read_text() == "keep" for t in theirs)
    assert not [p for p in root.iterdir() if p.name.startswith(".reviewqa-build-store-") and p not in theirs]


def test_rebuild_that_fails_midway_keeps_the_valid_store(hash_settings, monkeypatch):
    first = ensure_index(hash_settings)
    import assistant.indexing.build as indexer

    def killed(*a, **k):
        raise KeyboardInterrupt  # stands for a kill during embedding or writing

    monkeypatch.setattr(indexer, "build_store", killed)
    with pytest.raises(KeyboardInterrupt):
        ensure_index(hash_settings, rebuild=True)
    monkeypatch.undo()
    again = ensure_index(hash_settings)
    assert not again.built and again.store.manifest["fingerprint"] == first.store.manifest["fingerprint"]


def test_store_on_read_only_disk_is_served_not_rebuilt(hash_settings, tmp_path):
    """A read-only bind mount (in a private mount namespace) over a valid store: queries work."""
    ensure_index(hash_settings)
    root = hash_settings.store_dir.parent
    before = json.loads((hash_settings.store_dir / MANIFEST).read_text())
    script = (
        f"mount --bind {root} {root} && mount -o remount,ro,bind {root} && "
        f"REVIEWQA_EMBED_MODEL=hash:64 REVIEWQA_STORE_DIR={hash_settings.store_dir} "
        f"{sys.executable} -m assistant.cli retrieve 智能鸿沟 --json"
    )
    out = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "Rebuilding" not in out.stderr and "重建" not in out.stderr
    assert any("智能鸿沟" in p["text"] for p in json.loads(out.stdout)["passages"])
    assert json.loads((hash_settings.store_dir / MANIFEST).read_text()) == before


def test_stale_store_on_read_only_disk_fails_in_one_line(hash_settings, tmp_path):
    ensure_index(hash_settings)
    root = hash_settings.store_dir.parent
    script = (
        f"mount --bind {root} {root} && mount -o remount,ro,bind {root} && "
        f"REVIEWQA_EMBED_MODEL=hash:64 REVIEWQA_CHUNK_TOKENS=100 REVIEWQA_STORE_DIR={hash_settings.store_dir} "
        f"{sys.executable} -m assistant.cli retrieve 智能鸿沟"
    )
    out = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert_one_line_error(out, "只读")
    assert shutil.which("unshare")


def test_cleaning_one_store_leaves_a_longer_named_stores_build(hash_settings):
    """`s` and `s-x` beside each other: cleaning up after `s` never touches the folder `s-x` is
    building in, nor the one it is swapping out (a build folder's name ends in -<pid>-<time>)."""
    root = hash_settings.store_dir.parent
    theirs = [root / ".reviewqa-build-s-x-4242-1700000000000", root / ".reviewqa-old-s-x-4242-1700000000000"]
    for t in theirs:
        (t / "chroma").mkdir(parents=True)
        (t / OWNER_MARK).write_text("x")  # marked: ours, but another store's
    killed = [root / ".reviewqa-build-s-99-1700000000000", root / ".reviewqa-build-s-abc1_z9q"]  # s's, killed
    for k in killed:  # (the second named as builds were before the names were exact)
        k.mkdir()
        (k / OWNER_MARK).write_text("x")
    idx = ensure_index(replace(hash_settings, store_dir=root / "s"))
    assert idx.built and not any(k.exists() for k in killed)
    assert all((t / OWNER_MARK).is_file() and (t / "chroma").is_dir() for t in theirs)
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".reviewqa-build-")) == [theirs[0].name]


def _cli(argv, capsys) -> tuple[int, list[str]]:
    """`reviewqa ARGV` through the CLI's entry function, in this process; (exit code, stderr lines)."""
    from assistant.cli.main import main

    code = main(argv)
    return code, [x for x in capsys.readouterr().err.splitlines() if x.strip()]


def _disk_full_errors():
    from chromadb.errors import InternalError

    return [
        OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)),
        InternalError("Query error: Database error: (code: 13) database or disk is full"),
        InternalError("Error in compaction: Failed to apply logs to the metadata segment"),  # says nothing of disk
    ]


@pytest.mark.parametrize("error", range(3))
def test_disk_full_during_a_build_is_one_clear_line_and_the_old_store_stays(hash_settings, monkeypatch, capsys, error):
    """What Chroma raised on a full tmpfs (the third: with 600 KB left), in the write step."""
    import assistant.indexing.store as store

    monkeypatch.setenv("REVIEWQA_EMBED_MODEL", "hash:64")
    monkeypatch.setenv("REVIEWQA_STORE_DIR", str(hash_settings.store_dir))
    monkeypatch.setattr("assistant.log.configure", lambda *a, **k: None)
    first = ensure_index(hash_settings)

    def full(*a, **k):
        raise _disk_full_errors()[error]

    monkeypatch.setattr(store, "write_collections", full)
    monkeypatch.setattr(store.shutil, "disk_usage", lambda p: shutil._ntuple_diskusage(10**9, 10**9 - 600_000, 600_000))
    code, err = _cli(["index", "--rebuild"], capsys)
    assert code == 2 and len(err) == 1, err
    assert "磁盘已满" in err[0] and "disk is full" in err[0] and "internal error" not in err[0]
    monkeypatch.undo()
    again = ensure_index(hash_settings)
    assert not again.built and again.store.manifest["fingerprint"] == first.store.manifest["fingerprint"]
    assert not [p for p in hash_settings.store_dir.parent.iterdir() if p.name.startswith(".reviewqa-build-")]


def test_a_failed_write_with_room_on_the_disk_is_not_called_disk_full(hash_settings, monkeypatch):
    from chromadb.errors import InternalError

    import assistant.indexing.store as store

    def broken(*a, **k):
        raise InternalError("Error in compaction: Failed to apply logs to the metadata segment")

    monkeypatch.setattr(store, "write_collections", broken)
    monkeypatch.setattr(store.shutil, "disk_usage", lambda p: shutil._ntuple_diskusage(10**12, 10**11, 9 * 10**11))
    with pytest.raises(InternalError):
        ensure_index(hash_settings)


def test_disk_full_anywhere_else_is_a_user_error_too(monkeypatch, capsys):
    import importlib

    cli = importlib.import_module("assistant.cli.main")  # (assistant.cli.main is also the function)

    def full(args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/data/cache/summary.json")

    monkeypatch.setattr(cli, "cmd_config", full)
    monkeypatch.setattr("assistant.log.configure", lambda *a, **k: None)
    code, err = _cli(["config"], capsys)
    assert code == 2 and len(err) == 1 and "/data/cache/summary.json" in err[0], err
    assert "磁盘已满" in err[0] and "disk is full" in err[0] and "internal error" not in err[0]


def test_rebuild_in_a_read_only_folder_is_refused_before_embedding(hash_settings, monkeypatch):
    import assistant.indexing.build as indexer
    import assistant.indexing.embeddings as embeddings
    import assistant.indexing.store as store

    ensure_index(hash_settings)
    root = hash_settings.store_dir.parent
    root.chmod(0o555)
    try:
        if os.access(root, os.W_OK):  # root ignores the mode bits: the probe is told what a read-only mount says
            monkeypatch.setattr(store, "writable", lambda p: p != root and os.access(p, os.W_OK | os.X_OK))
            monkeypatch.setattr(indexer, "writable", store.writable)
        monkeypatch.setattr(embeddings, "get_embedder", lambda *a, **k: pytest.fail("embedded before refusing"))
        with pytest.raises(StoreError) as e:
            ensure_index(hash_settings, rebuild=True)
        assert "只读" in e.value.zh and "read-only" in e.value.en and str(root) in e.value.en
    finally:
        root.chmod(0o755)


def test_rebuild_on_a_read_only_mount_fails_at_once(hash_settings):
    """A real read-only bind mount: one line, and no "embedding …" progress before it."""
    ensure_index(hash_settings)
    root = hash_settings.store_dir.parent
    script = (
        f"mount --bind {root} {root} && mount -o remount,ro,bind {root} && "
        f"REVIEWQA_EMBED_MODEL=hash:64 REVIEWQA_STORE_DIR={hash_settings.store_dir} "
        f"{sys.executable} -m assistant.cli index --rebuild"
    )
    out = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert_one_line_error(out, "只读")
