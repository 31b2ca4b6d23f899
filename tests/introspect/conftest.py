"""pytest configuration for the introspection tier (tests/introspect):
--dump-dmesg, -g/-x, --vtop and --mem-usage.

Environment:
  MAKEDUMPFILE   binary under test (default build/makedumpfile)
  MKDUMP_SLOW=1  also run the slow cases (Debian's real -dbg vmlinux,
                 about 280 MB downloaded with apt-get download)
"""
import os
import shutil
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import coregen  # noqa: E402


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: needs MKDUMP_SLOW=1")


def pytest_collection_modifyitems(config, items):
    if os.environ.get("MKDUMP_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow: set MKDUMP_SLOW=1")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def work(request):
    """An empty scratch directory under build/test-outputs/introspect/."""
    d = os.path.join(coregen.ROOT, "build", "test-outputs", "introspect",
                     request.node.name.replace("/", "_").replace("[", "-").rstrip("]"))
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def real_vmcore(variant):
    """The real 6.1 vmcore of tests/vm/mkvmcore.sh, or skip."""
    path = os.path.join(coregen.VMCORES, "x86_64-6.1-%s-1g.elf" % variant)
    if not os.path.exists(path):
        msg = "%s missing (make it with tests/vm/mkvmcore.sh)" % path
        if os.environ.get("MKDUMP_REQUIRE_VMCORES"):
            pytest.fail(msg)
        pytest.skip(msg)
    return path


def phoff64(path):
    """A copy with program headers at 64, for makedumpfile 1.7.2."""
    out = path[:-len(".elf")] + ".phoff64.elf"
    if not os.path.exists(out):
        coregen.run(sys.executable, os.path.join(coregen.ROOT, "tests", "tools",
                                                 "elf_phoff64.py"), path, out)
    return out
