"""A complexity budget for GraphQL queries: fields weighted by the page sizes they multiply.

Depth, alias and token limits come from strawberry's own extensions; this adds what they
miss: `claims(first: 200) { edges { node { assertions { report { claims { … } } } } } }` is
shallow but huge. A field costs 1 times the product of the page sizes above it. A field's
page size is its `first` argument (a literal or a variable, read from the request), else
the schema's default for `first`, else LIST_GUESS for a list and 1 for anything else; the
`edges` of a connection do not multiply again, their size is the connection's `first`.

The estimate needs the request's variables (`claims(first: $n)` with n = 200 costs 200×,
not a guess), so it runs per request as execution starts, not as a (cached) validation rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from strawberry.extensions import SchemaExtension

LIST_GUESS = 10
Composite = GraphQLObjectType | GraphQLInterfaceType


def _default_first(field_def: GraphQLField | None) -> int | None:
    arg = field_def.args.get("first") if field_def is not None else None
    return arg.default_value if arg is not None and isinstance(arg.default_value, int) else None


def _page(field: FieldNode, field_def: GraphQLField | None, variables: dict[str, Any], in_connection: bool) -> int:
    for arg in field.arguments or ():
        if arg.name.value == "first":
            if isinstance(arg.value, IntValueNode):
                return max(1, int(arg.value.value))
            if isinstance(arg.value, VariableNode):
                value = variables.get(arg.value.name.value)
                if isinstance(value, int) and not isinstance(value, bool):
                    return max(1, value)
    default = _default_first(field_def)
    if default is not None:
        return max(1, default)
    field_type = field_def.type if field_def is not None else None
    if isinstance(field_type, GraphQLNonNull):
        field_type = field_type.of_type
    return LIST_GUESS if isinstance(field_type, GraphQLList) and not in_connection else 1


def selection_cost(
    selection_set: SelectionSetNode | None,
    parent: Composite | None,
    schema: GraphQLSchema,
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
            field_def = parent.fields.get(selection.name.value) if parent is not None else None
            named = get_named_type(field_def.type) if field_def is not None else None
            child = named if isinstance(named, Composite) else None
            in_connection = parent is not None and parent.name.endswith("Connection")
            page = _page(selection, field_def, variables, in_connection)
            total += multiplier + selection_cost(
                selection.selection_set, child, schema, fragments, variables, multiplier * page, seen
            )
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            scope = schema.get_type(condition.name.value) if condition is not None else parent
            scope = scope if isinstance(scope, Composite) else None
            total += selection_cost(selection.selection_set, scope, schema, fragments, variables, multiplier, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in fragments and name not in seen:
                fragment = fragments[name]
                scope = schema.get_type(fragment.type_condition.name.value)
                scope = scope if isinstance(scope, Composite) else None
                total += selection_cost(
                    fragment.selection_set, scope, schema, fragments, variables, multiplier, seen | {name}
                )
    return total


def operation_costs(
    schema: GraphQLSchema, definitions: Any, variables: dict[str, Any], operation_name: str | None
) -> Iterator[int]:
    """The estimated cost of each operation that would run (all of them when none is named)."""
    fragments = {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
    for definition in definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if operation_name is not None and (definition.name is None or definition.name.value != operation_name):
            continue
        root = schema.get_root_type(definition.operation) if definition.operation in OperationType else None
        yield selection_cost(definition.selection_set, root, schema, fragments, variables)


class CostLimiter(SchemaExtension):
    """Refuses, before execution, an operation whose estimated cost exceeds the budget."""

    def __init__(self, budget: int) -> None:
        super().__init__()
        self.budget = budget

    def on_execute(self) -> Iterator[None]:
        # Validation has passed when execution starts; a result set here replaces execution.
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.result is None:
            costs = operation_costs(
                context.schema._schema, document.definitions, context.variables or {}, context.operation_name
            )
            cost = max(costs, default=0)
            if cost > self.budget:
                message = (
                    f"query too complex: estimated cost {cost} exceeds the budget of {self.budget} "
                    "(ask for smaller pages with `first`, or fewer nested lists)"
                )
                context.result = ExecutionResult(data=None, errors=[GraphQLError(message)])
        yield
