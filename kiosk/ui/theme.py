"""Sizes, colours and the style sheet of the kiosk: big type, big targets, strong contrast.

Every size is given for a 1080-pixel short side and scaled by ``Metrics.u``.
"""

from __future__ import annotations

from dataclasses import dataclass

NOMINAL = {"portrait": (1080, 1920), "landscape": (1920, 1080)}
FONT_FAMILIES = ["Noto Sans", "DejaVu Sans"]

BLUE = "#0b3d91"
BLUE_DARK = "#072a66"
RED = "#b3261e"
GREEN = "#1b6e20"
AMBER = "#8a5a00"
AMBER_BG = "#fff3cd"
GREEN_BG = "#e3f4e4"
RED_BG = "#fde7e6"
PAGE = "#f3f5f9"
INK = "#1a1a1a"
MUTED = "#4a4f57"


@dataclass(frozen=True)
class Metrics:
    width: int
    height: int
    portrait: bool

    @property
    def u(self) -> float:
        return min(self.width, self.height) / 1080

    def px(self, value: float) -> int:
        return max(1, round(value * self.u))

    @property
    def columns(self) -> int:
        """Columns of a grid of choices."""
        return 2 if self.portrait else 4


def metrics_for(orientation: str, size: tuple[int, int] | None = None) -> Metrics:
    width, height = size or NOMINAL[orientation]
    return Metrics(width, height, orientation == "portrait")


def stylesheet(m: Metrics) -> str:
    p = m.px
    return f"""
    QWidget {{ color: {INK}; font-size: {p(34)}px; }}
    #KioskWindow, #Page {{ background: {PAGE}; }}
    #Header {{ background: {BLUE}; }}
    #Header QLabel {{ color: white; }}
    #OfficeName {{ font-size: {p(34)}px; font-weight: bold; }}
    #Clock {{ font-size: {p(50)}px; font-weight: bold; }}
    #Date {{ font-size: {p(26)}px; }}
    #Title {{ font-size: {p(50)}px; font-weight: bold; color: {BLUE_DARK}; }}
    #Hint {{ font-size: {p(30)}px; color: {MUTED}; }}
    #Small {{ font-size: {p(26)}px; color: {MUTED}; }}
    #Banner {{ font-size: {p(30)}px; font-weight: bold; color: {AMBER}; background: {AMBER_BG};
               border: {p(3)}px solid {AMBER}; border-radius: {p(14)}px; padding: {p(14)}px; }}
    QPushButton {{ background: white; border: {p(3)}px solid #b8c2d3; border-radius: {p(22)}px;
                   padding: {p(16)}px; font-size: {p(36)}px; font-weight: bold; color: {BLUE_DARK}; }}
    QPushButton:pressed {{ background: #dbe6f7; }}
    QPushButton:disabled {{ background: #e4e6ea; color: #6b7079; border-color: #cfd3da; }}
    QPushButton[kind="primary"] {{ background: {BLUE}; color: white; border-color: {BLUE_DARK}; }}
    QPushButton[kind="primary"]:pressed {{ background: {BLUE_DARK}; }}
    QPushButton[kind="primary"]:disabled {{ background: #9aa8c4; color: #eef1f7; border-color: #9aa8c4; }}
    QPushButton[kind="go"] {{ background: {GREEN}; color: white; border-color: #0f4a13; }}
    QPushButton[kind="danger"] {{ background: {RED}; color: white; border-color: #7d1a15; }}
    QPushButton[kind="priority"] {{ background: {AMBER_BG}; color: {AMBER}; border-color: {AMBER}; }}
    QPushButton[kind="nav"] {{ font-size: {p(36)}px; min-height: {p(96)}px; }}
    QPushButton[kind="key"] {{ font-size: {p(40)}px; padding: 0px; border-radius: {p(14)}px;
                                min-height: {p(92)}px; color: {INK}; }}
    QPushButton[kind="tone"] {{ font-size: {p(40)}px; padding: 0px; border-radius: {p(14)}px;
                                 min-height: {p(92)}px; color: {RED}; }}
    #ChoiceTitle {{ font-size: {p(40)}px; font-weight: bold; color: {BLUE_DARK}; background: transparent; }}
    #ChoiceNote {{ font-size: {p(28)}px; color: {MUTED}; background: transparent; }}
    #ChoiceNote[closed="true"] {{ color: {RED}; font-weight: bold; }}
    QPushButton[kind="primary"] #ChoiceTitle, QPushButton[kind="primary"] #ChoiceNote {{ color: white; }}
    QLineEdit {{ font-size: {p(46)}px; padding: {p(12)}px; border: {p(3)}px solid {BLUE};
                 border-radius: {p(14)}px; background: white; }}
    #TicketNumber {{ font-size: {p(250)}px; font-weight: bold; color: {RED}; }}
    #TicketHeading {{ font-size: {p(44)}px; font-weight: bold; color: {BLUE_DARK}; }}
    #TicketService {{ font-size: {p(44)}px; font-weight: bold; }}
    #TicketLine {{ font-size: {p(36)}px; }}
    #Notice {{ font-size: {p(36)}px; font-weight: bold; border-radius: {p(18)}px; padding: {p(22)}px; }}
    #Notice[tone="ok"] {{ color: {GREEN}; background: {GREEN_BG}; border: {p(3)}px solid {GREEN}; }}
    #Notice[tone="warn"] {{ color: {AMBER}; background: {AMBER_BG}; border: {p(3)}px solid {AMBER}; }}
    #Notice[tone="error"] {{ color: {RED}; background: {RED_BG}; border: {p(3)}px solid {RED}; }}
    #Notice[tone="info"] {{ color: {BLUE_DARK}; background: #e3ebf8; border: {p(3)}px solid {BLUE}; }}
    #Section {{ font-size: {p(36)}px; font-weight: bold; color: {BLUE_DARK}; }}
    #Body {{ font-size: {p(34)}px; }}
    #Legal {{ font-size: {p(28)}px; color: {MUTED}; }}
    #KeyFacts {{ background: white; border: {p(3)}px solid {BLUE}; border-radius: {p(18)}px; }}
    #FactLabel {{ font-size: {p(28)}px; color: {MUTED}; }}
    #FactValue {{ font-size: {p(38)}px; font-weight: bold; }}
    #FactValue[overdue="true"] {{ color: {RED}; }}
    #Status[kind="progress"] {{ color: {BLUE_DARK}; }}
    #Status[kind="warning"] {{ color: {AMBER}; }}
    #Status[kind="rejected"] {{ color: {RED}; }}
    #Status[kind="done"] {{ color: {GREEN}; }}
    #Check[state="valid"] {{ color: {GREEN}; font-weight: bold; }}
    #Check[state="invalid"] {{ color: {RED}; font-weight: bold; }}
    QScrollArea {{ border: none; background: transparent; }}
    QScrollBar:vertical {{ width: {p(18)}px; background: transparent; }}
    QScrollBar::handle:vertical {{ background: #9aa8c4; border-radius: {p(9)}px; min-height: {p(80)}px; }}
    QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical {{ height: 0px; }}
    """
