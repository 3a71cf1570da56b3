"""Put the browser assets Solara loads from a CDN into its local cache, from the npm registry.

Solara's page template loads its Vue app, fonts and require.js from a public CDN (through the
server's asset proxy, which caches what it fetches). A machine that reaches package registries
but not that CDN (CI, an offline workstation) would serve a blank page. This module reads the
package versions from the installed Solara's own template and settings, fetches each with
``npm pack`` (the ordinary npm client) and unpacks it where the proxy looks first, so the
dashboard works without the CDN. Run it as ``python -m sim.app_assets`` (``make browsers``
does); it is idempotent and quick when the cache is full.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

__all__ = ["cache_dir", "ensure_assets", "missing_assets", "solara_packages"]

#: ``{{cdn}}/<package>@<version>/<file>`` (page template) or ``${this.getCdn()}/...`` (Vue).
_CDN_REF = re.compile(
    r"(?:\{\{cdn\}\}|\$\{this\.getCdn\(\)\})/((?:@[\w.-]+/)?[\w.-]+@[\w.-]+)/([^\"'`\s]+)"
)

#: Solara files whose CDN references the dashboard needs: the page itself and the draggable
#: grid Mesa's SolaraViz lays components out with. (The dashboard avoids ``solara.Markdown``,
#: which would add KaTeX and Mermaid.)
_SOURCES = ("server/templates/solara.html.j2", "widgets/vue/gridlayout.vue",
            "widgets/vue/gridlayout_v3.vue")  # fmt: skip


def _template() -> str:
    import solara

    root = Path(solara.__file__).parent
    return "\n".join((root / rel).read_text() for rel in _SOURCES)


def solara_packages() -> dict[str, list[str]]:
    """The npm packages (``name@version``) Solara's page loads, with the files it asks for.

    ``{{ipywidget_major_version}}`` in a file name is resolved with the installed ipywidgets.

    Returns
    -------
    dict of str to list of str
        Per package (``name@version``, as the installed Solara pins it), the files of it the
        page loads.

    Examples
    --------
    >>> packages = solara_packages()
    >>> any(p.startswith("requirejs@") for p in packages)
    True
    >>> [files for p, files in packages.items() if p.startswith("font-awesome@")]
    [['css/font-awesome.min.css']]
    """
    import ipywidgets
    import solara.server.settings as settings

    major = ipywidgets.__version__.split(".")[0]
    refs: dict[str, list[str]] = {}
    for pkg, file in _CDN_REF.findall(_template()):
        refs.setdefault(pkg, []).append(file.replace("{{ipywidget_major_version}}", major))
    fa = settings.assets.fontawesome_path.strip("/")  # "font-awesome@4.5.0/css/..."
    pkg, _, file = fa.partition("/")
    refs.setdefault(pkg, []).append(file)
    return refs


def cache_dir() -> Path:
    """Where Solara's asset proxy looks before fetching (``SOLARA_ASSETS_PROXY_CACHE_DIR``).

    Returns
    -------
    Path
        The cache directory (it may not exist yet).

    Examples
    --------
    >>> cache_dir().is_absolute()
    True
    """
    import solara.server.settings as settings

    return Path(settings.assets.proxy_cache_dir)


def missing_assets() -> list[str]:
    """Files the page needs that are not in the cache, as ``package@version/file``.

    Returns
    -------
    list of str
        Empty when the dashboard can be served without the CDN.

    Examples
    --------
    Which files are missing depends on this machine's cache; each is one of a package's files:

    >>> files = {f"{p}/{f}" for p, fs in solara_packages().items() for f in fs}
    >>> set(missing_assets()) <= files
    True
    """
    root = cache_dir()
    return [
        f"{pkg}/{f}"
        for pkg, files in solara_packages().items()
        for f in files
        if not (root / pkg / f).is_file()
    ]


def ensure_assets(*, npm: str = "npm") -> list[str]:
    """Fetch and unpack every package whose files are missing; returns the packages fetched.

    Parameters
    ----------
    npm : str
        The npm executable, a name on ``PATH`` or a path.

    Returns
    -------
    list of str
        The packages (``name@version``) fetched; empty when the cache was already full.

    Raises
    ------
    RuntimeError
        npm is missing or failed (its message is included).

    Examples
    --------
    Without npm, a full cache is fine and an incomplete one is reported (nothing is fetched):

    >>> try:
    ...     outcome = ensure_assets(npm="no-such-npm")
    ... except RuntimeError as exc:
    ...     outcome = str(exc)
    >>> outcome in ([], "npm is needed to fetch Solara's browser assets; install Node.js/npm")
    True
    """
    missing = {m.split("/", 2)[0] if not m.startswith("@") else "/".join(m.split("/", 2)[:2])
               for m in missing_assets()}  # fmt: skip
    if not missing:
        return []
    exe = shutil.which(npm)
    if exe is None:
        raise RuntimeError("npm is needed to fetch Solara's browser assets; install Node.js/npm")
    root = cache_dir()
    fetched = []
    with tempfile.TemporaryDirectory() as tmp:
        for pkg in sorted(missing):
            done = subprocess.run(
                [exe, "pack", pkg, "--pack-destination", tmp, "--silent"],
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                raise RuntimeError(f"npm pack {pkg} failed: {done.stderr.strip()}")
            tgz = Path(tmp) / done.stdout.strip().splitlines()[-1]
            dest = root / pkg
            staging = Path(tmp) / "unpacked"
            shutil.rmtree(staging, ignore_errors=True)
            with tarfile.open(tgz) as tar:
                tar.extractall(staging, filter="data")
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(dest, ignore_errors=True)
            shutil.move(str(staging / "package"), dest)
            fetched.append(pkg)
    return fetched


if __name__ == "__main__":
    try:
        got = ensure_assets()
    except RuntimeError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    print(f"solara assets in {cache_dir()}: " + (f"fetched {', '.join(got)}" if got else "present"))
