#include "ui/palette_widget.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMouseEvent>
#include <QPainter>
#include <QStyledItemDelegate>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

#include "ui/icons.h"

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
constexpr int kSecondaryRole = Qt::UserRole + 2;

// Two overlapping squares, as paint programs show the foreground and background colours: the primary in
// front at the top left, the secondary behind it. An invalid colour is drawn as an empty square.
class SwatchPair : public QWidget {
public:
    using QWidget::QWidget;
    void setColours(const QColor& primary, const QColor& secondary) {
        primary_ = primary;
        secondary_ = secondary;
        update();
    }
    QSize sizeHint() const override { return {36, 36}; }

protected:
    void paintEvent(QPaintEvent*) override {
        QPainter p(this);
        const double side = std::min(width(), height()) * 0.62;
        const QRectF back(width() - side - 1.5, height() - side - 1.5, side, side);
        const QRectF front(1.5, 1.5, side, side);
        for (const auto& [rect, colour] : {std::pair{back, secondary_}, std::pair{front, primary_}}) {
            p.setPen(QPen(palette().color(QPalette::Base), 3));
            p.setBrush(Qt::NoBrush);
            p.drawRect(rect);
            p.setPen(QPen(QColor(0, 0, 0, 140), 1));
            p.setBrush(colour.isValid() ? QBrush(colour) : QBrush(Qt::NoBrush));
            p.drawRect(rect);
        }
    }

private:
    QColor primary_, secondary_;
};

// Draws the row as usual, then its shortcut key dimmed at the right edge; the secondary row gets a dashed
// frame.
class KeyDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override {
        QStyledItemDelegate::paint(painter, option, index);
        if (index.data(kSecondaryRole).toBool()) {
            painter->save();
            painter->setPen(QPen(option.palette.color(QPalette::Text), 1, Qt::DashLine));
            painter->setBrush(Qt::NoBrush);
            painter->drawRect(QRectF(option.rect).adjusted(1.5, 1.5, -1.5, -1.5));
            painter->restore();
        }
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
    pairRow_ = new QWidget(this);
    pairSwatch_ = new SwatchPair(pairRow_);
    pairSwatch_->setFixedSize(36, 36);
    pairLabel_ = new QLabel(pairRow_);
    pairLabel_->setTextFormat(Qt::RichText);
    swapButton_ = new QToolButton(pairRow_);
    swapButton_->setIcon(studioIcon(QStringLiteral("swap-colours")));
    swapButton_->setAutoRaise(true);
    swapButton_->setToolTip(tr("Swap primary and secondary (X)"));
    connect(swapButton_, &QToolButton::clicked, this, &PaletteWidget::swapRequested);
    auto* pairLayout = new QHBoxLayout(pairRow_);
    pairLayout->setContentsMargins(6, 4, 4, 4);
    pairLayout->addWidget(pairSwatch_);
    pairLayout->addWidget(pairLabel_, 1);
    pairLayout->addWidget(swapButton_);
    pairRow_->setToolTip(
        tr("Primary (left button) and secondary colour (right button and eraser).\n"
           "Right-click a row to make it the secondary colour."));

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
    layout->setSpacing(0);
    layout->addWidget(pairRow_);
    layout->addWidget(list_);
    layout->addWidget(message_);
    // Right-clicks choose the secondary row; the list itself would move the current (primary) row.
    list_->viewport()->installEventFilter(this);
    connect(list_, &QListWidget::currentRowChanged, this, [this](int row) {
        updatePair();
        Q_EMIT currentIndexChanged(row);
    });
    updatePair();
}

bool PaletteWidget::eventFilter(QObject* watched, QEvent* event) {
    if (watched == list_->viewport() &&
        (event->type() == QEvent::MouseButtonPress || event->type() == QEvent::MouseButtonDblClick ||
         event->type() == QEvent::MouseButtonRelease)) {
        auto* mouse = static_cast<QMouseEvent*>(event);
        if (mouse->button() == Qt::RightButton) {
            if (event->type() == QEvent::MouseButtonPress) {
                const int row = list_->indexAt(mouse->position().toPoint()).row();
                if (row >= 0) setSecondaryIndex(row);
            }
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void PaletteWidget::setSecondaryIndex(int index) {
    if (index < 0 || index >= entries_.size() || index == secondary_) return;
    if (QListWidgetItem* old = list_->item(secondary_)) old->setData(kSecondaryRole, false);
    secondary_ = index;
    list_->item(index)->setData(kSecondaryRole, true);
    updatePair();
    Q_EMIT secondaryIndexChanged(index);
}

int PaletteWidget::indexOf(const QColor& colour) const {
    for (int i = 0; i < entries_.size(); ++i)
        if (entries_[i].colour.rgb() == colour.rgb()) return i;
    return -1;
}

QString PaletteWidget::pairText() const {
    const int primary = currentIndex();
    auto name = [this](int i) {
        return i >= 0 && i < entries_.size() ? entries_[i].name : QStringLiteral("–");
    };
    return QStringLiteral("%1 / %2").arg(name(primary), name(secondary_));
}

void PaletteWidget::updatePair() {
    const int primary = currentIndex();
    auto colour = [this](int i) { return i >= 0 && i < entries_.size() ? entries_[i].colour : QColor(); };
    static_cast<SwatchPair*>(pairSwatch_)->setColours(colour(primary), colour(secondary_));
    auto name = [this](int i) {
        return i >= 0 && i < entries_.size() ? entries_[i].name.toHtmlEscaped() : QStringLiteral("–");
    };
    pairLabel_->setText(QStringLiteral("<b>%1</b><br><span style='color:gray'>%2</span>")
                            .arg(name(primary), name(secondary_)));
    pairRow_->setVisible(!entries_.isEmpty());
}

QString PaletteWidget::shortcutFor(int index) {
    static const char* keys[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "-", "="};
    return index >= 0 && index < 12 ? QString::fromLatin1(keys[index]) : QString();
}

void PaletteWidget::setEntries(const QVector<PaletteEntry>& entries) {
    entries_ = entries;
    secondary_ = -1;
    const QSignalBlocker block(list_);
    list_->clear();
    for (int i = 0; i < entries.size(); ++i) {
        auto* item = new QListWidgetItem(swatch(entries[i].colour), entries[i].name, list_);
        const QString key = shortcutFor(i);
        item->setToolTip(tr("%1 — %2 (key %3; right-click: secondary colour)")
                             .arg(entries[i].name, entries[i].colour.name(), key));
        item->setData(kKeyRole, key);
    }
    list_->setVisible(!entries.isEmpty());
    message_->setVisible(entries.isEmpty());
    updatePair();
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
