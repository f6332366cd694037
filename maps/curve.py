"""The confidence / emotion curve across stages, drawn as server-side SVG."""

from dataclasses import dataclass

COLUMN_WIDTH = 250  # px: the board's stage column width in app.css
HEIGHT = 90
PAD = 12


@dataclass(frozen=True)
class CurvePoint:
    x: float
    y: float
    confidence: float
    stage_name: str


@dataclass(frozen=True)
class Curve:
    width: int
    height: int
    points: list[CurvePoint]
    path: str
    zero_y: float

    @property
    def summary(self) -> str:
        """The curve in words, for screen readers."""
        if not self.points:
            return "No user states with a confidence score yet."
        return "; ".join(f"{p.stage_name}: {p.confidence:+g}" for p in self.points)


def _y(confidence: float) -> float:
    # -5 at the bottom, +5 at the top.
    return round(PAD + (5 - confidence) / 10 * (HEIGHT - 2 * PAD), 1)


def confidence_curve(stage_scores: list[tuple[str, list[int]]]) -> Curve:
    """`stage_scores`: (stage name, confidences of its user states) per stage, in order.

    Each stage with at least one score gets a point at the mean of its scores, in the
    middle of its column; stages without a score are skipped, not drawn as zero.
    """
    points = []
    for index, (name, scores) in enumerate(stage_scores):
        if not scores:
            continue
        mean = round(sum(scores) / len(scores), 1)
        points.append(CurvePoint(x=index * COLUMN_WIDTH + COLUMN_WIDTH / 2, y=_y(mean), confidence=mean, stage_name=name))
    path = " ".join(f"{'M' if i == 0 else 'L'}{p.x:g},{p.y:g}" for i, p in enumerate(points))
    return Curve(
        width=max(1, len(stage_scores)) * COLUMN_WIDTH, height=HEIGHT, points=points, path=path, zero_y=_y(0)
    )
