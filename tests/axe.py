"""axe-core (vendored in tests/vendor/axe-core, test-only: never served) run in a Playwright page.

The script is evaluated through the DevTools protocol, which the page's strict CSP does not
govern, so the page under test keeps its real policy."""

from pathlib import Path

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()

# WCAG 2.0 and 2.1, levels A and AA: the bar issue 14 sets.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}


def scan(page) -> list[dict]:
    """The serious and critical WCAG 2.1 A/AA violations on the page as it is now, one per node:
    {"rule", "impact", "target", "html", "summary"}."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    found = []
    for violation in result["violations"]:
        for node in violation["nodes"]:
            impact = node.get("impact") or violation.get("impact")
            if impact not in BLOCKING:
                continue
            found.append({
                "rule": violation["id"],
                "impact": impact,
                "target": " ".join(str(t) for t in node["target"]),
                "html": node["html"][:160],
                "summary": (node.get("failureSummary") or "").replace("\n", " ")[:240],
            })
    return found


def describe(found_by_state: dict[str, list[dict]]) -> str:
    lines = []
    for state, found in found_by_state.items():
        for item in found:
            lines.append(f"{state}: [{item['impact']}] {item['rule']} at {item['target']}\n"
                         f"    {item['html']}\n    {item['summary']}")
    return "\n".join(lines)
