"""Rules for the tool-calling parts of an example: ``tools``, ``tool_calls``, ``functions``.

Shapes follow OpenAI's fine-tuning format: an assistant message may call tools with
``tool_calls: [{"id", "type": "function", "function": {"name", "arguments"}}]`` (arguments are
a JSON text), or with the deprecated ``function_call: {"name", "arguments"}``; the example may
define ``tools: [{"type": "function", "function": {"name", "description"?, "parameters"?}}]``
or the deprecated ``functions`` list (1 to 128 entries).
"""

from __future__ import annotations

import json

from desktop.core.dataset.issues import DatasetIssue, IssueCode, make_issue

__all__ = ["check_function_call", "check_functions", "check_tool_calls", "check_tools"]

_MAX_FUNCTIONS = 128

_TOOL_CALLS_FIX = (
    'Write each tool call as {"id": "call_1", "type": "function", "function": '
    '{"name": "...", "arguments": "{...}"}}, with the arguments as JSON text.'
)
_TOOLS_FIX = (
    'Write each tool as {"type": "function", "function": {"name": "...", '
    '"description": "...", "parameters": {...}}}.'
)
_FUNCTIONS_FIX = (
    'Write "functions" as a list of 1 to 128 entries like {"name": "...", '
    '"description": "...", "parameters": {...}}, or use "tools" instead.'
)


def _is_name(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _arguments_problem(arguments: object) -> str | None:
    if not isinstance(arguments, str):
        return "its arguments must be JSON text (a string)"
    try:
        json.loads(arguments)
    except ValueError:
        return "its arguments are not valid JSON"
    return None


def check_tool_calls(value: object, line: int, path: str) -> list[DatasetIssue]:
    """Check an assistant message's ``tool_calls`` list.

    Args:
        value: the value of ``tool_calls``.
        line: the line number.
        path: the path of the ``tool_calls`` field, e.g. ``"messages[2].tool_calls"``.

    Returns:
        The problems found (empty when the calls are well formed).
    """
    code = IssueCode.TOOL_CALLS_INVALID
    if not isinstance(value, list) or not value:
        return [
            make_issue(code, line, path, "the tool calls must be a non-empty list", _TOOL_CALLS_FIX)
        ]
    issues: list[DatasetIssue] = []
    for index, call in enumerate(value):
        where = f"{path}[{index}]"
        problem: str | None = None
        if not isinstance(call, dict):
            problem = "is not an object"
        elif not _is_name(call.get("id")):
            where, problem = f"{where}.id", "has no id"
        elif call.get("type", "function") != "function":
            where, problem = f"{where}.type", 'must have the type "function"'
        elif not isinstance(call.get("function"), dict):
            where, problem = f"{where}.function", "has no function object"
        elif not _is_name(call["function"].get("name")):
            where, problem = f"{where}.function.name", "has no function name"
        else:
            problem = _arguments_problem(call["function"].get("arguments"))
            where = f"{where}.function.arguments"
        if problem is not None:
            issues.append(
                make_issue(code, line, where, f"tool call {index + 1} {problem}", _TOOL_CALLS_FIX)
            )
    return issues


def check_function_call(value: object, line: int, path: str) -> list[DatasetIssue]:
    """Check an assistant message's deprecated ``function_call`` object.

    Args:
        value: the value of ``function_call``.
        line: the line number.
        path: the path of the field, e.g. ``"messages[2].function_call"``.

    Returns:
        The problems found.
    """
    fix = 'Write it as {"name": "...", "arguments": "{...}"}, with the arguments as JSON text.'
    problem: str | None
    if not isinstance(value, dict):
        problem = "the function call must be an object"
    elif not _is_name(value.get("name")):
        problem, path = "the function call has no name", f"{path}.name"
    else:
        problem = _arguments_problem(value.get("arguments"))
        problem = None if problem is None else f"the function call: {problem}"
        path = f"{path}.arguments"
    if problem is None:
        return []
    return [make_issue(IssueCode.FUNCTION_CALL_INVALID, line, path, problem, fix)]


def _function_definition_problem(definition: object) -> tuple[str, str] | None:
    """(relative path, problem) for a bad function definition, else None."""
    if not isinstance(definition, dict):
        return "", "is not an object"
    if not _is_name(definition.get("name")):
        return ".name", "has no name"
    if "description" in definition and not isinstance(definition["description"], str):
        return ".description", "has a description that is not text"
    if "parameters" in definition and not isinstance(definition["parameters"], dict):
        return ".parameters", "has parameters that are not a JSON Schema object"
    return None


def check_tools(value: object, line: int, path: str) -> list[DatasetIssue]:
    """Check the example's ``tools`` definitions.

    Args:
        value: the value of ``tools``.
        line: the line number.
        path: the path of the field (``"tools"`` or ``"input.tools"``).

    Returns:
        The problems found.
    """
    code = IssueCode.TOOLS_INVALID
    if not isinstance(value, list):
        return [make_issue(code, line, path, "the tools must be a list", _TOOLS_FIX)]
    issues: list[DatasetIssue] = []
    for index, tool in enumerate(value):
        where = f"{path}[{index}]"
        found: tuple[str, str] | None
        if not isinstance(tool, dict):
            found = ("", "is not an object")
        elif tool.get("type") != "function":
            found = (".type", 'must have the type "function"')
        else:
            found = _function_definition_problem(tool.get("function"))
            if found is not None:
                found = (f".function{found[0]}", found[1])
        if found is not None:
            issues.append(
                make_issue(code, line, where + found[0], f"tool {index + 1} {found[1]}", _TOOLS_FIX)
            )
    return issues


def check_functions(value: object, line: int, path: str) -> list[DatasetIssue]:
    """Check the example's deprecated ``functions`` definitions.

    Args:
        value: the value of ``functions``.
        line: the line number.
        path: the path of the field.

    Returns:
        The problems found.
    """
    code = IssueCode.FUNCTIONS_INVALID
    if not isinstance(value, list) or not 1 <= len(value) <= _MAX_FUNCTIONS:
        problem = f"the functions must be a list of 1 to {_MAX_FUNCTIONS} definitions"
        return [make_issue(code, line, path, problem, _FUNCTIONS_FIX)]
    issues: list[DatasetIssue] = []
    for index, definition in enumerate(value):
        found = _function_definition_problem(definition)
        if found is not None:
            issues.append(
                make_issue(
                    code,
                    line,
                    f"{path}[{index}]{found[0]}",
                    f"function {index + 1} {found[1]}",
                    _FUNCTIONS_FIX,
                )
            )
    return issues
