"""The program's code, found as ``python SCRIPT`` or ``python -m MODULE`` would find it."""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import CodeType, ModuleType


def program_code(script: str, module_name: str | None, main: ModuleType) -> CodeType:
    """Compile the script, or find the module (importing its parent packages, as
    ``python -m`` does); put the script's directory (or the current one) first on
    ``sys.path`` and set ``main``'s attributes as Python would (the agent runs with ``-P``:
    nothing else was put there). Raises OSError, SyntaxError, ValueError or ImportError (no
    such module)."""
    if module_name is None:
        sys.path.insert(0, os.path.dirname(script))
        with open(script, "rb") as handle:
            return compile(handle.read(), script, "exec")
    sys.path.insert(0, os.getcwd())
    import runpy  # only for -m: runpy is most of a module's lookup cost

    # runpy's own lookup, which python -m uses: a package runs its __main__.
    _, spec, code = runpy._get_module_details(module_name)  # type: ignore[attr-defined]
    main.__file__ = spec.origin
    main.__spec__ = spec
    main.__loader__ = spec.loader
    main.__package__ = spec.parent
    sys.argv[0] = spec.origin or sys.argv[0]
    return code
