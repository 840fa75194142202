"""The import limits, from the registry's settings (``KORTISTO_IMPORT_*``)."""

from typing import Annotated

from fastapi import Depends

from services.registry.runtime import RegistryDep
from services.registry.settings import RegistrySettings

MIB = 1024 * 1024


def import_limits(registry: RegistryDep) -> RegistrySettings:
    return registry.settings


ImportLimitsDep = Annotated[RegistrySettings, Depends(import_limits)]
