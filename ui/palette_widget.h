#pragma once

// The class list: a swatch, the class name and its shortcut key per row, under a primary/secondary
// indicator. It shows whatever classes it is given (the CMP facade palette in label mode, ink and paper in
// edge mode). Picking a row selects the primary colour; right-clicking a row makes it the secondary colour
// (what the eraser and the right button paint), marked in the list by a dashed frame.

#include <QColor>
#include <QString>
#include <QVector>
#include <QWidget>

class QListWidget;
class QLabel;
class QToolButton;

namespace p2p::ui {

struct PaletteEntry {
    QString name;
    QColor colour;
};

class PaletteWidget : public QWidget {
    Q_OBJECT
public:
    explicit PaletteWidget(QWidget* parent = nullptr);

    // New rows; no row is primary or secondary until set (no signals).
    void setEntries(const QVector<PaletteEntry>& entries);
    const QVector<PaletteEntry>& entries() const { return entries_; }
    int currentIndex() const;
    int secondaryIndex() const { return secondary_; }
    // The first entry of exactly this colour (alpha ignored), or -1.
    int indexOf(const QColor& colour) const;
    // Text shown instead of the list (edge mode has no classes).
    void setMessage(const QString& message);
    // The indicator's line, e.g. "window · facade" (for tests and accessibility).
    QString pairText() const;

    // The key that selects entry `index` (1-9, 0, -, =), or an empty string.
    static QString shortcutFor(int index);

public Q_SLOTS:
    void setCurrentIndex(int index);
    void setSecondaryIndex(int index);

Q_SIGNALS:
    void currentIndexChanged(int index);
    void secondaryIndexChanged(int index);
    void swapRequested();  // the indicator's swap button

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void updatePair();

    QVector<PaletteEntry> entries_;
    int secondary_ = -1;
    QWidget* pairRow_;
    QWidget* pairSwatch_;
    QLabel* pairLabel_;
    QToolButton* swapButton_;
    QListWidget* list_;
    QLabel* message_;
};

}  // namespace p2p::ui
