"""Package layout only; the metadata is in pyproject.toml.

The top-level `templates/` and `static/` folders of the repository ship inside the wheel as
`ideaboard/templates` and `ideaboard/static`, and the message catalogs are compiled while
building, so an installed wheel serves every page without the checkout.
"""
import sys
from pathlib import Path

from setuptools import find_namespace_packages, setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
DATA_FOLDERS = {"ideaboard.templates": "templates", "ideaboard.static": "static"}


def folder_packages(package: str, folder: str) -> dict[str, str]:
    """Every directory under `folder` as a data-only package under `package`."""
    found = {package: folder}
    for path in sorted(p for p in (HERE / folder).rglob("*") if p.is_dir()):
        relative = path.relative_to(HERE / folder)
        found[".".join((package, *relative.parts))] = f"{folder}/{relative.as_posix()}"
    return found


class BuildWithCatalogs(build_py):
    """Compile translations/*/LC_MESSAGES/messages.po into .mo files inside the build."""

    def run(self) -> None:
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po_path in (HERE / "ideaboard" / "translations").glob("*/LC_MESSAGES/*.po"):
            target = Path(self.build_lib) / po_path.relative_to(HERE).with_suffix(".mo")
            target.parent.mkdir(parents=True, exist_ok=True)
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file, locale=po_path.parts[-3])
            with target.open("wb") as mo_file:
                write_mo(mo_file, catalog, use_fuzzy=True)


# An editable install (make run, make test) serves templates/ and static/ from the checkout,
# where create_app() finds them: it needs no mapping, and a plain layout keeps setuptools quiet.
package_dir = {"": "."}
if "editable_wheel" not in sys.argv:
    for name, folder in DATA_FOLDERS.items():
        package_dir.update(folder_packages(name, folder))

setup(
    packages=find_namespace_packages(include=["ideaboard", "ideaboard.*"])
    + [name for name in package_dir if name],
    package_dir=package_dir,
    package_data={"": ["*"]},
    exclude_package_data={"": ["*.pyc", "*.mo", "*.pot"]},
    include_package_data=False,
    cmdclass={"build_py": BuildWithCatalogs},
)
