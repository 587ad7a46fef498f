"""Registered models: ``ml.models``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..contract.registry import (
    CompareVersions,
    DeleteAlias,
    DeleteTag,
    DownloadVersion,
    GetModel,
    GetVersion,
    ListModels,
    RegisterModel,
    SetAlias,
    SetTag,
    UpdateDescription,
)
from ..entities import (
    ModelDetail,
    ModelPage,
    ModelVersion,
    VersionComparison,
    VersionDetail,
)
from ..errors import InvalidParameter
from ..naming import file_safe

if TYPE_CHECKING:
    from .transport import Transport


class ModelsAPI:
    """Registered models: ``ml.models``."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def list(
        self,
        search: str | None = None,
        tags: Mapping[str, str] | None = None,
        max_results: int = 100,
        page_token: str | None = None,
        order_by: str | None = None,
    ) -> ModelPage:
        """Models whose name contains ``search`` and that carry every tag in ``tags``; one page of them.

        ``order_by`` is one of ``"name ASC"`` (default), ``"name DESC"``, ``"last_updated_timestamp DESC"``,
        ``"last_updated_timestamp ASC"``. Pass the page's ``next_page_token`` as ``page_token`` for the next page.
        """
        request = ListModels.build(
            search=search,
            tags=tags if tags is not None else {},
            max_results=max_results,
            page_token=page_token,
            order_by=order_by,
        )
        result: ModelPage = self._transport.call(request)
        return result

    def get(
        self, name: str, *, version: int | str | None = None, alias: str | None = None
    ) -> ModelDetail | VersionDetail:
        """A model with its versions; or, given ``version`` or ``alias``, that version in detail."""
        if version is None and alias is None:
            model: ModelDetail = self._transport.call(GetModel.build(name=name))
            return model
        detail: VersionDetail = self._transport.call(GetVersion.build(name=name, version=version, alias=alias))
        return detail

    def download(
        self,
        name: str,
        *,
        version: int | str | None = None,
        alias: str | None = None,
        dest: str | Path | None = None,
    ) -> Path:
        """Save a version's artifacts as a zip; returns its path.

        The version is ``version``, else the one ``alias`` points to, else the newest. ``dest`` is a file path or an
        existing folder (default: the current folder); the file is named ``NAME-vVERSION.zip`` in a folder.
        """
        request = DownloadVersion.build(name=name, version=version, alias=alias)
        target = Path(dest) if dest is not None else Path.cwd()
        if not target.is_dir() and not target.parent.is_dir():
            raise InvalidParameter(f"Cannot write {target}: folder {target.parent} does not exist")
        document = self._transport.download(request)
        if target.is_dir():
            # NAME-vVERSION.zip, the version being the one the reference resolved to (the service names the file).
            target = target / file_safe(Path(document.file_name).name or f"{name}.zip")
        try:
            target.write_bytes(document.content)
        except OSError as exc:
            raise InvalidParameter(f"Cannot write {target}: {exc.strerror or exc}") from None
        return target

    def compare(
        self, name: str, metrics: Sequence[str] | None = None, *, versions: Sequence[int | str] | None = None
    ) -> VersionComparison:
        """Metrics across versions (oldest first), shown as charts and a table; ``.to_frame()``, ``.to_csv()``."""
        request = CompareVersions.build(
            name=name,
            metrics=_listed(metrics),
            versions=_listed(versions),
        )
        result: VersionComparison = self._transport.call(request)
        return result

    def set_alias(
        self, name: str, alias: str, version: int | str, *, override_reason: str | None = None
    ) -> ModelVersion:
        """Point ``alias`` (e.g. ``"champion"``) at ``version``; returns that version.

        A gated alias (champion and production unless ``MAESTRO_GATED_ALIASES`` says otherwise) goes only to a
        version whose latest tests passed: otherwise ``GateRefused`` names the failed checks. ``override_reason``
        lets it through anyway and is recorded on the version (who, when, why)."""
        request = SetAlias.build(name=name, alias=alias, version=version, override_reason=override_reason)
        result: ModelVersion = self._transport.call(request)
        return result

    def delete_alias(self, name: str, alias: str) -> None:
        """Remove an alias from a model."""
        self._transport.call(DeleteAlias.build(name=name, alias=alias))

    def set_tag(self, name: str, key: str, value: str, *, version: int | str | None = None) -> None:
        """Tag the model, or one version of it."""
        self._transport.call(SetTag.build(name=name, key=key, value=value, version=version))

    def delete_tag(self, name: str, key: str, *, version: int | str | None = None) -> None:
        """Remove a tag from the model, or from one version of it."""
        self._transport.call(DeleteTag.build(name=name, key=key, version=version))

    def update_description(
        self, name: str, description: str, *, version: int | str | None = None
    ) -> ModelDetail | VersionDetail:
        """Replace the description of the model, or of one version of it; returns what was updated."""
        request = UpdateDescription.build(name=name, description=description, version=version)
        result: ModelDetail | VersionDetail = self._transport.call(request)
        return result

    def register(
        self,
        run_id: str,
        name: str,
        *,
        artifact_path: str = "model",
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> ModelVersion:
        """Register the model a run logged (at ``artifact_path``) as a new version of ``name``."""
        request = RegisterModel.build(
            run_id=run_id,
            name=name,
            artifact_path=artifact_path,
            description=description,
            tags=tags if tags is not None else {},
        )
        result: ModelVersion = self._transport.call(request)
        return result


def _listed(values: Sequence[str | int] | str | int | None) -> list[str | int] | None:
    """A sequence as a list (one value as a list of it; ``None`` stays)."""
    if values is None:
        return None
    if isinstance(values, str | int):
        return [values]
    return list(values)
