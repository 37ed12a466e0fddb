"""A page's MyST markup, read the same way by the contract check and the notebook converter.

Both parse a page with myst-parser's markdown-it parser (with the syntax extensions the
pages use) and split a directive fence the same way: ``{name} argument`` on the fence
line, then ``:option: value`` lines, then the body.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

# The fence line of a directive, ```{name} argument or :::{name} argument.
DIRECTIVE = re.compile(r"^\{([\w-]+)\}\s*(.*)$")
# One option line at the top of a directive's body.
OPTION = re.compile(r"^:([\w-]+):\s*(.*)$")
# The MyST syntax extensions the pages use: conf.py enables these, and the contract and
# the notebook converter parse with the same set.
MYST_EXTENSIONS = ("colon_fence", "deflist", "dollarmath", "amsmath", "attrs_inline")


def parser() -> MarkdownIt:
    """A markdown-it parser that reads the pages' MyST syntax into tokens."""
    config = MdParserConfig(enable_extensions=set(MYST_EXTENSIONS))
    return create_md_parser(config, RendererHTML)


def split_directive(info: str, content: str) -> tuple[str, str, dict[str, str], str] | None:
    """``(name, argument, options, body)`` of a fence, or None if it is not a directive."""
    match = DIRECTIVE.match(info.strip())
    if not match:
        return None
    options: dict[str, str] = {}
    lines = content.splitlines()
    while lines and (option := OPTION.match(lines[0])):
        options[option[1]] = option[2]
        lines.pop(0)
    return match[1], match[2].strip(), options, "\n".join(lines).strip()
