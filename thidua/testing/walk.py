"""What every page of the Vietnamese interface must be, checked in a real browser.

`PageChecks.visit(page, label)` looks at the page the browser is on at a desktop width (1366)
and a phone width (390) and records what is wrong with it:

* exactly one `h1`, and it says something;
* every visible input, select and textarea has a label (a `<label>`, `aria-label` or
  `aria-labelledby` that names it);
* at 390 px nothing scrolls sideways (`document.scrollingElement.scrollWidth <= innerWidth`);
* no date box of the browser's own (`type="date"`): it follows the browser's language
  (mm/dd/yyyy in an English browser); dates are typed dd/mm/yyyy (`lib.formfields.DayField`);
* no English in the visible text, the placeholders or the accessible names: the words that
  leak from untranslated templates and Python (`ENGLISH`) and the stored codes of the models'
  choices (`stored_codes()`), outside anything marked `lang="en"` (the language switch);
  nor Django's empty choice "---------", which says nothing in any language.

The findings are kept, not raised, so that one walk reports every page it met; the test asserts
on them at the end, set against the defects it knows of (`Known`).
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.apps import apps
from playwright.sync_api import Page, ViewportSize
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

DESKTOP: ViewportSize = {"width": 1366, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}

# English words that leak into a Vietnamese page: Django's and forms' defaults, Python values
# printed as they are, the models' words left untranslated. Matched as whole words, any case.
ENGLISH = (
    "Submit", "Save", "Cancel", "Delete", "Edit", "Search", "Filter", "Next", "Previous",
    "Back", "Home", "Login", "Logout", "Password", "Username", "Required", "Optional",
    "None", "True", "False", "null", "undefined", "NaN", "Yes", "Unknown", "Choose",
    "Select", "Upload", "Download", "Browse", "Loading", "Error", "Warning", "Success",
    "individual", "collective", "pending", "draft", "submitted", "approved", "returned",
    "member", "deputy", "head", "phase", "year", "poll", "ballot", "vote", "votes", "score",
    "points", "total", "status", "deadline", "overdue", "signed", "unit", "units", "page",
    "This field is required", "Enter a valid", "Currently", "Change", "Clear",
)  # fmt: skip

# Django's label for no choice in a select, shown where a form did not name its own.
EMPTY_CHOICE = "---------"

# Stored codes that are also something a Vietnamese page may rightly show.
_NOT_CODES = {"excel"}

# What a page's visible text, placeholders and accessible names are read as: the text of
# every element the reader sees, outside the parts marked as another language.
_READ_TEXT = """() => {
  const skip = (el) => el.closest('[lang]:not([lang^="vi"])') !== null;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const parts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || skip(el) || ['SCRIPT', 'STYLE', 'TEMPLATE'].includes(el.tagName)) continue;
    if (!el.checkVisibility({visibilityProperty: true})) continue;
    parts.push(node.textContent);
  }
  for (const el of document.querySelectorAll('[placeholder], [aria-label], [title]')) {
    if (skip(el) || !el.checkVisibility({visibilityProperty: true})) continue;
    for (const name of ['placeholder', 'aria-label', 'title']) {
      if (el.hasAttribute(name)) parts.push(el.getAttribute(name));
    }
  }
  for (const el of document.querySelectorAll('input[type=submit][value], option')) {
    if (!skip(el)) parts.push(el.value && el.tagName === 'INPUT' ? el.value : el.textContent);
  }
  return parts.join('\\n');
}"""

_UNLABELLED = """() => {
  const named = (el) => {
    if ((el.getAttribute('aria-label') || '').trim()) return true;
    const ids = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
    if (ids.some((id) => (document.getElementById(id)?.textContent || '').trim())) return true;
    return Array.from(el.labels || []).some((label) => label.textContent.trim());
  };
  const ignored = ['hidden', 'submit', 'button', 'reset', 'image'];
  return Array.from(document.querySelectorAll('input, select, textarea'))
    .filter((el) => !ignored.includes((el.getAttribute('type') || '').toLowerCase()))
    .filter((el) => el.checkVisibility({visibilityProperty: true}))
    .filter((el) => !named(el))
    .map((el) => el.outerHTML.slice(0, el.outerHTML.indexOf('>') + 1).slice(0, 160));
}"""

_DATE_PICKERS = """() => Array.from(document.querySelectorAll('input[type=date]'))
  .filter((el) => el.checkVisibility({visibilityProperty: true}))
  .map((el) => el.outerHTML.slice(0, el.outerHTML.indexOf('>') + 1).slice(0, 160))"""

_HEADINGS = """() => Array.from(document.querySelectorAll('h1')).map((h) => h.textContent.trim())"""

_WIDTH = """() => [document.scrollingElement.scrollWidth, window.innerWidth]"""
_FITS = """() => document.scrollingElement.scrollWidth <= window.innerWidth"""
SETTLE_MS = 2_000

# Which element is wider than the phone, to say where the sideways scroll comes from.
_WIDEST = """() => {
  const limit = window.innerWidth;
  const wide = Array.from(document.querySelectorAll('body *'))
    .filter((el) => el.getBoundingClientRect().right > limit + 0.5)
    .filter((el) => !el.closest('.table-wrap, [data-scrolls]'));
  const deepest = wide.filter((el) => !wide.some((o) => o !== el && el.contains(o)));
  return deepest.slice(0, 3).map((el) => {
    const r = el.getBoundingClientRect();
    const cls = el.className ? '.' + String(el.className).split(' ')[0] : '';
    return `${el.tagName.toLowerCase()}${cls} (${Math.round(r.left)}–${Math.round(r.right)} px)`;
  });
}"""


def stored_codes() -> set[str]:
    """Every string stored for a choice of thidua's models ("in_progress", "collective" ...)."""
    codes: set[str] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("thidua."):
            continue
        for model_field in model._meta.get_fields():
            for value, _label in getattr(model_field, "choices", None) or ():
                if isinstance(value, str) and len(value) >= 3:
                    codes.add(value)
    return codes - _NOT_CODES


