"""The disk spool on its own: atomic files, order, the byte cap, damaged files, restarts."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from smokejumper.client.payload import PREDICTIONS, Batch, json_batch
from smokejumper.client.spool import Spool, encode
from smokejumper.errors import SpoolFileError

SERVER = "http://127.0.0.1:8000"


def batch(i: int) -> Batch:
    made, _ = json_batch("churn", PREDICTIONS, [{"id": f"p{i}", "prediction": i}], f"b{i:03d}")
    assert made is not None
    return made


def test_batches_come_back_in_order_after_a_restart(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool", max_bytes=1_000_000, server=SERVER)
    assert len(spool) == 0
    assert spool.oldest() is None
    for i in range(30):
        assert spool.write(batch(i))
    names = sorted(p.name for p in (tmp_path / "spool").iterdir())
    assert len(names) == 30
    assert all(n.endswith(".batch") for n in names)
    reopened = Spool(tmp_path / "spool", max_bytes=1_000_000, server=SERVER)
    assert reopened.bytes == spool.bytes
    seen = []
    while (path := reopened.oldest()) is not None:
        seen.append(reopened.read(path).batch_id)
        reopened.remove(path)
    assert seen == [f"b{i:03d}" for i in range(30)]
    assert reopened.bytes == 0
    assert not list((tmp_path / "spool").iterdir())


def test_the_byte_cap_holds_and_counts_rejected_files(tmp_path: Path) -> None:
    size = len(encode(batch(0), SERVER))
    spool = Spool(tmp_path, max_bytes=3 * size, server=SERVER)
    assert [spool.write(batch(i)) for i in range(4)] == [True, True, True, False]
    first = spool.oldest()
    assert first is not None
    spool.quarantine(first)  # set aside, still on disk, still counted
    assert (tmp_path / "rejected" / first.name).exists()
    assert len(spool) == 2
    assert spool.bytes == 3 * size
    assert not spool.write(batch(5))
    assert Spool(tmp_path, max_bytes=3 * size, server=SERVER).bytes == 3 * size


def test_damaged_files_are_reported_and_stale_temporaries_cleared(tmp_path: Path) -> None:
    (tmp_path / "00000000000000000001-x.batch").write_bytes(b"not a batch")
    whole = encode(batch(1), SERVER)
    (tmp_path / "00000000000000000002-y.batch").write_bytes(whole[:-5])
    stale = tmp_path / ".00000000000000000003-z.batch.1.tmp"
    fresh = tmp_path / ".00000000000000000004-z.batch.2.tmp"
    stale.write_bytes(whole)
    fresh.write_bytes(whole)
    old = time.time() - 7200
    os.utime(stale, (old, old))
    spool = Spool(tmp_path, max_bytes=1_000_000, server=SERVER)
    assert not stale.exists()
    assert fresh.exists()
    assert len(spool) == 2
    for reason in ("does not start like", "truncated"):
        path = spool.oldest()
        assert path is not None
        with pytest.raises(SpoolFileError, match=reason):
            spool.read(path)
        spool.quarantine(path)
    assert len(spool) == 0


def test_a_failed_write_leaves_nothing_and_says_so(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder should be")
    spool = Spool(blocker / "spool", max_bytes=1_000_000, server=SERVER)
    assert not spool.write(batch(1))
    assert spool.bytes == 0
    assert len(spool) == 0


def test_a_spool_resends_only_the_batches_of_its_own_server(tmp_path: Path) -> None:
    first = Spool(tmp_path, max_bytes=1_000_000, server=SERVER)
    for i in range(3):
        assert first.write(batch(i))
    older_sdk = encode(batch(9), SERVER).replace(b'"server":"http://127.0.0.1:8000",', b"")
    (tmp_path / "00000000000000000001-b009.batch").write_bytes(older_sdk)

    other = Spool(tmp_path, max_bytes=1_000_000, server="http://10.0.0.2:8000")
    assert (len(other), other.others, other.oldest()) == (0, 4, None)
    assert other.bytes == first.bytes + len(older_sdk)  # the folder's cap counts every file
    assert other.write(batch(5))

    again = Spool(tmp_path, max_bytes=1_000_000, server=SERVER)
    assert (len(again), again.others) == (3, 2)
    sent = []
    while (path := again.oldest()) is not None:
        sent.append(again.read(path).batch_id)
        again.remove(path)
    assert sent == ["b000", "b001", "b002"]
    assert len(list(tmp_path.glob("*.batch"))) == 2  # the other server's and the older SDK's
