"""`python -m keyward ARGS...`: the keyward command (the bundled binary)."""

import os
import subprocess
import sys

from . import KeywardError, binary


def main() -> int:
    try:
        exe = binary()
    except KeywardError as e:
        print(f"keyward: error: {e}", file=sys.stderr)
        return 2
    if os.name == "nt":
        # no exec on Windows: run it and hand back its exit code
        return subprocess.call([exe, *sys.argv[1:]])
    os.execv(exe, [exe, *sys.argv[1:]])
    return 2  # not reached


if __name__ == "__main__":
    sys.exit(main())
