#include "ui/palette_widget.h"

#include <QLabel>
#include <QListWidget>
#include <QPainter>
#include <QStyledItemDelegate>
#include <QVBoxLayout>

namespace p2p::ui {

namespace {

QIcon swatch(const QColor& colour) {
    QIcon icon;
    for (int side : {16, 20, 32, 40}) {
        QPixmap pm(side, side);
        pm.fill(Qt::transparent);
        QPainter p(&pm);
        p.setRenderHint(QPainter::Antialiasing, true);
        p.setPen(QPen(QColor(0, 0, 0, 110), side / 16.0));
        p.setBrush(colour);
        const double inset = side / 16.0;
        p.drawRoundedRect(QRectF(inset, inset, side - 2 * inset, side - 2 * inset), side / 6.0, side / 6.0);
        p.end();
        icon.addPixmap(pm);
    }
    return icon;
}

constexpr int kKeyRole = Qt::UserRole + 1;

// Draws the row as usual, then its shortcut key dimmed at the right edge.
class KeyDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override {
        QStyledItemDelegate::paint(painter, option, index);
        const QString key = index.data(kKeyRole).toString();
        if (key.isEmpty()) return;
        painter->save();
        QColor c = option.palette.color(option.state & QStyle::State_Selected ? QPalette::HighlightedText
                                                                              : QPalette::Text);
        c.setAlphaF(0.5);
        painter->setPen(c);
        painter->drawText(option.rect.adjusted(0, 0, -8, 0), Qt::AlignRight | Qt::AlignVCenter, key);
        painter->restore();
    }
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override {
        QSize s = QStyledItemDelegate::sizeHint(option, index);
        s.setHeight(std::max(s.height(), 26));
        s.setWidth(s.width() + 28);
        return s;
    }
};

}  // namespace

PaletteWidget::PaletteWidget(QWidget* parent) : QWidget(parent) {
    list_ = new QListWidget(this);
    list_->setIconSize(QSize(20, 20));
    list_->setUniformItemSizes(true);
    list_->setSelectionMode(QAbstractItemView::SingleSelection);
    list_->setItemDelegate(new KeyDelegate(list_));
    message_ = new QLabel(this);
    message_->setWordWrap(true);
    message_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    message_->setMargin(8);
    message_->hide();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(list_);
    layout->addWidget(message_);
    connect(list_, &QListWidget::currentRowChanged, this, &PaletteWidget::currentIndexChanged);
}

QString PaletteWidget::shortcutFor(int index) {
    static const char* keys[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "-", "="};
    return index >= 0 && index < 12 ? QString::fromLatin1(keys[index]) : QString();
}

void PaletteWidget::setEntries(const QVector<PaletteEntry>& entries) {
    entries_ = entries;
    const QSignalBlocker block(list_);
    list_->clear();
    for (int i = 0; i < entries.size(); ++i) {
        auto* item = new QListWidgetItem(swatch(entries[i].colour), entries[i].name, list_);
        const QString key = shortcutFor(i);
        item->setToolTip(tr("%1 — %2 (key %3)").arg(entries[i].name, entries[i].colour.name(), key));
        item->setData(kKeyRole, key);
    }
    list_->setVisible(!entries.isEmpty());
    message_->setVisible(entries.isEmpty());
}

void PaletteWidget::setMessage(const QString& message) {
    message_->setText(message);
    if (entries_.isEmpty()) message_->show();
}

int PaletteWidget::currentIndex() const {
    return list_->currentRow();
}

void PaletteWidget::setCurrentIndex(int index) {
    if (index < 0 || index >= entries_.size()) return;
    list_->setCurrentRow(index);
}

}  // namespace p2p::ui
