"""Fuzzing a service's API from its own OpenAPI description with schemathesis: every
operation gets generated requests, and the answers must never be a server error and, when
successful, must have the promised shape.

The operations are driven here rather than through schemathesis' pytest plugin, whose
fixture-based schemas do not work with this pytest; each operation still runs as its own
Hypothesis test, so a failure is shrunk to a small example. The examples are the same on
every run; to look further, raise ``examples`` for a run of your own."""

from dataclasses import dataclass
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance


@dataclass
class Finding:
    operation: str
    problem: str


def fuzz(
    app: Any,
    headers: dict[str, str],
    *,
    examples: int,
    skip: frozenset[str] = frozenset(),
) -> tuple[int, list[Finding]]:
    """Fuzzes each operation of ``app`` (but those named in ``skip``, as "METHOD /path")
    with ``headers``; returns how many operations ran and what failed."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    findings: list[Finding] = []
    ran = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label in skip:
            continue
        ran += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=True,  # the same examples on every run: CI's answer is repeatable
            suppress_health_check=list(HealthCheck),
        )
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(
                headers=headers, checks=[not_a_server_error, response_schema_conformance]
            )

        try:
            run()
        # Every failure is collected, then reported together; schemathesis groups its own
        # in a BaseExceptionGroup.
        except (Exception, BaseExceptionGroup) as exc:
            findings.append(Finding(operation.label, f"{type(exc).__name__}: {exc}"[:3000]))
    return ran, findings


def report(findings: list[Finding]) -> str:
    return "\n\n".join(f"{f.operation}\n{f.problem}" for f in findings)
