"""Build hook: compile the SOC's benign-alert kernel (defenses/_socfast.c) beside its pure-Python twin.

Issue 18 allows a compiled kernel for the SOC queue only if `make run` and `make test` still build everything on a
fresh machine and a pure-Python twin stays: the kernel is compiled here, with the C compiler and flags Python itself
was built with, into defenses/ (an editable install imports it from there; a wheel carries it). Without a compiler the
install still succeeds, with a warning, and the engine runs the pure-Python loop (the same results, slower); a
compiler that refuses the source fails the install (an older kernel is deleted first, never left to be imported).
tests/test_soc.py fails if the kernel is missing, so CI always checks both against each other.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import sysconfig
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def compile_kernel(root: Path) -> Path | None:
    """Compile defenses/_socfast.c into defenses/; the path of the module, or None if it could not be built."""
    src = root / "defenses" / "_socfast.c"
    out = src.with_name("_socfast" + (sysconfig.get_config_var("EXT_SUFFIX") or ".so"))
    ldshared = sysconfig.get_config_var("LDSHARED") or "cc -shared"
    include = sysconfig.get_paths()["include"]
    # -ffp-contract=off: no fused multiply-add, so every double is the one Python's own arithmetic gives
    cmd = [*shlex.split(ldshared), "-O2", "-fPIC", "-ffp-contract=off", "-I", include, str(src), "-o", str(out)]
    out.unlink(missing_ok=True)  # never leave an older kernel behind to be imported
    try:
        subprocess.run(cmd, check=True, capture_output=True, text=True)
    except OSError as e:  # no compiler on this machine: the pure-Python twin does the work
        print(f"ai-tabletop: no C compiler ({e}); {src.name} not compiled, the SOC runs its pure-Python loop (same "
              f"results, slower)", file=sys.stderr)
        return None
    except subprocess.CalledProcessError as e:  # a compiler that refuses the source: a bug to see, not to hide
        raise RuntimeError(f"ai-tabletop: compiling {src} failed:\n{e.stderr}") from None
    return out


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel":
            return  # the sdist ships the C source
        out = compile_kernel(Path(self.root))
        if out is None:
            return
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        if version != "editable":  # an editable install imports it from the source tree
            build_data["force_include"][str(out)] = f"defenses/{out.name}"
