"""The database session dependency every service uses: one unit of work per request,
committed before the response is sent (``scope="function"``), so a failed commit is
never reported as a success."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session


def request_session(request: Request) -> Iterator[Session]:
    with request.app.state.database.session() as session:
        yield session


SessionDep = Annotated[Session, Depends(request_session, scope="function")]
