#pragma once

// The class list: a swatch, the class name and its shortcut key per row. It shows whatever classes it is
// given (the CMP facade palette in label mode); picking a row selects the painting colour.

#include <QColor>
#include <QString>
#include <QVector>
#include <QWidget>

class QListWidget;
class QLabel;

namespace p2p::ui {

struct PaletteEntry {
    QString name;
    QColor colour;
};

class PaletteWidget : public QWidget {
    Q_OBJECT
public:
    explicit PaletteWidget(QWidget* parent = nullptr);

    void setEntries(const QVector<PaletteEntry>& entries);
    const QVector<PaletteEntry>& entries() const { return entries_; }
    int currentIndex() const;
    // Text shown instead of the list (edge mode has no classes).
    void setMessage(const QString& message);

    // The key that selects entry `index` (1-9, 0, -, =), or an empty string.
    static QString shortcutFor(int index);

public Q_SLOTS:
    void setCurrentIndex(int index);

Q_SIGNALS:
    void currentIndexChanged(int index);

private:
    QVector<PaletteEntry> entries_;
    QListWidget* list_;
    QLabel* message_;
};

}  // namespace p2p::ui
