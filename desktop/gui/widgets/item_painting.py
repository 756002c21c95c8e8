"""Painting a view item whose content is narrower than its row (used by custom delegates)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex
from PySide6.QtGui import QBrush, QIcon, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem


def draw_item_in_row(
    delegate: QStyledItemDelegate,
    painter: QPainter,
    option: QStyleOptionViewItem,
    index: QModelIndex | QPersistentModelIndex,
    content: QStyleOptionViewItem,
) -> None:
    """Draw the background and selection across ``option.rect``, then the item's icon and text
    as set up in ``content`` (usually a smaller rect), without a second background or a focus
    frame."""
    widget = content.widget
    style = widget.style() if widget else None
    if style is None:
        return
    back = QStyleOptionViewItem(option)
    delegate.initStyleOption(back, index)
    back.text = ""
    back.icon = QIcon()
    style.drawControl(QStyle.ControlElement.CE_ItemViewItem, back, painter, widget)
    content.backgroundBrush = QBrush()
    content.state &= ~QStyle.StateFlag.State_HasFocus
    style.drawControl(QStyle.ControlElement.CE_ItemViewItem, content, painter, widget)
