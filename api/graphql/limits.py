"""A complexity budget for GraphQL queries: fields weighted by the page sizes they multiply. Pure over the AST.

Depth, alias and token limits come from strawberry's own extensions; this adds what they
miss: `claims(first: 200) { assertions { report { claims { … } } } }` is shallow but huge.
A field costs 1 times the product of the page sizes above it; a field with a `first`
argument multiplies its children by it, a list field without one by LIST_GUESS.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
)

LIST_FIELDS = frozenset(
    {"claims", "assertions", "papers", "reports", "paraphrases", "evidence", "results", "edges", "benchmarks"}
)
LIST_GUESS = 10


def _page(field: FieldNode, variables: dict[str, Any]) -> int:
    for arg in field.arguments or ():
        if arg.name.value == "first":
            if isinstance(arg.value, IntValueNode):
                return max(1, int(arg.value.value))
            if isinstance(arg.value, VariableNode):
                return max(1, int(variables.get(arg.value.name.value) or LIST_GUESS))
    return LIST_GUESS if field.name.value in LIST_FIELDS else 1


def selection_cost(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
    multiplier: int = 1,
    seen: frozenset[str] = frozenset(),
) -> int:
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            total += multiplier + selection_cost(
                selection.selection_set, fragments, variables, multiplier * _page(selection, variables), seen
            )
        elif isinstance(selection, InlineFragmentNode):
            total += selection_cost(selection.selection_set, fragments, variables, multiplier, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in fragments and name not in seen:
                total += selection_cost(fragments[name].selection_set, fragments, variables, multiplier, seen | {name})
    return total


def cost_rule(budget: int) -> type[ValidationRule]:
    class CostLimit(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            fragments = {d.name.value: d for d in context.document.definitions if isinstance(d, FragmentDefinitionNode)}
            for definition in context.document.definitions:
                if isinstance(definition, FragmentDefinitionNode):
                    continue
                cost = selection_cost(getattr(definition, "selection_set", None), fragments, {})
                if cost > budget:
                    context.report_error(
                        GraphQLError(
                            f"query too complex: estimated cost {cost} exceeds the budget of {budget} "
                            "(ask for smaller pages with `first`, or fewer nested lists)"
                        )
                    )

    return CostLimit
