"""Restoring a table header's saved layout after the table gained columns.

``QHeaderView.restoreState`` takes a layout saved with fewer sections than the model now has:
the old sections keep their order, widths, hidden state and sort, and the new ones follow.
But Qt leaves the header's total length short by the new sections' width, so the layout
saved from it next is one that ``restoreState`` refuses: at the launch after, every column
would be back to its default. :func:`restore_header` goes through a header of the saved
width first, where the new sections come in as inserted columns, which Qt counts right.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QDataStream, Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QHeaderView

#: What ``QHeaderView.saveState`` writes first: its marker and its format's version.
_MARKER, _VERSION = 0xFF, 0


def saved_section_count(state: QByteArray | bytes) -> int | None:
    """How many sections the header had whose ``saveState`` gave ``state``; ``None`` when
    ``state`` is not a header's state (Qt's layout of it, read as far as that count)."""
    stream = QDataStream(QByteArray(state))
    stream.setVersion(QDataStream.Version.Qt_5_0)  # what saveState writes with
    if stream.readInt32() != _MARKER or stream.readInt32() != _VERSION:
        return None
    for _ in range(3):  # orientation, sort order, sort section
        stream.readInt32()
    stream.readBool()  # sort indicator shown
    for _ in range(2):  # visual and logical indices (empty until a section was moved)
        for _ in range(stream.readUInt32()):
            stream.readInt32()
    stream.skipRawData((stream.readUInt32() + 7) // 8)  # hidden sections, one bit each
    for _ in range(stream.readUInt32()):  # the sizes hidden sections had
        stream.readInt32()
        stream.readInt32()
    stream.readInt32()  # total length
    count = stream.readInt32()
    return count if stream.status() == QDataStream.Status.Ok and count >= 0 else None


def restore_header(header: QHeaderView, state: QByteArray | bytes) -> bool:
    """``header.restoreState(state)``, also right for a state saved with fewer sections."""
    state = QByteArray(state)
    saved, count = saved_section_count(state), header.count()
    if saved is None or saved >= count:
        return header.restoreState(state)
    horizontal = header.orientation() == Qt.Orientation.Horizontal
    model = QStandardItemModel(0, saved) if horizontal else QStandardItemModel(saved, 0)
    probe = QHeaderView(header.orientation())
    probe.setModel(model)
    if not probe.restoreState(state):
        return False
    if horizontal:
        model.insertColumns(saved, count - saved)
    else:
        model.insertRows(saved, count - saved)
    return header.restoreState(probe.saveState())