def _word_pattern(words: Iterable[str], *, ignore_case: bool) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    flags = re.IGNORECASE if ignore_case else 0
    # Whole words: not inside a longer word, an address or a file name.
    return re.compile(rf"(?<![\w./-])(?:{alternatives})(?![\w/-]|\.\w)", flags)


@dataclass(frozen=True)
class Finding:
    """One thing wrong with one page: where (the walk's label, the path), what, at which width."""

    label: str
    path: str
    width: int
    check: str  # "h1", "label", "date", "scroll", "english"
    detail: str

    def __str__(self) -> str:
        return f"{self.label} ({self.path}) at {self.width} px — {self.check}: {self.detail}"


@dataclass(frozen=True)
class Known:
    """A defect found by the walk in a page another engineer owns, reported and not yet fixed.

    It matches the findings of a check on a path (a regular expression searched in it) whose
    detail contains `detail`. A `Known` that matches nothing fails the walk, as a strict xfail
    does: the defect was fixed, so the entry goes.
    """

    path: str
    check: str
    detail: str
    why: str

    def matches(self, finding: Finding) -> bool:
        return (
            finding.check == self.check
            and re.search(self.path, finding.path) is not None
            and self.detail in finding.detail
        )


@dataclass
class PageChecks:
    """The findings of one walk, and the pages it met."""

    english: re.Pattern[str] = field(
        default_factory=lambda: _word_pattern(ENGLISH, ignore_case=True)
    )
    codes: re.Pattern[str] = field(
        default_factory=lambda: _word_pattern(stored_codes(), ignore_case=False)
    )
    findings: list[Finding] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)
    seconds: float = 0.0  # spent checking, to keep the walk's time in view

    def visit(self, page: Page, label: str) -> None:
        """Check the page the browser shows at both widths; the page is left at desktop width."""
        page.wait_for_load_state()
        started = time.monotonic()
        path = urlsplit(page.url).path
        self.visited.append(f"{label} {path}")
        for size in (DESKTOP, PHONE):
            page.set_viewport_size(size)
            self._check(page, label, path, size["width"])
        page.set_viewport_size(DESKTOP)
        self.seconds += time.monotonic() - started

    def _check(self, page: Page, label: str, path: str, width: int) -> None:
        def found(check: str, detail: str) -> None:
            self.findings.append(Finding(label, path, width, check, detail))

        headings: list[str] = page.evaluate(_HEADINGS)
        if len(headings) != 1 or not headings[0]:
            found("h1", f"{len(headings)} h1: {headings}")
        for element in page.evaluate(_UNLABELLED):
            found("label", element)
        for element in page.evaluate(_DATE_PICKERS):
            found("date", element)
        if width == PHONE["width"]:
            # A page's own scripts (a chart's resize observer) refit it a few frames after the
            # window narrows: give them a moment before measuring.
            with contextlib.suppress(PlaywrightTimeoutError):
                page.wait_for_function(_FITS, timeout=SETTLE_MS, polling="raf")
            scroll_width, inner_width = page.evaluate(_WIDTH)
            if scroll_width > inner_width:
                widest = ", ".join(page.evaluate(_WIDEST))
                found("scroll", f"{scroll_width} px wide in {inner_width}: {widest}")
        text: str = page.evaluate(_READ_TEXT)
        leaked = sorted(
            {m.group(0) for m in self.english.finditer(text)}
            | {m.group(0) for m in self.codes.finditer(text)}
        )
        if leaked:
            found("english", ", ".join(leaked) + " — in: " + _contexts(text, leaked))
        if EMPTY_CHOICE in text:
            found("english", f"{EMPTY_CHOICE} — in: " + _contexts(text, [EMPTY_CHOICE]))

    def unexpected(self, known: Iterable[Known]) -> tuple[list[Finding], list[Known]]:
        """The findings no known defect explains, and the known defects that were not met."""
        known = list(known)
        left = [f for f in self.findings if not any(k.matches(f) for k in known)]
        unmet = [k for k in known if not any(k.matches(f) for f in self.findings)]
        return left, unmet


def _contexts(text: str, words: list[str]) -> str:
    """A few words around the first occurrence of each leaked word, to find it in the page."""
    out = []
    for word in words[:4]:
        match = re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text)
        if match is not None:
            out.append(
                "«" + " ".join(text[max(0, match.start() - 40) : match.end() + 40].split()) + "»"
            )
    return "; ".join(out)


def report(findings: Iterable[Any]) -> str:
    """The findings, one line each, the same finding at both widths once."""
    lines: dict[str, list[str]] = {}
    for f in findings:
        if isinstance(f, Finding):
            key = f"{f.path} — {f.check}: {f.detail}"
            lines.setdefault(key, []).append(f"{f.label} at {f.width} px")
        else:
            lines.setdefault(str(f), [])
    return "\n".join(
        f"{key}  [{'; '.join(dict.fromkeys(where))}]" if where else key
        for key, where in lines.items()
    )
