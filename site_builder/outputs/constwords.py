"""A Jinja extension that translates the theme's constant words when a template is compiled:
`_("Tags")` becomes the literal 'Метки', so a page pays nothing for it (newstyle gettext costs a
call, a Markup and a `%` for each of some 25 words a page, a sixth of a page's render time).
Calls with placeholders, `_("Page %(number)s", number=n)`, are left to newstyle gettext, which
checks them on every page.

The environment is made per language (outputs/render.py), and so are its compiled templates.
"""

from __future__ import annotations

import gettext
from typing import Iterator

import jinja2
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream

GETTEXT_NAMES = {"_", "gettext"}
CALL_SHAPE = ("name", "lparen", "string", "rparen")
# Jinja's compile-time `~` joins Markup unescaped where the page would escape: such calls stay.
NOT_BEFORE = {"dot", "tilde", "add"}
NOT_AFTER = {"tilde", "add", "mul", "mod", "dot", "lbracket", "lparen"}


class ConstantWords(Extension):
    """Folds `_("literal")` into `("translation"|safe)`, which Jinja's compiler turns into a
    constant: the text newstyle gettext gives under autoescape."""

    def __init__(self, environment: jinja2.Environment):
        super().__init__(environment)
        environment.extend(word_translations=gettext.NullTranslations())

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        """Yield the template's tokens with each constant gettext call replaced."""
        tokens = list(stream)
        index = 0
        while index < len(tokens):
            call = tokens[index:index + len(CALL_SHAPE)]
            before = tokens[index - 1] if index else None
            after = tokens[index + len(call)] if index + len(call) < len(tokens) else None
            if is_constant_call(call, before, after):
                yield from self.folded(call)
                index += len(call)
            else:
                yield tokens[index]
                index += 1

    def folded(self, call: list[Token]) -> list[Token]:
        """Return the tokens of the call's translation as a safe constant, or the call itself
        when its text is no valid newstyle message (the page then reports the error)."""
        try:
            text = self.environment.word_translations.gettext(call[2].value) % {}
        except (KeyError, ValueError, TypeError):
            return call
        line = call[0].lineno
        return [Token(line, "lparen", "("), Token(line, "string", text), Token(line, "pipe", "|"),
                Token(line, "name", "safe"), Token(line, "rparen", ")")]


def is_constant_call(call: list[Token], before: Token | None, after: Token | None) -> bool:
    """Return whether tokens are `_("literal")` calling the gettext global (not an attribute),
    with no operator next to them that folding would change."""
    return (tuple(t.type for t in call) == CALL_SHAPE and call[0].value in GETTEXT_NAMES
            and (before is None or before.type not in NOT_BEFORE)
            and (after is None or after.type not in NOT_AFTER))
