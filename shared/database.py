"""SQLAlchemy engines and sessions for one service's schema.

Each service declares its tables on its own ``MetaData(schema=<service>)``. On PostgreSQL
that schema is real; on the embedded SQLite default each service has its own file and the
schema name is translated away, so the same models and queries serve both.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Connection,
    DateTime,
    Dialect,
    Engine,
    ForeignKeyConstraint,
    MetaData,
    SQLColumnExpression,
    Text,
    TextClause,
    bindparam,
    create_engine,
    event,
    exists,
    func,
    literal,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import DataError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.compiler import DDLCompiler, SQLCompiler
from sqlalchemy.sql.selectable import TableValuedAlias
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> str:
    """Primary keys are random UUIDs, so ids reveal nothing and never collide across services."""
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(UTC)


def service_metadata(schema: str) -> MetaData:
    return MetaData(schema=schema, naming_convention=NAMING_CONVENTION)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


class Database:
    """The engine and session factory of one service schema."""

    def __init__(self, url: str, schema: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.schema = schema
        self.engine = make_engine(url, schema, **engine_kwargs)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed on success, rolled back on any error."""
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()


def make_engine(url: str, schema: str, **kwargs: Any) -> Engine:
    if is_sqlite(url):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            from pathlib import Path

            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            # The driver's own transaction handling is off: transactions begin below.
            connect_args={"check_same_thread": False, "timeout": 30, "isolation_level": None},
            execution_options={"schema_translate_map": {schema: None}},
            **kwargs,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _begin_immediate)
        event.listen(engine, "handle_error", _sqlite_overflow_is_data)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    if url.startswith("postgresql"):
        # Short OLTP queries lose more to JIT compilation than they gain from it.
        kwargs.setdefault("connect_args", {"options": "-c jit=off"})
    return create_engine(url, **kwargs)


class UtcDateTime(TypeDecorator[datetime]):
    """A moment, always read back as an aware datetime in UTC.

    PostgreSQL keeps ``timestamptz`` itself; SQLite has no time zones and would store an
    aware value's wall-clock time as it is (13:00 in Helsinki read back as 13:00 UTC), so
    values are stored there as naive UTC and made aware again on reading. A naive value
    given to the database is taken to be UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return moment.replace(tzinfo=None) if dialect.name == "sqlite" else moment

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@compiles(ForeignKeyConstraint, "sqlite")
def _foreign_key_sqlite(constraint: ForeignKeyConstraint, compiler: DDLCompiler, **kw: Any) -> str:
    """SQLite's compiler leaves out a foreign key whose tables name different schemas. Each
    service's tables live in a file of their own there, with the schema translated away, so
    a key between them is always within one file: render it, so that SQLite enforces it."""
    return DDLCompiler.visit_foreign_key_constraint(compiler, constraint, **kw)


def _begin_immediate(conn: Connection) -> None:
    """A transaction takes SQLite's write lock when it begins, as a row lock would be taken
    on PostgreSQL before the rows are read: two units of work that read and then write the
    same rows run one after the other, the second waiting (``busy_timeout``) and then
    reading what the first wrote. A transaction that began by reading could not write
    once another had written (``database is locked``) and would act on what it read."""
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_overflow_is_data(context: ExceptionContext) -> None:
    """A number beyond SQLite's 64-bit integers is refused by the driver with a plain
    ``OverflowError``; PostgreSQL's driver refuses one beyond its type as data. Both are the
    same bad input: raised as SQLAlchemy's ``DataError``, which the services answer with 422."""
    if isinstance(context.original_exception, OverflowError):
        raise DataError(
            context.statement, context.parameters, context.original_exception
        ) from context.original_exception


def set_sqlite_foreign_keys(conn: Connection, enforced: bool) -> None:
    """Turns SQLite's enforcement of foreign keys on or off for ``conn``, outside any
    transaction (SQLite ignores the pragma inside one)."""
    conn.connection.driver_connection.execute(  # type: ignore[union-attr]
        f"PRAGMA foreign_keys={'ON' if enforced else 'OFF'}"
    )


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # WAL lets the API, the worker and beat read while one of them writes.
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


# --- lists of strings in one column ---------------------------------------------------------
# A PostgreSQL array, so that a GIN index answers "holds any of" / "holds all of" with one
# bitmap; JSON on SQLite, where the same conditions read the list with json_each.


def string_list() -> ARRAY[str]:
    return ARRAY(Text()).with_variant(JSON(), "sqlite")


class EmptyList(TextClause):
    """The server default of a ``string_list`` column: ``'{}'`` on PostgreSQL, ``'[]'`` on
    SQLite."""

    inherit_cache = True

    def __init__(self) -> None:
        super().__init__("'{}'")


@compiles(EmptyList, "sqlite")
def _empty_list_sqlite(element: EmptyList, compiler: SQLCompiler, **kw: Any) -> str:
    return "'[]'"


@compiles(EmptyList)
def _empty_list(element: EmptyList, compiler: SQLCompiler, **kw: Any) -> str:
    return "'{}'"


def _array(values: list[str]) -> Any:
    return bindparam(None, values, type_=ARRAY(Text()))


def _json_elements(column: SQLColumnExpression[list[str]]) -> TableValuedAlias:
    return func.json_each(column).table_valued("value")


def has_any(
    dialect: str, column: SQLColumnExpression[list[str]], values: list[str]
) -> ColumnElement[bool]:
    """The list holds at least one of ``values`` (none for no values)."""
    if dialect != "sqlite":
        return column.op("&&", return_type=Boolean)(_array(values))
    each = _json_elements(column)
    return exists(select(literal(1)).select_from(each).where(each.c.value.in_(values)))


def has_all(
    dialect: str, column: SQLColumnExpression[list[str]], values: list[str]
) -> ColumnElement[bool]:
    """The list holds every one of ``values`` (true for no values)."""
    wanted = sorted(set(values))
    if dialect != "sqlite":
        return column.op("@>", return_type=Boolean)(_array(wanted))
    each = _json_elements(column)
    held = (
        select(func.count(func.distinct(each.c.value)))
        .select_from(each)
        .where(each.c.value.in_(wanted))
        .scalar_subquery()
    )
    return held == len(wanted)


def elements(dialect: str, column: SQLColumnExpression[list[str]]) -> TableValuedAlias:
    """The list as a table of one column, ``value``: join it to the list's own table
    (``ON true``) to have a row per element."""
    if dialect != "sqlite":
        unnested: TableValuedAlias = func.unnest(column).table_valued("value").render_derived()
        return unnested
    each: TableValuedAlias = _json_elements(column)
    return each
