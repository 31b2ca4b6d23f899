"""The command-line contract on real input: one clear error and the
documented exit code for each bad input; upstream's parameter rules."""
import os
import stat

import pytest

import dumps
from dumps import OURS, run

L5 = dumps.vmcore("x86_64-6.1-l5-1g.elf")

pytestmark = pytest.mark.skipif(
    not os.path.exists(L5) and not os.environ.get("MKDUMP_REQUIRE_VMCORES"),
    reason="no real vmcore (tests/vm/mkvmcore.sh makes it)")


@pytest.fixture(scope="module")
def work():
    yield from dumps.workdir("cli")


def failed(p, code=1):
    assert p.returncode == code, (p.returncode, p.stderr)
    assert p.stdout.rstrip().endswith(b"makedumpfile Failed.")
    return p.stderr.decode()


def vmcoreinfo_text():
    return dumps.Elf(L5).vmcoreinfo()


def test_truncated_vmcore(work):
    cut = os.path.join(work, "truncated.elf")
    with open(L5, "rb") as src, open(cut, "wb") as dst:
        dst.write(src.read(1 << 20))
    err = failed(run(OURS, "-d", "31", cut, os.path.join(work, "o"), check=False))
    assert "truncated" in err and err.count("\n") == 1, err
    assert not os.path.exists(os.path.join(work, "o"))


def test_not_a_vmcore(work):
    junk = os.path.join(work, "junk")
    with open(junk, "wb") as f:
        f.write(b"this is not a vmcore\n" * 100)
    err = failed(run(OURS, "-d", "31", junk, os.path.join(work, "o"), check=False))
    assert "neither an ELF vmcore" in err
    err = failed(run(OURS, "-d", "31", "/nonexistent", os.path.join(work, "o"), check=False))
    assert "No such file" in err


def test_corrupt_elf_header(work):
    bad = os.path.join(work, "corrupt.elf")
    with open(L5, "rb") as f:
        head = bytearray(f.read(4096))
    head[54] = 99                            # e_phentsize
    with open(bad, "wb") as f:
        f.write(head)
    err = failed(run(OURS, "-d", "31", bad, os.path.join(work, "o"), check=False))
    assert "e_phentsize" in err


@pytest.mark.parametrize("key", ["SIZE(mem_section)", "SYMBOL(init_top_pgt)"])
def test_missing_vmcoreinfo_key_is_named(work, key):
    """A key no kernel-generation table can stand in for (struct page
    offsets and SIZE(page) can: tests/gen era_minimal_6.12)."""
    text = [l for l in vmcoreinfo_text().splitlines() if not l.startswith(key + "=")]
    vi = os.path.join(work, "no-key.txt")
    with open(vi, "w") as f:
        f.write("\n".join(text) + "\n")
    out = os.path.join(work, "no-key.out")
    err = failed(run(OURS, "-d", "31", "-i", vi, L5, out, check=False))
    assert key in err
    assert err.count("\n") == 1, err          # one clear message
    assert not os.path.exists(out)


def test_vmcoreinfo_release_mismatch_exits_2(work):
    text = [("OSRELEASE=9.9.9" if l.startswith("OSRELEASE=") else l)
            for l in vmcoreinfo_text().splitlines()]
    vi = os.path.join(work, "other-release.txt")
    with open(vi, "w") as f:
        f.write("\n".join(text) + "\n")
    out = os.path.join(work, "mismatch.out")
    err = failed(run(OURS, "-d", "31", "-i", vi, L5, out, check=False), 2)
    assert "9.9.9" in err
    assert not os.path.exists(out)


def test_existing_output_refused_and_mode(work):
    out = os.path.join(work, "out.kdump")
    run(OURS, "-l", "-d", "31", "--message-level", "0", L5, out)
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    err = failed(run(OURS, "-l", "-d", "31", L5, out, check=False))
    assert "File exists" in err
    run(OURS, "-f", "-l", "-d", "31", "--message-level", "0", L5, out)


@pytest.mark.parametrize("args,ok", [
    (["-l", "--message-level", "7", "-d", "31", "--num-threads=2", "v", "o"], True),
    (["-F", "-c", "-d", "31", "v"], True),
    (["--dump-dmesg", "v", "log"], True),
    (["-E", "-c", "-d", "31", "v", "o"], False),
    (["-F", "--split", "v", "a", "b"], False),
    (["-d", "32", "v", "o"], False),
    (["-d", "31", "v"], False),
    (["--non-cyclic", "v", "o"], False),
    (["--num-threads", "2", "-E", "v", "o"], False),
])
def test_check_params(args, ok):
    p = run(OURS, "--check-params", *args, check=False)
    assert p.returncode == (0 if ok else 1), (args, p.stdout, p.stderr)


def test_flattened_stdout_is_data_only(work):
    flat = os.path.join(work, "f.flat")
    with open(flat, "wb") as f:
        p = run(OURS, "-F", "-l", "-d", "31", L5, stdout=f)
    assert b"makedumpfile Completed." in p.stderr
    with open(flat, "rb") as f:
        assert f.read(16) == b"makedumpfile\0\0\0\0"
    os.unlink(flat)


def test_no_carriage_returns_off_a_terminal(work):
    out = os.path.join(work, "p.kdump")
    p = run(OURS, "-l", "-d", "31", "--message-level", "31", L5, out)
    assert b"\r" not in p.stdout + p.stderr
    assert b"Copying data" in p.stdout
    assert b"Original pages  : 0x" in p.stdout


def test_version_lists_codecs():
    p = run(OURS, "-v")
    for c in (b"lzo\tenabled", b"snappy\tenabled", b"zstd\tenabled"):
        assert c in p.stdout


def test_install_and_man_page(tmp_path):
    """make install puts the binary and the man page under DESTDIR, and the
    man page renders without a single groff warning."""
    import subprocess
    subprocess.run(["make", "-s", "-C", dumps.ROOT, "install", "PREFIX=/usr",
                    "DESTDIR=%s" % tmp_path], check=True, stdout=subprocess.DEVNULL)
    assert os.access(tmp_path / "usr/sbin/makedumpfile", os.X_OK)
    man = tmp_path / "usr/share/man/man8/makedumpfile.8"
    p = subprocess.run(["groff", "-man", "-ww", "-z", str(man)], capture_output=True)
    assert p.returncode == 0 and not p.stderr, p.stderr
    text = subprocess.run(["man", "-l", str(man)], capture_output=True,
                          env=dict(os.environ, MANWIDTH="80")).stdout
    for opt in (b"--split", b"--reassemble", b"--cyclic-buffer", b"--work-dir",
                b"--num-threads", b"--dry-run", b"--check-params", b"EXIT STATUS"):
        assert opt in text, opt
